package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The core-alone floor runs Terraform on a mirror of the benchmarked
// configuration: every resource and data source of a provider becomes a
// terraform_data resource (built into Terraform: no provider runs) with
// the same for_each, count and depends_on, in the same modules, so that
// core builds and walks the same graph. Its arguments, and placeholders
// for the computed attributes that the configuration reads, go into
// input; a local per block stands for the original object, so that
// outputs and checks keep working. Nested blocks of resources
// (lifecycle, provisioners, timeouts written as a block) are dropped, as
// are provider blocks, required_providers, and moved, import and removed
// blocks.

// placeholders holds, per "resource.TYPE" or "data.TYPE", the computed
// attributes of the schema with a value of their type. Write-only
// attributes are listed with a null value: they take ephemeral values,
// which terraform_data's input cannot hold, and they never reach state.
type placeholders map[string]map[string]cty.Value

// schemaPlaceholders reads `providers schema -json` output.
func schemaPlaceholders(schemaJSON []byte) (placeholders, error) {
	var doc struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas   map[string]struct{ Block schemaBlock } `json:"resource_schemas"`
			DataSourceSchemas map[string]struct{ Block schemaBlock } `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		return nil, fmt.Errorf("providers schema -json: %w", err)
	}
	out := placeholders{}
	add := func(key string, b schemaBlock) error {
		m := map[string]cty.Value{}
		for name, a := range b.Attributes {
			if a.WriteOnly {
				m[name] = cty.NilVal
				continue
			}
			if !a.Computed {
				continue
			}
			t, err := a.ctyType()
			if err != nil {
				return fmt.Errorf("%s.%s: %w", key, name, err)
			}
			m[name] = zeroValue(t)
		}
		out[key] = m
		return nil
	}
	for _, p := range doc.ProviderSchemas {
		for t, s := range p.ResourceSchemas {
			if err := add("resource."+t, s.Block); err != nil {
				return nil, err
			}
		}
		for t, s := range p.DataSourceSchemas {
			if err := add("data."+t, s.Block); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

type schemaBlock struct {
	Attributes map[string]schemaAttribute `json:"attributes"`
}

type schemaAttribute struct {
	Type       json.RawMessage `json:"type"`
	NestedType *struct {
		Attributes  map[string]schemaAttribute `json:"attributes"`
		NestingMode string                     `json:"nesting_mode"`
	} `json:"nested_type"`
	Computed  bool `json:"computed"`
	WriteOnly bool `json:"write_only"`
}

func (a schemaAttribute) ctyType() (cty.Type, error) {
	if a.NestedType == nil {
		return ctyjson.UnmarshalType(a.Type)
	}
	attrs := map[string]cty.Type{}
	for name, na := range a.NestedType.Attributes {
		t, err := na.ctyType()
		if err != nil {
			return cty.NilType, err
		}
		attrs[name] = t
	}
	obj := cty.Object(attrs)
	switch a.NestedType.NestingMode {
	case "single", "group":
		return obj, nil
	case "map":
		return cty.Map(obj), nil
	case "set":
		return cty.Set(obj), nil
	default:
		return cty.List(obj), nil
	}
}

// zeroValue is a placeholder of type t: empty collections, "", 0, true
// (so that a health check over placeholders passes quietly).
func zeroValue(t cty.Type) cty.Value {
	switch {
	case t == cty.String:
		return cty.StringVal("")
	case t == cty.Number:
		return cty.Zero
	case t == cty.Bool:
		return cty.True
	case t.IsObjectType():
		attrs := map[string]cty.Value{}
		for name, at := range t.AttributeTypes() {
			attrs[name] = zeroValue(at)
		}
		return cty.ObjectVal(attrs)
	case t.IsMapType():
		return cty.EmptyObjectVal
	default: // lists, sets, tuples, dynamic
		return cty.EmptyTupleVal
	}
}

// mirrorTree rewrites the module in dir and every local module it calls,
// in place.
func mirrorTree(dir string, ph placeholders) error {
	seen := map[string]bool{}
	var walk func(string) error
	walk = func(d string) error {
		d = filepath.Clean(d)
		if seen[d] {
			return nil
		}
		seen[d] = true
		calls, err := mirrorModule(d, ph)
		if err != nil {
			return err
		}
		for _, src := range calls {
			if err := walk(filepath.Join(d, src)); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(dir)
}

// mirrorModule rewrites the .tf files of one module directory; it returns
// the sources of the local modules it calls.
func mirrorModule(dir string, ph placeholders) ([]string, error) {
	paths, files, err := parseTFFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	kinds := map[string]bool{}
	for _, p := range paths {
		for _, b := range files[p].Body().Blocks() {
			if mirrored(b) {
				kinds[b.Type()+"."+b.Labels()[0]] = true
			}
		}
	}
	var calls []string
	for _, p := range paths {
		out, c := mirrorFile(files[p], kinds, ph)
		calls = append(calls, c...)
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return nil, err
		}
	}
	return calls, nil
}

// mirrored reports a block that becomes terraform_data: a resource or
// data source of a provider (not of Terraform itself).
func mirrored(b *hclwrite.Block) bool {
	if (b.Type() != "resource" && b.Type() != "data") || len(b.Labels()) != 2 {
		return false
	}
	t := b.Labels()[0]
	return t != "terraform_data" && !strings.HasPrefix(t, "terraform_")
}

// mirrorName is the terraform_data resource (and local) standing for a
// resource or data source.
func mirrorName(mode, typ, name string) string {
	if mode == "data" {
		return "data__" + typ + "__" + name
	}
	return typ + "__" + name
}

func mirrorFile(f *hclwrite.File, kinds map[string]bool, ph placeholders) ([]byte, []string) {
	out := hclwrite.NewEmptyFile()
	body := out.Body()
	var calls []string
	for _, b := range f.Body().Blocks() {
		switch {
		case b.Type() == "provider", b.Type() == "moved", b.Type() == "import", b.Type() == "removed":
			continue
		case b.Type() == "terraform":
			for _, nb := range b.Body().Blocks() {
				if nb.Type() == "required_providers" {
					b.Body().RemoveBlock(nb)
				}
			}
			body.AppendBlock(b)
		case mirrored(b):
			tb, local := mirrorBlock(b, kinds, ph)
			body.AppendBlock(tb)
			body.AppendNewline()
			body.AppendBlock(local)
		case b.Type() == "module":
			b.Body().RemoveAttribute("providers")
			if src := b.Body().GetAttribute("source"); src != nil {
				s := strings.Trim(strings.TrimSpace(string(src.Expr().BuildTokens(nil).Bytes())), `"`)
				if strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") {
					calls = append(calls, s)
				}
			}
			rewriteBody(b.Body(), kinds)
			body.AppendBlock(b)
		default:
			rewriteBody(b.Body(), kinds)
			body.AppendBlock(b)
		}
		body.AppendNewline()
	}
	return hclwrite.Format(out.Bytes()), calls
}

