package winsim_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/winsim"
)

// wire speaks raw WS-Management to one host, with hand-written envelopes,
// to check winsim's answers byte for byte where clients depend on them.
type wire struct {
	t    *testing.T
	sim  *winsim.Sim
	h    *winsim.Host
	url  string
	http *http.Client
	n    atomic.Int64 // message IDs; tests send from several goroutines
}

func newWire(t *testing.T, mutate func(*winsim.HostState)) *wire {
	t.Helper()
	st := winsim.NewLicenseServerHost("LS01", "2022", "")
	st.Realism = winsim.FastTiming
	st.Realism.ReceivePollMS = 300
	st.Quirks = winsim.DefaultQuirks
	st.Quirks.ProgressNoise = false
	if mutate != nil {
		mutate(&st)
	}
	sim := serveSim(t, winsim.Scenario{Hosts: []winsim.HostState{st}})
	h := sim.Host("LS01")
	return &wire{t: t, sim: sim, h: h, url: "https://" + h.Endpoint(true) + "/wsman",
		http: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}} //nolint:gosec // test against a test CA
}

func (w *wire) do(body string, hdr map[string]string) (int, http.Header, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.url, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.SetBasicAuth("Administrator", winsim.DefaultPassword)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := w.http.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (w *wire) envelope(action, shellID, timeout, body string) (string, string) {
	id := fmt.Sprintf("uuid:00000000-0000-4000-8000-%012d", w.n.Add(1))
	sel := ""
	if shellID != "" {
		sel = `<w:SelectorSet><w:Selector Name="ShellId">` + shellID + `</w:Selector></w:SelectorSet>`
	}
	if timeout == "" {
		timeout = "PT60S"
	}
	return `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
		`<env:Header><a:To>` + w.url + `</a:To><w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><w:OperationTimeout>` + timeout + `</w:OperationTimeout>` +
		`<a:MessageID>` + id + `</a:MessageID><a:Action mustUnderstand="true">` + action + `</a:Action>` + sel +
		`<w:ResourceURI mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>` +
		`<w:OptionSet><w:Option Name="WINRS_CODEPAGE">65001</w:Option></w:OptionSet></env:Header><env:Body>` + body + `</env:Body></env:Envelope>`, id
}

const (
	shellNS = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	xfer    = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
)

func (w *wire) create() string {
	env, id := w.envelope(xfer+"/Create", "", "", `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`)
	status, hdr, body := w.do(env, nil)
	if status != 200 {
		w.t.Fatalf("Create: %d %s", status, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/soap+xml;charset=UTF-8" {
		w.t.Fatalf("Content-Type %q", ct)
	}
	mustContain(w.t, body, "<a:Action>"+xfer+"/CreateResponse</a:Action>", "<a:RelatesTo>"+id+"</a:RelatesTo>")
	sel := regexp.MustCompile(`<w:Selector Name="ShellId">([0-9A-F-]{36})</w:Selector>`).FindStringSubmatch(body)
	rsp := regexp.MustCompile(`<rsp:ShellId>([0-9A-F-]{36})</rsp:ShellId>`).FindStringSubmatch(body)
	if sel == nil || rsp == nil || sel[1] != rsp[1] {
		w.t.Fatalf("CreateResponse must carry the shell id in both forms: %s", body)
	}
	return sel[1]
}

func (w *wire) command(shell, line string) string {
	env, _ := w.envelope(shellNS+"/Command", shell, "", `<rsp:CommandLine><rsp:Command><![CDATA[`+line+`]]></rsp:Command></rsp:CommandLine>`)
	status, _, body := w.do(env, nil)
	if status != 200 {
		w.t.Fatalf("Command: %d %s", status, body)
	}
	mustContain(w.t, body, "<a:Action>"+shellNS+"/CommandResponse</a:Action>")
	m := regexp.MustCompile(`<rsp:CommandId>([0-9A-F-]{36})</rsp:CommandId>`).FindStringSubmatch(body)
	if m == nil {
		w.t.Fatalf("no CommandId: %s", body)
	}
	return m[1]
}

func (w *wire) receive(shell, cmd, timeout string) (int, string) {
	env, _ := w.envelope(shellNS+"/Receive", shell, timeout, `<rsp:Receive><rsp:DesiredStream CommandId="`+cmd+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`)
	status, _, body := w.do(env, nil)
	return status, body
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("%q not in:\n%s", sub, s)
		}
	}
}

