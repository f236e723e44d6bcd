package winrmclient

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/masterzen/winrm"
)

// sendRequest builds the envelope winrm.NewSendInputRequest builds, for
// any chunk: with the prelude's cached head or without, whatever the
// prelude's length modulo 3, and with End or not.
func TestSendRequestIsMasterzens(t *testing.T) {
	uuid := regexp.MustCompile(`uuid:[0-9A-Fa-f-]{36}`)
	for _, library := range []string{"", "a", "ab", "abc", strings.Repeat("function F {}\n", 3000)} {
		c := &Client{preludeLine: preludeFor(library), params: winrm.NewParameters("PT60S", "en-US", 153600)}
		c.stdinHead = newStdinHead(c.preludeLine)
		s := &session{p: &hostPool{c: c, t: &transport{url: "https://h:5986/wsman"}, params: c.params, preludeLine: c.preludeLine, stdinHead: &c.stdinHead},
			shellID: "11111111-2222-3333-4444-555555555555", cmdID: "66666666-7777-8888-9999-000000000000"}
		line := []byte(base64.StdEncoding.EncodeToString([]byte(`{"id":"1"}`)) + "\n")
		for _, chunk := range [][]byte{append([]byte(c.preludeLine), line...), line, []byte(c.preludeLine[:len(c.preludeLine)/2]), {}} {
			for _, end := range []bool{false, true} {
				msg := winrm.NewSendInputRequest(s.p.t.url, s.shellID, s.cmdID, chunk, end, s.p.params)
				want := uuid.ReplaceAllString(msg.String(), "uuid:X")
				msg.Free()
				got := uuid.ReplaceAllString(string(s.sendRequest(chunk, end)), "uuid:X")
				if got != want {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Fatalf("library of %d bytes, chunk of %d, end %t: differ at %d:\n got %.200q\nwant %.200q", len(library), len(chunk), end, i, got[max(0, i-50):], want[max(0, i-50):])
				}
			}
		}
		if !bytes.HasPrefix([]byte(c.preludeLine), c.stdinHead.raw) || len(c.stdinHead.raw)%3 != 0 || len(c.preludeLine)-len(c.stdinHead.raw) > 2 {
			t.Fatalf("head of %d bytes for a prelude of %d", len(c.stdinHead.raw), len(c.preludeLine))
		}
	}
}

// The first Send of a process allocates about one envelope, not five
// copies of the prelude (the DOM, its string, the base64, the payload).
func BenchmarkSendRequest(b *testing.B) {
	c := &Client{preludeLine: preludeFor(strings.Repeat("function F {}\n", 4500)), params: winrm.NewParameters("PT60S", "en-US", 153600)}
	c.stdinHead = newStdinHead(c.preludeLine)
	s := &session{p: &hostPool{c: c, t: &transport{url: "https://h:5986/wsman"}, params: c.params, stdinHead: &c.stdinHead}, shellID: "s", cmdID: "c"}
	chunk := append([]byte(c.preludeLine), "eyJpZCI6IjEifQ==\n"...)
	b.Run("sendRequest", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_ = s.sendRequest(chunk, false)
		}
	})
	b.Run("masterzen", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			msg := winrm.NewSendInputRequest(s.p.t.url, s.shellID, s.cmdID, chunk, false, s.p.params)
			_ = []byte(msg.String())
			msg.Free()
		}
	})
}
