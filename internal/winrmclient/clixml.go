package winrmclient

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// DecodeStderr turns what powershell.exe wrote to a redirected stderr into
// readable text: CLIXML error records become their message lines, progress
// records are dropped, and text in UTF-16, UTF-8 (with or without a BOM)
// or a Windows code page is decoded.
func DecodeStderr(b []byte) string {
	text := decodeText(b)
	if !strings.Contains(text, "#< CLIXML") {
		return strings.TrimSpace(text)
	}
	var lines []string
	for _, part := range strings.Split(text, "#< CLIXML") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.HasPrefix(part, "<") {
			lines = append(lines, part)
			continue
		}
		lines = append(lines, clixmlLines(part)...)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// decodeText guesses the encoding of console output.
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return decodeUTF16(b[2:])
	case len(b) >= 4 && b[1] == 0 && b[3] == 0 && b[0] != 0:
		return decodeUTF16(b)
	}
	// A BOM may also start a later CLIXML document.
	b = bytes.ReplaceAll(b, []byte{0xef, 0xbb, 0xbf}, nil)
	if utf8.Valid(b) {
		return string(b)
	}
	// Windows-1252 decodes every byte: no error to handle.
	s, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(s)
}

func decodeUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// clixmlLines reads the <S S="Error"> (and warning) strings of one or more
// <Objs> documents and joins the pieces PowerShell wrapped at the console width.
func clixmlLines(doc string) []string {
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = false
	var (
		out    []string
		cur    strings.Builder
		inS    bool
		stream string
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "S" {
				inS = true
				stream = ""
				for _, a := range t.Attr {
					if a.Name.Local == "S" {
						stream = a.Value
					}
				}
			}
		case xml.CharData:
			if inS && (stream == "Error" || stream == "Warning" || stream == "warning") {
				cur.WriteString(unescapeCLIXML(string(t)))
			}
		case xml.EndElement:
			if t.Name.Local == "S" {
				inS = false
			}
		}
	}
	for _, l := range strings.Split(cur.String(), "\n") {
		l = strings.TrimRight(l, "\r ")
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l)
	}
	return out
}

var clixmlEscape = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)

// unescapeCLIXML decodes _xHHHH_ escapes (CR/LF, and _ itself as _x005F_).
func unescapeCLIXML(s string) string {
	return clixmlEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseUint(m[2:6], 16, 16)
		if err != nil {
			return m
		}
		return string(rune(n))
	})
}
