package winsim

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A client that stops sending its headers or its body is disconnected
// (slowloris), as HTTP.sys does; one that sends everything is answered.
func TestSlowClientsAreCutOff(t *testing.T) {
	sim, err := New(Scenario{Hosts: []HostState{NewHost("WS01", "2022", "")}})
	if err != nil {
		t.Fatal(err)
	}
	short := 300 * time.Millisecond
	if err := sim.Start(ServeOptions{HTTPTimeouts: HTTPTimeouts{HeaderWait: short, EntityBody: short, IdleConnection: short}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	httpPort, _ := sim.Ports()
	addr := net.JoinHostPort(sim.Host("WS01").State().Address, strconv.Itoa(httpPort))
	headers := "POST /wsman HTTP/1.1\r\nHost: ws01\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: 100\r\n"
	body := strings.Repeat("x", 100)
	for _, tc := range []struct {
		name, send string
		answered   bool
	}{
		{"headers never end", headers, false},
		{"body stops", headers + "\r\n" + body[:10], false},
		{"whole request", headers + "\r\n" + body, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			// Far longer than the timers: only a server that never cuts
			// the client off reaches it.
			_ = c.SetReadDeadline(time.Now().Add(time.Minute))
			resp, err := bufio.NewReader(c).ReadString('\n')
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server held the connection open")
			}
			if answered := strings.HasPrefix(resp, "HTTP/1.1 "); answered != tc.answered {
				t.Errorf("answered %v (%q, %v), want %v", answered, resp, err, tc.answered)
			}
		})
	}
}

type deadlines []time.Time

func (d *deadlines) SetReadDeadline(t time.Time) error { *d = append(*d, t); return nil }

// The EntityBody timer restarts with each piece of the body, and the read
// deadline is lifted once the body is read (a Receive may answer later).
func TestEntityBodyTimerRestartsWithData(t *testing.T) {
	var set deadlines
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &bodyReader{r: strings.NewReader("abc"), rc: &set, d: time.Minute, now: func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}}
	p := make([]byte, 1)
	for i := 0; i < 3; i++ {
		if _, err := b.Read(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Read(p); err != io.EOF {
		t.Fatal(err)
	}
	if len(set) != 5 || !set[4].IsZero() {
		t.Fatalf("deadlines %v", set)
	}
	for i := 1; i < 4; i++ {
		if !set[i].After(set[i-1]) {
			t.Errorf("deadline %d did not move on: %v", i, set)
		}
	}
	if (HTTPTimeouts{}).withDefaults() != (HTTPTimeouts{HeaderWait: 2 * time.Minute, EntityBody: 2 * time.Minute, IdleConnection: 2 * time.Minute}) {
		t.Error("the defaults are not HTTP.sys's")
	}
}
