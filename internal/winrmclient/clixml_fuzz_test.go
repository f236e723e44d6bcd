package winrmclient_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winrmclient"
)

// clixmlErrorRecord writes msg as powershell.exe writes an uncaught error
// to a redirected stderr: one <S S="Error"> per line, control characters
// and "_x" escaped as _xHHHH_, the rest XML-escaped.
func clixmlErrorRecord(msg string) string {
	var b strings.Builder
	b.WriteString(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
	for _, l := range strings.SplitAfter(msg, "\n") {
		b.WriteString(`<S S="Error">`)
		for i, r := range l {
			switch {
			case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
				fmt.Fprintf(&b, "_x%04X_", r)
			case r == '_' && strings.HasPrefix(l[i+1:], "x"):
				b.WriteString("_x005F_")
			default:
				_ = xml.EscapeText(&b, []byte(string(r)))
			}
		}
		b.WriteString(`</S>`)
	}
	b.WriteString(`<S S="Error">    + CategoryInfo          : NotSpecified: (:) [], RuntimeException_x000D__x000A_</S></Objs>`)
	return b.String()
}

// readable is what DecodeStderr makes of an error message: its lines
// without trailing spaces and blank lines.
func readable(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimRight(l, "\r ")
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xff, 0xfe}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// FuzzDecodeStderr feeds what a host writes to stderr. The text is always
// valid UTF-8; plain UTF-8 text comes back as it was; an error record
// comes back as its message, in UTF-8 and UTF-16.
func FuzzDecodeStderr(f *testing.F) {
	const progress = `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj></Objs>`
	record := clixmlErrorRecord("Exception calling \"InstallRetailPurchaseLicenseKeyPack\": \"The license code is not valid. (0x80041008)\"\r\nAt line:12 char:5")
	f.Add([]byte("#< CLIXML\r\n" + record))
	f.Add([]byte("\xef\xbb\xbf#< CLIXML\r\n" + progress + record))
	f.Add(utf16LE("#< CLIXML\r\n"+record, true))
	f.Add([]byte("The command line is too long.\r\n"))
	f.Add([]byte("Fehler: M\xfcller"))
	f.Add(utf16LE("Zugriff verweigert", false))
	f.Add([]byte("#< CLIXML\r\n<Objs><S S=\"Error\">a_x005F_x000D_b_xD800_</S><S S=\"Warning\">w</S></Objs>"))

	f.Fuzz(func(t *testing.T, b []byte) {
		out := winrmclient.DecodeStderr(b)
		if !utf8.ValidString(out) {
			t.Fatalf("DecodeStderr(%q) = %q, not UTF-8", b, out)
		}
		// Plain UTF-8 text (not taken for UTF-16 or CLIXML) is kept.
		text := string(b)
		looksUTF16 := len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[3] == 0 || bytes.HasPrefix(b, []byte{0xff, 0xfe})
		if utf8.Valid(b) && !looksUTF16 && !strings.Contains(text, "#< CLIXML") && !strings.Contains(text, "\ufeff") {
			if want := strings.TrimSpace(text); out != want {
				t.Fatalf("plain text %q came back as %q", want, out)
			}
		}
		// Any message survives an error record (but for a BOM or the
		// CLIXML marker in it, which split stderr).
		if !utf8.Valid(b) || strings.Contains(text, "\ufeff") || strings.Contains(text, "#< CLIXML") {
			return
		}
		want := readable(text)
		doc := "#< CLIXML\r\n" + clixmlErrorRecord(text)
		for _, enc := range []struct {
			name string
			b    []byte
		}{{"UTF-8", []byte(doc)}, {"UTF-8 with BOM", []byte("\ufeff" + doc)}, {"UTF-16LE", utf16LE(doc, true)}} {
			got := winrmclient.DecodeStderr(enc.b)
			got = strings.TrimSpace(strings.TrimSuffix(got, "+ CategoryInfo          : NotSpecified: (:) [], RuntimeException"))
			if got != want {
				t.Fatalf("%s error record of %q: got %q, want %q", enc.name, text, got, want)
			}
		}
	})
}