func streams(body, name string) string {
	var out bytes.Buffer
	re := regexp.MustCompile(`<rsp:Stream Name="` + name + `" CommandId="[^"]+">([^<]*)</rsp:Stream>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		b, _ := base64.StdEncoding.DecodeString(m[1])
		out.Write(b)
	}
	return out.String()
}

func TestProtocolShellLifecycle(t *testing.T) {
	w := newWire(t, nil)
	shell := w.create()
	cmd := w.command(shell, "hostname")
	status, body := w.receive(shell, cmd, "")
	if status != 200 {
		t.Fatalf("Receive: %d %s", status, body)
	}
	mustContain(t, body, `State="`+shellNS+`/CommandState/Done"`, "<rsp:ExitCode>0</rsp:ExitCode>", `End="true"`)
	if got := streams(body, "stdout"); got != "LS01\r\n" {
		t.Fatalf("stdout %q", got)
	}
	// An empty End=true Send after Done is accepted (masterzen sends one).
	env, _ := w.envelope(shellNS+"/Send", shell, "", `<rsp:Send><rsp:Stream Name="stdin" CommandId="`+cmd+`" End="true"/></rsp:Send>`)
	if status, _, body := w.do(env, nil); status != 200 || !strings.Contains(body, "SendResponse") {
		t.Fatalf("late Send: %d %s", status, body)
	}
	// Signal twice (masterzen does after a cancellation), then Delete.
	for i := 0; i < 2; i++ {
		env, id := w.envelope(shellNS+"/Signal", shell, "", `<rsp:Signal CommandId="`+cmd+`"><rsp:Code>`+shellNS+`/signal/terminate</rsp:Code></rsp:Signal>`)
		status, _, body := w.do(env, nil)
		if status != 200 {
			t.Fatalf("Signal %d: %d %s", i, status, body)
		}
		mustContain(t, body, shellNS+"/SignalResponse", "<a:RelatesTo>"+id+"</a:RelatesTo>")
	}
	env, id := w.envelope(xfer+"/Delete", shell, "", "")
	if status, _, body := w.do(env, nil); status != 200 || !strings.Contains(body, xfer+"/DeleteResponse") || !strings.Contains(body, id) {
		t.Fatalf("Delete: %d %s", status, body)
	}
	// The shell is gone: every request naming it faults.
	env, _ = w.envelope(xfer+"/Delete", shell, "", "")
	status, _, body = w.do(env, nil)
	if status != 500 {
		t.Fatalf("Delete of a deleted shell: %d", status)
	}
	mustContain(t, body, "w:InvalidSelectors", `Code="2150858843"`, "the shell was not found on the server", "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault")
}

func TestProtocolReceiveLongPollTimesOut(t *testing.T) {
	// Without OperationTimeout and ReceivePollMS, a Receive would wait an
	// hour (MaxTimeoutms): an answer at all shows which one ended it, with
	// no upper bound on the time, which a busy machine stretches.
	w := newWire(t, func(st *winsim.HostState) {
		st.Realism.ReceivePollMS = 0
		st.WinRM.MaxTimeoutMS = 3_600_000
	})
	w.http.Timeout = 5 * time.Minute
	shell := w.create()
	// The bootstrap waits for stdin: no output.
	cmd := w.command(shell, `powershell.exe -EncodedCommand `+encodeUTF16("# rdslicensing-bootstrap 1\n"))
	start := time.Now()
	status, body := w.receive(shell, cmd, "PT0.200S")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("Receive answered after %v, before the 0.2 s OperationTimeout", d)
	}
	if status != 500 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, body, "w:TimedOut", `Code="2150858793"`, "OperationTimeout", "s:Receiver")
	// ReceivePollMS caps a longer OperationTimeout.
	w.h.Update(func(st *winsim.HostState) { st.Realism.ReceivePollMS = 300 })
	start = time.Now()
	status, _ = w.receive(shell, cmd, "PT3600S")
	if d := time.Since(start); status != 500 || d < 250*time.Millisecond {
		t.Fatalf("status %d after %v, want a fault after the 0.3 s ReceivePollMS", status, d)
	}
}

// Output larger than the client's MaxEnvelopeSize comes over several
// Receives, each response within the limit and the stream cut anywhere.
func TestProtocolReceiveSplitsOutputToMaxEnvelopeSize(t *testing.T) {
	w := newWire(t, nil)
	shell := w.create()
	text := strings.Repeat("0123456789", 800)
	cmd := w.command(shell, "echo "+text)
	var got strings.Builder
	receives := 0
	for done := false; !done; {
		if receives++; receives > 10 {
			t.Fatalf("no Done after %d Receives; stdout so far %d bytes", receives-1, got.Len())
		}
		env, _ := w.envelope(shellNS+"/Receive", shell, "", `<rsp:Receive><rsp:DesiredStream CommandId="`+cmd+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`)
		env = strings.Replace(env, ">153600</w:MaxEnvelopeSize>", ">8192</w:MaxEnvelopeSize>", 1)
		status, _, body := w.do(env, nil)
		if status != 200 {
			t.Fatalf("Receive %d: %d %s", receives, status, body)
		}
		if len(body) > 8192 {
			t.Fatalf("Receive %d answered %d bytes; the client's MaxEnvelopeSize is 8192", receives, len(body))
		}
		got.WriteString(streams(body, "stdout"))
		done = strings.Contains(body, `State="`+shellNS+`/CommandState/Done"`)
	}
	if got.String() != text+"\r\n" {
		t.Fatalf("stdout reassembled from %d Receives is %d bytes, want %d", receives, got.Len(), len(text)+2)
	}
	if receives < 2 {
		t.Fatalf("%d Receive for %d bytes of output", receives, got.Len())
	}
}

