package winrmclient

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// winsim's powershell.exe writes to stderr only as it starts (progress
// records) and as it dies, so these tests run a session against a stub
// that answers Send and Receive with canned output.

type stubReply struct {
	stdout, stderr string
	done           bool
}

func stubHost(t *testing.T, replies ...stubReply) (host string, port int) {
	t.Helper()
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
		if !strings.Contains(string(body), "/Receive</") {
			_, _ = io.WriteString(w, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>`)
			return
		}
		mu.Lock()
		if len(replies) == 0 {
			mu.Unlock()
			t.Error("more Receives than replies")
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		rep := replies[0]
		replies = replies[1:]
		mu.Unlock()
		var b strings.Builder
		b.WriteString(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body><rsp:ReceiveResponse>`)
		for _, st := range []struct{ name, data string }{{"stdout", rep.stdout}, {"stderr", rep.stderr}} {
			if st.data != "" {
				b.WriteString(`<rsp:Stream Name="` + st.name + `" CommandId="C">` + base64.StdEncoding.EncodeToString([]byte(st.data)) + `</rsp:Stream>`)
			}
		}
		if rep.done {
			b.WriteString(`<rsp:CommandState CommandId="C" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>1</rsp:ExitCode></rsp:CommandState>`)
		}
		b.WriteString(`</rsp:ReceiveResponse></s:Body></s:Envelope>`)
		_, _ = io.WriteString(w, b.String())
	}))
	t.Cleanup(srv.Close)
	h, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ = strconv.Atoi(p)
	return h, port
}

// stubSession is a warm session on the stub.
func stubSession(t *testing.T, host string, port int) *session {
	t.Helper()
	c, err := New(Config{Host: host, Port: port, Username: "u", Password: "p", AllowUnencrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	p, err := c.pool(host)
	if err != nil {
		t.Fatal(err)
	}
	return &session{p: p, shellID: "S", cmdID: "C", lastUsed: time.Now()}
}

const okLine = "#rdsl:1:eyJvayI6dHJ1ZX0=\r\n" // {"ok":true}

func clixmlErr(text string) string {
	return `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">` + text + `_x000D__x000A_</S></Objs>`
}

// A crash reports the stderr of the operation that crashed, not what
// earlier operations of the process wrote (which may hold their secrets),
// decoded although the process wrote the CLIXML header before an earlier
// operation's records.
func TestCrashReportsOnlyItsOwnStderr(t *testing.T) {
	host, port := stubHost(t,
		stubReply{stdout: okLine, stderr: "#< CLIXML\r\n" + clixmlErr("warning from an earlier operation about BCDFG-HJKMP")},
		stubReply{stderr: clixmlErr("the second operation crashed"), done: true})
	s := stubSession(t, host, port)
	op := Operation{Name: "op", Script: "# operation: op\n"}
	if _, _, err := s.call(context.Background(), op, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.call(context.Background(), op, []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "the second operation crashed") {
		t.Fatalf("error = %v, want the crash text", err)
	}
	if strings.Contains(err.Error(), "earlier operation") {
		t.Fatalf("error reports an earlier operation's stderr: %v", err)
	}
	if strings.Contains(err.Error(), "<Objs") || strings.Contains(err.Error(), "_x000D_") {
		t.Fatalf("stderr not decoded: %v", err)
	}
}

// Past the cap, the end of stderr (the crash) is kept, and still decoded.
func TestCrashTextSurvivesLongStderr(t *testing.T) {
	var noise strings.Builder
	noise.WriteString("#< CLIXML\r\n")
	for noise.Len() < maxStderr+10000 {
		noise.WriteString(clixmlErr("a warning " + strings.Repeat("x", 500)))
	}
	host, port := stubHost(t,
		stubReply{stderr: noise.String()},
		stubReply{stderr: clixmlErr("the operation crashed"), done: true})
	s := stubSession(t, host, port)
	_, _, err := s.call(context.Background(), Operation{Name: "op", Script: "# operation: op\n"}, []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "the operation crashed") {
		t.Fatalf("error = %.300v, want the crash text", err)
	}
	if strings.Contains(err.Error(), "<Objs") || strings.Contains(err.Error(), "_x000D_") {
		t.Fatalf("stderr not decoded: %.300v", err)
	}
}
