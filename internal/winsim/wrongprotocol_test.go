package winsim_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

const plainRequest = "POST /wsman HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"

// A TLS handshake on the HTTP listener gets HTTP.sys's 400 Invalid Verb.
func TestTLSOnHTTPListener(t *testing.T) {
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{winsim.NewHost("H1", "2022", "")}})
	c, err := net.Dial("tcp", sim.Host("H1").Endpoint(false))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	go func() { _ = tls.Client(c, &tls.Config{InsecureSkipVerify: true}).Handshake() }() //nolint:gosec // only the ClientHello matters
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Server") != "Microsoft-HTTPAPI/2.0" || !strings.Contains(string(body), "The request verb is invalid") {
		t.Fatalf("%d %v %q", resp.StatusCode, resp.Header, body)
	}
}

// Plain HTTP on the HTTPS listener is cut off without an answer, or
// answered 400 with the quirk.
func TestPlainHTTPOnHTTPSListener(t *testing.T) {
	for _, answer400 := range []bool{false, true} {
		st := winsim.NewHost("H1", "2022", "")
		st.Quirks.PlainHTTPOnHTTPS400 = answer400
		sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
		c, err := net.Dial("tcp", sim.Host("H1").Endpoint(true))
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c, plainRequest); err != nil {
			t.Fatal(err)
		}
		reply, err := io.ReadAll(c)
		_ = c.Close()
		if answer400 {
			if !strings.HasPrefix(string(reply), "HTTP/1.1 400 Bad Request\r\n") {
				t.Errorf("quirk: %q, %v", reply, err)
			}
			continue
		}
		if len(reply) != 0 || !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("default: %q, %v; want a reset without an answer", reply, err)
		}
	}
}