// metaArguments stay on the terraform_data resource.
var metaArguments = map[string]bool{"for_each": true, "count": true, "depends_on": true, "provider": true}

func mirrorBlock(b *hclwrite.Block, kinds map[string]bool, ph placeholders) (*hclwrite.Block, *hclwrite.Block) {
	mode, typ, name := b.Type(), b.Labels()[0], b.Labels()[1]
	mn := mirrorName(mode, typ, name)
	tb := hclwrite.NewBlock("resource", []string{"terraform_data", mn})
	attrs := b.Body().Attributes()
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, meta := range []string{"for_each", "count", "depends_on"} {
		if a, ok := attrs[meta]; ok {
			tb.Body().SetAttributeRaw(meta, rewriteRefs(a.Expr().BuildTokens(nil), kinds, meta == "depends_on"))
		}
	}
	var input []hclwrite.ObjectAttrTokens
	configured := map[string]hclwrite.Tokens{}
	for _, n := range names {
		if metaArguments[n] {
			continue
		}
		if v, ok := ph[mode+"."+typ][n]; ok && v == cty.NilVal {
			continue // write-only
		}
		toks := rewriteRefs(attrs[n].Expr().BuildTokens(nil), kinds, false)
		configured[n] = toks
		input = append(input, hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForIdentifier(n), Value: toks})
	}
	comp := ph[mode+"."+typ]
	cnames := make([]string, 0, len(comp))
	for n, v := range comp {
		if _, ok := configured[n]; !ok && v != cty.NilVal {
			cnames = append(cnames, n)
		}
	}
	sort.Strings(cnames)
	for _, n := range cnames {
		v := hclwrite.TokensForValue(comp[n])
		if h, ok := configured["host"]; ok && n == "id" {
			v = h // this provider's ids are the host
		}
		input = append(input, hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForIdentifier(n), Value: v})
	}
	tb.Body().SetAttributeRaw("input", hclwrite.TokensForObject(input))

	var expr string
	switch {
	case attrs["for_each"] != nil:
		expr = fmt.Sprintf("{ for k, v in terraform_data.%s : k => v.output }", mn)
	case attrs["count"] != nil:
		expr = fmt.Sprintf("[for v in terraform_data.%s : v.output]", mn)
	default:
		expr = fmt.Sprintf("terraform_data.%s.output", mn)
	}
	local := hclwrite.NewBlock("locals", nil)
	local.Body().SetAttributeRaw(mn, rawTokens(expr))
	return tb, local
}

