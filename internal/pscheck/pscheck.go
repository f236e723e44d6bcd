// Package pscheck parses PowerShell scripts with tools/psparse (Node.js,
// tree-sitter-powershell as WebAssembly) and returns facts about them that
// Go tests can check against the provider's contracts: syntax errors, the
// leading comment lines, hash literals and their keys, commands and their
// parameters, member accesses, and variable assignments.
//
// There is no PowerShell here: parsing is the only proof that a script is
// valid PowerShell, and the facts come from its syntax tree. The Node.js
// side must be installed first with
//
//	npm ci --prefix tools/psparse
//
// Parse fails with an error that says so when node or node_modules is
// missing. See tools/psparse/README.md for the JSON format mirrored here.
package pscheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// InstallHint is the command that installs tools/psparse's dependencies.
const InstallHint = "npm ci --prefix tools/psparse"

// SkipEnv, set to 1, makes ParseT skip the calling test instead of failing
// when Node.js or tools/psparse/node_modules is missing.
const SkipEnv = "RDSLICENSING_SKIP_PSPARSE"

var (
	// ErrNoNode means no node executable is on PATH.
	ErrNoNode = errors.New("pscheck: node (Node.js) not found on PATH")
	// ErrNotInstalled means tools/psparse/node_modules is missing or incomplete.
	ErrNotInstalled = errors.New("pscheck: tools/psparse/node_modules is missing or incomplete")
)

// Summary is psparse's output: one File per input, in path order.
type Summary struct {
	Files []File `json:"files"`
}

// File holds the facts about one script.
type File struct {
	Path string `json:"path"`
	// Errors lists syntax errors; empty when the script parses.
	Errors []Error `json:"errors"`
	// Header holds the file's leading comment lines, verbatim.
	Header []string `json:"header"`
	// ScriptParams names the parameters of the script's own param block.
	ScriptParams []string     `json:"script_params"`
	Functions    []Function   `json:"functions"`
	Hashtables   []Hashtable  `json:"hashtables"`
	Commands     []Command    `json:"commands"`
	Members      []Member     `json:"members"`
	Assignments  []Assignment `json:"assignments"`
	// Workarounds lists where psparse rewrote valid PowerShell that the
	// grammar mis-parses (see tools/psparse/README.md).
	Workarounds []Workaround `json:"workarounds"`
}

// Error is a syntax error. Kind is "error" (an ERROR node), "missing" (a
// MISSING node: something the parser expected, such as a closing brace) or
// "check" (a mistake the grammar accepts but PowerShell rejects, found by
// psparse's own checks).
type Error struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Kind      string `json:"kind"`
	Message   string `json:"message"`
	// Text is the source text of the node, truncated ("" for a MISSING node).
	Text string `json:"text"`
}

func (e Error) String() string {
	return fmt.Sprintf("%d:%d: %s: %q", e.Line, e.Column, e.Message, e.Text)
}

// Function is a function (or filter) definition.
type Function struct {
	Line   int      `json:"line"`
	Column int      `json:"column"`
	Name   string   `json:"name"`
	Params []string `json:"params"`
}

// Hashtable is a hash literal @{...}.
type Hashtable struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	// Ordered is true when the literal is directly cast with [ordered].
	Ordered bool `json:"ordered"`
	// Cast is the type the literal is directly cast to ("ordered",
	// "pscustomobject"), without brackets; "" when it is not cast.
	Cast string `json:"cast"`
	// Keys are the keys as written: bare words or strings, unquoted.
	Keys    []string    `json:"keys"`
	Entries []HashEntry `json:"entries"`
}

// HashEntry is one key = value entry of a hash literal.
type HashEntry struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Key    string `json:"key"`
	// KeyKind is string, expandable, number, variable or other.
	KeyKind string `json:"key_kind"`
	Value   Value  `json:"value"`
}