func encodeUTF16(s string) string {
	b := make([]byte, 0, 2*len(s))
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestProtocolDurations(t *testing.T) {
	w := newWire(t, nil)
	shell := w.create()
	cmd := w.command(shell, `powershell.exe -EncodedCommand `+encodeUTF16("# rdslicensing-bootstrap 1\n"))
	for _, d := range []string{"PT0.2S", "PT0.200S", "PT1S", "PT0M1S"} {
		if status, body := w.receive(shell, cmd, d); status != 500 || !strings.Contains(body, "w:TimedOut") {
			t.Fatalf("%s: %d %s", d, status, body)
		}
	}
	status, body := w.receive(shell, cmd, "sixty seconds")
	if status != 500 {
		t.Fatalf("bad duration: %d", status)
	}
	mustContain(t, body, `Code="2150858767"`, "invalid timeout")
}

func TestProtocolHTTPErrors(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) { st.WinRM.MaxEnvelopeSizeKB = 4 })
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)

	req, _ := http.NewRequest(http.MethodGet, w.url, nil)
	resp, err := w.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" || resp.Header.Get("Server") != "Microsoft-HTTPAPI/2.0" {
		t.Fatalf("GET: %d Allow=%q Server=%q", resp.StatusCode, resp.Header.Get("Allow"), resp.Header.Get("Server"))
	}
	// Wrong password: 401, Negotiate offered first (gokrb5 reads only the first).
	status, hdr, _ := w.do(env, map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("Administrator:nope"))})
	if status != 401 || strings.Join(hdr.Values("WWW-Authenticate"), "|") != `Negotiate|Basic realm="WSMAN"` || hdr.Get("Content-Length") != "0" {
		t.Fatalf("bad password: %d %v", status, hdr)
	}
	if status, _, _ := w.do(env, map[string]string{"Authorization": ""}); status != 401 {
		t.Fatalf("no credentials: %d", status)
	}
	if status, _, _ := w.do(env, map[string]string{"Content-Type": "text/plain"}); status != 415 {
		t.Fatalf("wrong content type: %d", status)
	}
	big := strings.Replace(env, "<rsp:Shell/>", "<rsp:Shell>"+strings.Repeat(" ", 5000)+"</rsp:Shell>", 1)
	if status, _, body := w.do(big, nil); status != 413 || body != "" {
		t.Fatalf("envelope over MaxEnvelopeSizekb: %d %q", status, body)
	}
	if status, _, body := w.do(env, nil); status != 200 {
		t.Fatalf("Create: %d %s", status, body)
	}
}

// The NTLM CHALLENGE reports the host's own Windows build.
func TestProtocolNTLMChallengeVersionIsTheHostsBuild(t *testing.T) {
	for os, build := range map[string]uint16{"2016": 14393, "2019": 17763, "2022": 20348, "2025": 26100} {
		w := newWire(t, func(st *winsim.HostState) { st.OS = os })
		neg := []byte("NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\x02" + strings.Repeat("\x00", 16)) // UNICODE|OEM|REQUEST_TARGET|NTLM|ESS|VERSION
		env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
		status, hdr, _ := w.do(env, map[string]string{"Authorization": "Negotiate " + base64.StdEncoding.EncodeToString(neg)})
		tok, ok := strings.CutPrefix(hdr.Get("WWW-Authenticate"), "Negotiate ")
		challenge, err := base64.StdEncoding.DecodeString(tok)
		if status != 401 || !ok || err != nil || len(challenge) < 56 {
			t.Fatalf("%s: %d %v", os, status, hdr)
		}
		v := challenge[48:56]
		if got := uint16(v[2]) | uint16(v[3])<<8; v[0] != 10 || v[1] != 0 || got != build || v[7] != 15 {
			t.Errorf("Windows Server %s: CHALLENGE version % x, want 10.0.%d revision 15", os, v, build)
		}
	}
}