func rawTokens(s string) hclwrite.Tokens {
	toks, diags := hclsyntax.LexExpression([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		panic(diags.Error())
	}
	out := make(hclwrite.Tokens, 0, len(toks))
	for _, t := range toks {
		if t.Type == hclsyntax.TokenEOF {
			continue
		}
		out = append(out, &hclwrite.Token{Type: t.Type, Bytes: t.Bytes, SpacesBefore: 1})
	}
	return out
}

// rewriteBody rewrites references in every attribute of a body and its
// nested blocks.
func rewriteBody(b *hclwrite.Body, kinds map[string]bool) {
	for name, a := range b.Attributes() {
		b.SetAttributeRaw(name, rewriteRefs(a.Expr().BuildTokens(nil), kinds, name == "depends_on"))
	}
	for _, nb := range b.Blocks() {
		rewriteBody(nb.Body(), kinds)
	}
}

// rewriteRefs replaces TYPE.NAME and data.TYPE.NAME of mirrored blocks by
// their local, or, in depends_on (direct), by the terraform_data resource.
func rewriteRefs(toks hclwrite.Tokens, kinds map[string]bool, direct bool) hclwrite.Tokens {
	ident := func(i int, s string) bool {
		return i < len(toks) && toks[i].Type == hclsyntax.TokenIdent && (s == "" || string(toks[i].Bytes) == s)
	}
	dot := func(i int) bool { return i < len(toks) && toks[i].Type == hclsyntax.TokenDot }
	var out hclwrite.Tokens
	for i := 0; i < len(toks); i++ {
		if ident(i, "") && (i == 0 || !dot(i-1)) {
			mode, n := "", 0
			switch {
			case ident(i, "data") && dot(i+1) && ident(i+2, "") && dot(i+3) && ident(i+4, "") && kinds["data."+string(toks[i+2].Bytes)]:
				mode, n = "data", 2
			case dot(i+1) && ident(i+2, "") && kinds["resource."+string(toks[i].Bytes)]:
				mode, n = "resource", 0
			}
			if mode != "" {
				mn := mirrorName(mode, string(toks[i+n].Bytes), string(toks[i+n+2].Bytes))
				head := "local"
				if direct {
					head = "terraform_data"
				}
				out = append(out,
					&hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(head), SpacesBefore: toks[i].SpacesBefore},
					&hclwrite.Token{Type: hclsyntax.TokenDot, Bytes: []byte(".")},
					&hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(mn)})
				i += n + 2
				continue
			}
		}
		out = append(out, toks[i])
	}
	return out
}

// parseTFFiles parses the .tf files of a module directory, in name order.
func parseTFFiles(dir string) ([]string, map[string]*hclwrite.File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, nil, err
	}
	files := map[string]*hclwrite.File{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		f, diags := hclwrite.ParseConfig(src, p, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, nil, fmt.Errorf("%s", diags.Error())
		}
		files[p] = f
	}
	return paths, files, nil
}
