package winsim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

// FuzzWSManRequest sends one SOAP request to a host's WinRM handler, as an
// authenticated administrator, on a host that already has a shell and a
// running powershell.exe: "{shell}" and "{command}" in the input stand for
// their ids, so that Command, Send, Receive, Signal and Delete reach them.
// Whatever the request, the answer is a SOAP envelope (a fault for a bad
// request), never a panic.
func FuzzWSManRequest(f *testing.F) {
	for _, seed := range wsmanSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		srv, h := fuzzWSManHost(t)
		defer endShells(h)
		shell, command := fuzzShell(t, srv, h)
		body = strings.NewReplacer("{shell}", shell, "{command}", command).Replace(body)
		status, reply := fuzzPost(srv, h, body)
		switch status {
		case http.StatusOK, http.StatusInternalServerError:
		case http.StatusRequestEntityTooLarge:
			return
		default:
			t.Fatalf("HTTP %d for a request to /wsman: %q", status, reply)
		}
		var env struct {
			XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
			Body    struct {
				Inner []byte `xml:",innerxml"`
				Fault *struct {
					Reason string `xml:"Reason>Text"`
				} `xml:"http://www.w3.org/2003/05/soap-envelope Fault"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
		}
		if err := xml.Unmarshal([]byte(reply), &env); err != nil {
			t.Fatalf("HTTP %d with a body that is not a SOAP envelope (%v): %q", status, err, reply)
		}
		if (status == http.StatusInternalServerError) != (env.Body.Fault != nil) {
			t.Fatalf("HTTP %d, fault %v: %q", status, env.Body.Fault != nil, reply)
		}
	})
}

// fuzzWSManHost is a license server whose Receive long-polls for 5 ms at
// most, so that a Receive on the running command returns at once.
func fuzzWSManHost(t testing.TB) (*server, *Host) {
	st := NewLicenseServerHost("LS01", "2022", "")
	st.Quirks.ProgressNoise = false
	st.Realism.ReceivePollMS = 5
	sim, err := New(Scenario{Hosts: []HostState{st}})
	if err != nil {
		t.Fatal(err)
	}
	return &server{sim: sim, timeouts: HTTPTimeouts{}.withDefaults()}, sim.Host("LS01")
}

// endShells ends the host's shells and the processes in them.
func endShells(h *Host) {
	h.rt.mu.Lock()
	shells := h.rt.shells
	h.rt.shells = map[string]*shell{}
	h.rt.mu.Unlock()
	for _, sh := range shells {
		sh.terminate()
	}
}

// fuzzPost sends a request over HTTPS with Basic authentication, as the
// provider does with use_ntlm = false.
func fuzzPost(srv *server, h *Host, body string) (int, string) {
	r := httptest.NewRequest(http.MethodPost, "https://ls01:5986/wsman", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	r.SetBasicAuth("Administrator", DefaultPassword)
	cs := &connState{host: h, tls: true, remote: "192.0.2.10:50123"}
	r = r.WithContext(context.WithValue(r.Context(), connKey{}, cs))
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

var (
	shellIDRE   = regexp.MustCompile(`<rsp:ShellId>([0-9A-F-]{36})</rsp:ShellId>`)
	commandIDRE = regexp.MustCompile(`<rsp:CommandId>([0-9A-F-]{36})</rsp:CommandId>`)
)

// fuzzShell creates a shell and starts the provider's powershell.exe in it.
func fuzzShell(t testing.TB, srv *server, h *Host) (shell, command string) {
	_, reply := fuzzPost(srv, h, wsmanEnvelope(actionCreate, "", "PT60S",
		`<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`))
	m := shellIDRE.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("Create: %s", reply)
	}
	shell = m[1]
	_, reply = fuzzPost(srv, h, wsmanEnvelope(actionCommand, shell, "PT60S",
		`<rsp:CommandLine><rsp:Command>`+powershellLine()+`</rsp:Command></rsp:CommandLine>`))
	m = commandIDRE.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("Command: %s", reply)
	}
	return shell, m[1]
}

// powershellLine is the command line winrmclient starts: the bootstrap,
// UTF-16LE and base64 as -EncodedCommand takes it.
func powershellLine() string {
	u := utf16.Encode([]rune(bootstrapHeader + "\n$null = 1\n"))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + base64.StdEncoding.EncodeToString(b)
}

// wsmanEnvelope writes a request as masterzen/winrm does.
func wsmanEnvelope(action, shell, timeout, body string) string {
	sel := ""
	if shell != "" {
		sel = `<w:SelectorSet><w:Selector Name="ShellId">` + shell + `</w:Selector></w:SelectorSet>`
	}
	return `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
		`<env:Header><a:To>https://ls01:5986/wsman</a:To><a:ReplyTo><a:Address mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>` +
		`<w:MaxEnvelopeSize mustUnderstand="true">153600</w:MaxEnvelopeSize><w:OperationTimeout>` + timeout + `</w:OperationTimeout>` +
		`<a:MessageID>uuid:5C4E8A3D-1B0F-4C3A-9E2D-7F6B5A4C3D2E</a:MessageID><w:Locale mustUnderstand="false" xml:lang="en-US"/>` +
		`<a:Action mustUnderstand="true">` + action + `</a:Action>` + sel +
		`<w:ResourceURI mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>` +
		`<w:OptionSet><w:Option Name="WINRS_NOPROFILE">TRUE</w:Option><w:Option Name="WINRS_CODEPAGE">65001</w:Option></w:OptionSet></env:Header><env:Body>` + body + `</env:Body></env:Envelope>`
}

// wsmanSeeds are the requests of a provider session (masterzen/winrm's
// envelopes) and of pywinrm, with the stdin winrmclient sends.
func wsmanSeeds() []string {
	line := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.StdEncoding.EncodeToString(b)
	}
	stdin := base64.StdEncoding.EncodeToString([]byte(
		base64.StdEncoding.EncodeToString([]byte(preludeHeader+"\n")) + "\r\n" +
			line(map[string]any{"id": "1", "script": "# operation: get_host_info\n", "input": map[string]any{}}) + "\r\n"))
	return []string{
		wsmanEnvelope(actionCreate, "", "PT60S", `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`),
		wsmanEnvelope(actionCommand, "{shell}", "PT60S", `<rsp:CommandLine><rsp:Command><![CDATA[hostname]]></rsp:Command><rsp:Arguments>/all</rsp:Arguments></rsp:CommandLine>`),
		wsmanEnvelope(actionSend, "{shell}", "PT60S", `<rsp:Send><rsp:Stream Name="stdin" CommandId="{command}">`+stdin+`</rsp:Stream></rsp:Send>`),
		wsmanEnvelope(actionSend, "{shell}", "PT60S", `<rsp:Send><rsp:Stream Name="stdin" CommandId="{command}" End="true"></rsp:Stream></rsp:Send>`),
		wsmanEnvelope(actionReceive, "{shell}", "PT20S", `<rsp:Receive><rsp:DesiredStream CommandId="{command}">stdout stderr</rsp:DesiredStream></rsp:Receive>`),
		wsmanEnvelope(actionSignal, "{shell}", "PT60S", `<rsp:Signal CommandId="{command}"><rsp:Code>`+signalTerminate+`</rsp:Code></rsp:Signal>`),
		wsmanEnvelope(actionDelete, "{shell}", "PT1M30.5S", ``),
		wsmanEnvelope(actionReceive, "{shell}", "P1DT", `<rsp:Receive><rsp:DesiredStream CommandId="00000000-0000-0000-0000-000000000000">stdout</rsp:DesiredStream></rsp:Receive>`),
		// pywinrm's prefixes; WS-Identify.
		`<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><env:Header><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive</a:Action><w:SelectorSet><w:Selector Name="ShellId">{shell}</w:Selector></w:SelectorSet><w:OperationTimeout>PT20S</w:OperationTimeout></env:Header><env:Body><rsp:Receive><rsp:DesiredStream CommandId="{command}">stdout stderr</rsp:DesiredStream></rsp:Receive></env:Body></env:Envelope>`,
		`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`,
	}
}