// The CreateResponse advertises the host's Winrs IdleTimeout.
func TestProtocolCreateAdvertisesIdleTimeout(t *testing.T) {
	for ms, want := range map[int]string{7200000: "PT7200.000S", 180000: "PT180.000S", 60500: "PT60.500S"} {
		w := newWire(t, func(st *winsim.HostState) { st.WinRM.IdleTimeoutMS = ms })
		env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
		status, _, body := w.do(env, nil)
		if status != 200 {
			t.Fatalf("Create: %d %s", status, body)
		}
		mustContain(t, body, "<rsp:IdleTimeOut>"+want+"</rsp:IdleTimeOut>")
	}
}

// With Kerberos enabled a domain member offers it after Negotiate (which
// stays first); a token that is no AP-REQ gets the bare 401.
func TestProtocolKerberosIsOfferedOnDomainMembers(t *testing.T) {
	for _, tc := range []struct{ domain, want string }{
		{"contoso.com", `Negotiate|Kerberos|Basic realm="WSMAN"`},
		{"", `Negotiate|Basic realm="WSMAN"`},
	} {
		w := newWire(t, func(st *winsim.HostState) { st.Domain, st.WinRM.Kerberos = tc.domain, true })
		env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
		status, hdr, _ := w.do(env, map[string]string{"Authorization": "Kerberos YIIBdgYJKoZIhvcSAQICAQBuggFl"})
		if got := strings.Join(hdr.Values("WWW-Authenticate"), "|"); status != 401 || got != tc.want {
			t.Errorf("domain %q: %d %s, want 401 %s", tc.domain, status, got, tc.want)
		}
	}
}

func TestProtocolQuotas(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) { st.WinRM.MaxShellsPerUser = 2 })
	w.create()
	w.create()
	env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	status, _, body := w.do(env, nil)
	if status != 500 {
		t.Fatalf("third shell: %d", status)
	}
	mustContain(t, body, "w:QuotaLimit", `Code="2150859173"`, "maximum number of 2 concurrent shells")
}

// Creates that arrive together cannot exceed MaxShellsPerUser, however
// long each takes to start its shell.
func TestProtocolShellQuotaUnderConcurrentCreates(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) {
		st.WinRM.MaxShellsPerUser = 2
		st.Realism.ShellCreateMS = 200
	})
	const n = 6
	envs := make([]string, n)
	for i := range envs {
		envs[i], _ = w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
	}
	statuses := make(chan int, n)
	for _, env := range envs {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, w.url, strings.NewReader(env))
			req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
			req.SetBasicAuth("Administrator", winsim.DefaultPassword)
			resp, err := w.http.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			_ = resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	created := 0
	for range n {
		switch s := <-statuses; s {
		case 200:
			created++
		case 500:
		default:
			t.Errorf("Create answered %d", s)
		}
	}
	if created != 2 || len(w.h.Shells()) != 2 {
		t.Fatalf("%d Creates succeeded and %d shells are open; the quota is 2", created, len(w.h.Shells()))
	}
}

