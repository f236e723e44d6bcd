package winrmclient

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// WS-Management fault codes the client acts on.
const (
	FaultCodeTimedOut        = 2150858793 // Receive: no output within OperationTimeout
	FaultCodeShellNotFound   = 2150858843 // the shell is gone (idle timeout, restart)
	FaultCodeQuotaShells     = 2150859173 // MaxShellsPerUser
	FaultCodeQuotaOperations = 2150859174 // MaxConcurrentOperationsPerUser
	FaultCodeQuotaUser       = 2150859175
	FaultCodeQuotaSystem     = 2150859176
	FaultCodeQuotaShellUsers = 2150859179
	FaultCodeAccessDenied    = 5
)

// Fault is a WS-Management fault the host answered.
type Fault struct {
	Code    int64  // WSManFault Code (an HRESULT or a Win32 error)
	Subcode string // e.g. w:TimedOut
	Reason  string
	// Message is the detail's text (f:Message, MSFT_WmiError Message).
	// Windows often puts a generic sentence in Reason and the cause in it:
	// which command id is unknown, how many shells are allowed.
	Message string
}

func (f *Fault) Error() string {
	return fmt.Sprintf("WS-Management fault %s (%d): %s", f.Subcode, f.Code, f.text())
}

// text is what users read: the detail's message, else the Reason.
func (f *Fault) text() string {
	if f.Message != "" {
		return f.Message
	}
	return f.Reason
}

type faultEnvelope struct {
	Body struct {
		Fault *struct {
			Code struct {
				Value   string `xml:"Value"`
				Subcode struct {
					Value string `xml:"Value"`
				} `xml:"Subcode"`
			} `xml:"Code"`
			Reason struct {
				Text string `xml:"Text"`
			} `xml:"Reason"`
			Detail struct {
				WSManFault *struct {
					Code    int64  `xml:"Code,attr"`
					Message string `xml:",innerxml"`
				} `xml:"WSManFault"`
				WMIError *struct {
					Code    int64  `xml:"error_Code"`
					Message string `xml:"Message"`
				} `xml:"MSFT_WmiError"`
			} `xml:"Detail"`
		} `xml:"Fault"`
	} `xml:"Body"`
}

// parseFault reads a SOAP fault; nil when body is not one.
func parseFault(body []byte) *Fault {
	if !bytes.Contains(body, []byte("Fault")) {
		return nil
	}
	var env faultEnvelope
	// A body that is not XML is no fault; the caller reports the status.
	if err := xml.Unmarshal(body, &env); err != nil || env.Body.Fault == nil {
		return nil //nolint:nilerr // not a fault, not an error here
	}
	fe := env.Body.Fault
	f := &Fault{Subcode: strings.TrimSpace(fe.Code.Subcode.Value), Reason: strings.TrimSpace(fe.Reason.Text)}
	if w := fe.Detail.WSManFault; w != nil {
		f.Code = w.Code
		f.Message = stripTags(w.Message)
	}
	if w := fe.Detail.WMIError; w != nil && f.Code == 0 {
		f.Code = w.Code
		f.Message = strings.TrimSpace(w.Message)
	}
	return f
}

func stripTags(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '<':
			depth++
		case r == '>' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// asError classifies a fault.
func (f *Fault) asError(host string) *Error {
	e := &Error{Kind: KindProtocol, Host: host, Code: f.Code, Message: f.text(), cause: f}
	switch f.Code {
	case FaultCodeQuotaShells:
		e.Kind = KindQuota
		e.Message += " Lower parallelism (terraform -parallelism, max_connections_per_host) or raise the quota: winrm set winrm/config/winrs @{MaxShellsPerUser=\"30\"}."
	case FaultCodeQuotaOperations, FaultCodeQuotaUser, FaultCodeQuotaSystem, FaultCodeQuotaShellUsers:
		e.Kind = KindQuota
		e.Message += " Lower parallelism (terraform -parallelism, max_connections_per_host) or raise the WinRM quotas."
	case FaultCodeAccessDenied:
		e.Kind = KindAccessDenied
		// Remote Management Users is not enough: the cmd shell admits
		// administrators only (pywinrm issue 336).
		e.Message = "WinRM denied access: the account must be a local administrator of the host; Remote Management Users may use WinRM but not the cmd shell the provider runs its scripts in (" + e.Message + ")"
	case FaultCodeShellNotFound, FaultCodeTimedOut:
		e.Kind = KindTransport
	}
	return e
}

// soapAction is the short name of a request's action, for logs.
func soapAction(msg []byte) string {
	i := bytes.Index(msg, []byte("Action"))
	if i < 0 {
		return ""
	}
	rest := msg[i:]
	start := bytes.IndexByte(rest, '>')
	end := bytes.Index(rest, []byte("</"))
	if start < 0 || end < start {
		return ""
	}
	a := string(rest[start+1 : end])
	return a[strings.LastIndex(a, "/")+1:]
}