// Command is one command invocation: a cmdlet, function or native command.
// Each command of a pipeline is its own Command.
type Command struct {
	// Index is this command's index in File.Commands (set by Parse).
	Index  int    `json:"-"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Name   string `json:"name"`
	// InvocationOperator is "&" or "." when the command is invoked with one.
	InvocationOperator string `json:"invocation_operator"`
	// AssignedTo names the variable (without $) when this command, or a
	// pipeline or (...), $(...), @(...) starting with it, is the right side
	// of an assignment; "" otherwise.
	AssignedTo string `json:"assigned_to"`
	// Params maps parameter names, as written without the dash, to values.
	Params     map[string]Value `json:"params"`
	Positional []Value          `json:"positional"`
	// Splats names the splatted variables (@args gives "args").
	Splats       []string `json:"splats"`
	Redirections []string `json:"redirections"`
	// PipelineID numbers the pipelines of the file; commands of one
	// pipeline share it. PipelinePosition is the 0-based position in the
	// pipeline (an expression at its head counts). Both are -1 when the
	// command is in a part of the file that does not parse.
	PipelineID       int `json:"pipeline_id"`
	PipelinePosition int `json:"pipeline_position"`
}

// Value is the value of a parameter, a positional argument, a hash entry
// or an assignment. Kind is one of:
//
//	string      bare word, '...', or "..." without variables: Value is the literal text
//	expandable  "..." (or a bare word) with variables: Value is the raw text between the quotes
//	variable    $name: Value is the name without $
//	hashtable   @{...} (possibly cast): Keys, Index (into File.Hashtables), Cast
//	array       a,b / @('a','b'): Values (literal values; raw text for other elements), Items
//	number      Value is the literal text
//	switch      a parameter without a value (no Value)
//	scriptblock { ... }: Value is the raw text
//	other       anything else: Value is the raw text; Cast for [type]x,
//	            CommandIndex for (...), $(...) or @(...) starting with a command
type Value struct {
	// Name and NameLower are set for parameters only.
	Name      string `json:"name,omitempty"`
	NameLower string `json:"name_lower,omitempty"`

	Kind         string   `json:"kind"`
	Value        string   `json:"value"`
	Keys         []string `json:"keys"`
	Index        int      `json:"index"`
	Values       []string `json:"values"`
	Items        []Value  `json:"items"`
	Cast         string   `json:"cast"`
	CommandIndex *int     `json:"command_index"`
	// Text is the source text of the value.
	Text string `json:"text"`
}

// Member is a member access $x.Name or a method call $x.Name(...).
// Static access ([Type]::Member) is not listed.
type Member struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Target Target `json:"target"`
	// Member is the member name as written (unquoted for $x.'name').
	Member  string `json:"member"`
	Invoked bool   `json:"invoked"`
	// Dynamic is true for $x.$name or $x."$name".
	Dynamic bool `json:"dynamic"`
}

// Target is what a member is accessed on. Kind is "variable" (Value is its
// name without $), "command" ((Get-Thing).Name: Index is the command's index
// in File.Commands) or "other" (Text is the raw source, e.g. "$x.A" for the
// B of $x.A.B).
type Target struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Index int    `json:"index"`
	Text  string `json:"text"`
}

// Assignment is $name = ... (or +=, -=, ...).
type Assignment struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	// Variable is the assigned variable without $; "" when the left side is
	// not a variable ($h.a = 1), then Target holds its source text.
	Variable string `json:"variable"`
	Target   string `json:"target"`
	Operator string `json:"operator"`
	// ValueKind is "command" (a command, or a pipeline or (...), $(...),
	// @(...) starting with one: CommandIndex), "variable" ($a = $b:
	// ValueVariable) or "other".
	ValueKind     string `json:"value_kind"`
	CommandIndex  *int   `json:"command_index"`
	ValueVariable string `json:"value_variable"`
	// HashtableIndex is set when the value is a hash literal (possibly cast).
	HashtableIndex *int `json:"hashtable_index"`
	// Value describes the right side when it is a single expression.
	Value *Value `json:"value"`
}

// Workaround records where psparse rewrote a known false positive of the
// grammar before parsing (same length, so positions are unchanged).
type Workaround struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
}

// Parse runs tools/psparse on files (path -> script text) and returns the
// facts, one File per path in sorted order. Scripts with syntax errors are
// no error here: see File.Errors. The error is ErrNoNode or ErrNotInstalled
// (wrapped, with the fix) when Node.js or node_modules is missing.
func Parse(ctx context.Context, files map[string]string) (*Summary, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	script, err := checkInstall(root)
	if err != nil {
		return nil, err
	}
	node, err := findNode()
	if err != nil {
		return nil, err
	}

	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	type input struct {
		Path string `json:"path"`
		Text string `json:"text"`
	}
	in := struct {
		Files []input `json:"files"`
	}{Files: make([]input, 0, len(paths))}
	for _, p := range paths {
		in.Files = append(in.Files, input{Path: p, Text: files[p]})
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("pscheck: %w", err)
	}

	cmd := exec.CommandContext(ctx, node, script, "--stdin-json")
	cmd.Dir = root
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "npm ci") {
			return nil, fmt.Errorf("%w: %s", ErrNotInstalled, msg)
		}
		return nil, fmt.Errorf("pscheck: %s %s --stdin-json: %v: %s", node, script, err, msg)
	}
	var s Summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		return nil, fmt.Errorf("pscheck: decoding psparse output: %w", err)
	}
	if len(s.Files) != len(paths) {
		return nil, fmt.Errorf("pscheck: psparse returned %d files for %d inputs", len(s.Files), len(paths))
	}
	for i := range s.Files {
		for j := range s.Files[i].Commands {
			s.Files[i].Commands[j].Index = j
		}
	}
	return &s, nil
}

// ModuleRoot returns the directory of the go.mod found by walking up from
// the working directory, preferring one with tools/psparse/psparse.mjs
// (a nested module such as tools/tofu has its own go.mod).
func ModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("pscheck: %w", err)
	}
	first := ""
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if first == "" {
				first = dir
			}
			if _, err := os.Stat(filepath.Join(dir, "tools", "psparse", "psparse.mjs")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if first == "" {
		return "", fmt.Errorf("pscheck: no go.mod above %s", wd)
	}
	return first, nil
}

func checkInstall(root string) (string, error) {
	dir := filepath.Join(root, "tools", "psparse")
	script := filepath.Join(dir, "psparse.mjs")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("pscheck: %s not found (module root %s)", script, root)
	}
	for _, f := range []string{
		filepath.Join("node_modules", "web-tree-sitter", "package.json"),
		filepath.Join("node_modules", "tree-sitter-powershell", "tree-sitter-powershell.wasm"),
	} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", fmt.Errorf("%w (no tools/psparse/%s); run: %s (in %s)", ErrNotInstalled, filepath.ToSlash(f), InstallHint, root)
		}
	}
	return script, nil
}

func findNode() (string, error) {
	for _, name := range []string{"node", "nodejs"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w; install Node.js (18 or newer, e.g. apt-get install nodejs npm), then run: %s", ErrNoNode, InstallHint)
}

// File returns the file with this path, or nil.
func (s *Summary) File(path string) *File {
	for i := range s.Files {
		if s.Files[i].Path == path {
			return &s.Files[i]
		}
	}
	return nil
}

// ErrorLines returns every syntax error of every file as
// "path:line:column: message: text", for test failure messages.
func (s *Summary) ErrorLines() []string {
	var out []string
	for i := range s.Files {
		for _, e := range s.Files[i].Errors {
			out = append(out, s.Files[i].Path+":"+e.String())
		}
	}
	return out
}

// CommandsNamed returns the commands with this name (case-insensitive, as
// PowerShell matches names), in document order.
func (f *File) CommandsNamed(name string) []*Command {
	var out []*Command
	for i := range f.Commands {
		if strings.EqualFold(f.Commands[i].Name, name) {
			out = append(out, &f.Commands[i])
		}
	}
	return out
}

// OrderedHashtables returns the hash literals cast with [ordered].
func (f *File) OrderedHashtables() []*Hashtable {
	var out []*Hashtable
	for i := range f.Hashtables {
		if f.Hashtables[i].Ordered {
			out = append(out, &f.Hashtables[i])
		}
	}
	return out
}

// VariableCommand returns the command of the last "$name = <command>"
// assignment in the file (name without $, case-insensitive). Assignments
// of other values are ignored.
func (f *File) VariableCommand(name string) (*Command, bool) {
	cmds := f.VariableCommands(name)
	if len(cmds) == 0 {
		return nil, false
	}
	return cmds[len(cmds)-1], true
}

// VariableCommands returns the commands of every "$name = <command>"
// assignment, in document order.
func (f *File) VariableCommands(name string) []*Command {
	var out []*Command
	for _, a := range f.Assignments {
		if a.Operator == "=" && a.ValueKind == "command" && a.CommandIndex != nil && strings.EqualFold(a.Variable, name) {
			if i := *a.CommandIndex; i >= 0 && i < len(f.Commands) {
				out = append(out, &f.Commands[i])
			}
		}
	}
	return out
}

// VariableMembers returns the member accesses on $name (case-insensitive).
func (f *File) VariableMembers(name string) []Member {
	var out []Member
	for _, m := range f.Members {
		if m.Target.Kind == "variable" && strings.EqualFold(m.Target.Value, name) {
			out = append(out, m)
		}
	}
	return out
}

// CommandMembers returns the member accesses on the output of command i,
// as in (Invoke-CimMethod ...).ReturnValue.
func (f *File) CommandMembers(i int) []Member {
	var out []Member
	for _, m := range f.Members {
		if m.Target.Kind == "command" && m.Target.Index == i {
			out = append(out, m)
		}
	}
	return out
}

// Param returns the value of a parameter (name without dash,
// case-insensitive). PowerShell's unambiguous prefixes (-Class for
// -ClassName) are not resolved: the name must be written out.
func (c *Command) Param(name string) (Value, bool) {
	if v, ok := c.Params[name]; ok {
		return v, true
	}
	for k, v := range c.Params {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return Value{}, false
}

// ParamString returns the literal value of a parameter whose value is a
// string (a bare word or a quoted string without variables), or "".
func (c *Command) ParamString(name string) string {
	if v, ok := c.Param(name); ok && v.Kind == "string" {
		return v.Value
	}
	return ""
}