func TestProtocolConcurrentOperationsQuota(t *testing.T) {
	// The Receive long-polls for an hour: it is in flight until the test
	// cancels it.
	w := newWire(t, func(st *winsim.HostState) {
		st.WinRM.MaxConcurrentOperationsPerUser = 1
		st.Realism.ReceivePollMS = 0
		st.WinRM.MaxTimeoutMS = 3_600_000
	})
	shell := w.create()
	cmd := w.command(shell, `powershell.exe -EncodedCommand `+encodeUTF16("# rdslicensing-bootstrap 1\n"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	receive := func() chan struct{} {
		done := make(chan struct{})
		env, _ := w.envelope(shellNS+"/Receive", shell, "PT3600S", `<rsp:Receive><rsp:DesiredStream CommandId="`+cmd+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, strings.NewReader(env))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
		req.SetBasicAuth("Administrator", winsim.DefaultPassword)
		go func() {
			defer close(done)
			if resp, err := w.http.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}()
		return done
	}
	// Creates until one meets the Receive in flight (no sleep: a Create
	// sent before the Receive arrives just succeeds; one that arrives
	// first refuses the Receive, which is sent again).
	done := receive()
	var status int
	var body string
	for i := 0; status != 500; i++ {
		if i == 1000 {
			t.Fatalf("no Create out of 1000 met the Receive in flight; the last answered %d", status)
		}
		select {
		case <-done:
			done = receive()
		default:
		}
		env, _ := w.envelope(xfer+"/Create", "", "", `<rsp:Shell/>`)
		status, _, body = w.do(env, nil)
	}
	cancel()
	<-done
	mustContain(t, body, `Code="2150859174"`, "maximum number of 1 concurrent operations")
}

func TestProtocolCommandLineLimits(t *testing.T) {
	w := newWire(t, nil)
	shell := w.create()
	cmd := w.command(shell, "echo "+strings.Repeat("a", 8200))
	_, body := w.receive(shell, cmd, "")
	if got := streams(body, "stdout"); got != "The command line is too long.\r\n" {
		t.Fatalf("stdout %q", got)
	}
	mustContain(t, body, "<rsp:ExitCode>1</rsp:ExitCode>")
	env, _ := w.envelope(shellNS+"/Command", shell, "", `<rsp:CommandLine><rsp:Command>echo `+strings.Repeat("a", 33000)+`</rsp:Command></rsp:CommandLine>`)
	status, _, body := w.do(env, nil)
	if status != 500 {
		t.Fatalf("over 32767: %d", status)
	}
	mustContain(t, body, `Code="2147942606"`, "The filename or extension is too long", "ProviderFault")
}

// cmd.exe's 8191 limit counts characters (UTF-16 units), not bytes.
func TestProtocolCommandLineLimitCountsCharacters(t *testing.T) {
	w := newWire(t, nil)
	shell := w.create()
	text := strings.Repeat("é", 8186) // "echo " + 8186 = 8191 characters, 16377 bytes in UTF-8
	_, body := w.receive(shell, w.command(shell, "echo "+text), "")
	if got := streams(body, "stdout"); got != text+"\r\n" {
		t.Fatalf("8191 characters: stdout %.60q... (%d bytes)", got, len(got))
	}
	// Outside the BMP a character is two UTF-16 units: 4094 of them are over the limit.
	_, body = w.receive(shell, w.command(shell, "echo "+strings.Repeat("😀", 4094)), "")
	if got := streams(body, "stdout"); got != "The command line is too long.\r\n" {
		t.Fatalf("8193 UTF-16 units: stdout %.60q", got)
	}
}

func TestProtocolUnknownCommand(t *testing.T) {
	w := newWire(t, nil)
	shell := w.create()
	cmd := w.command(shell, "ipconfig /all")
	_, body := w.receive(shell, cmd, "")
	if got := streams(body, "stderr"); got != "'ipconfig' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n" {
		t.Fatalf("stderr %q", got)
	}
	mustContain(t, body, "<rsp:ExitCode>1</rsp:ExitCode>")
}

func TestProtocolOtherUsersShellIsNotFound(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) {
		st.Users = append(st.Users, winsim.User{Name: "admin2", Password: "Adm1n2-pw", Admin: true})
	})
	shell := w.create()
	env, _ := w.envelope(xfer+"/Delete", shell, "", "")
	status, _, body := w.do(env, map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("admin2:Adm1n2-pw"))})
	if status != 500 || !strings.Contains(body, "2150858843") {
		t.Fatalf("another user's shell: %d %s", status, body)
	}
}

func TestProtocolIdleShellsExpire(t *testing.T) {
	w := newWire(t, func(st *winsim.HostState) { st.WinRM.IdleTimeoutMS = 200 })
	shell := w.create()
	time.Sleep(300 * time.Millisecond)
	// The next request sweeps: the idle shell is gone.
	w.create()
	env, _ := w.envelope(xfer+"/Delete", shell, "", "")
	if status, _, _ := w.do(env, nil); status != 500 {
		t.Fatalf("idle shell still there: %d", status)
	}
	// The sweep removed the idle shell (the new one may be idle too on a
	// busy machine: only the old one is checked).
	for _, sh := range w.h.Shells() {
		if sh.ID == shell {
			t.Fatalf("idle shell %s still listed", shell)
		}
	}
	_ = strconv.Itoa
}
