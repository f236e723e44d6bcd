package winsim

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// XML namespaces of the WS-Management shell protocol (MS-WSMV).
const (
	nsSOAP      = "http://www.w3.org/2003/05/soap-envelope"
	nsAddress   = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsWSMan     = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsMSWSMan   = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsShell     = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsTransfer  = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsWSManFlt  = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	nsEventing  = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
	nsEnumerate = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	nsIdentity  = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"

	resourceCmd = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	anonymous   = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

	actionCreate    = nsTransfer + "/Create"
	actionDelete    = nsTransfer + "/Delete"
	actionCommand   = nsShell + "/Command"
	actionSend      = nsShell + "/Send"
	actionReceive   = nsShell + "/Receive"
	actionSignal    = nsShell + "/Signal"
	actionFault     = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	stateDone       = nsShell + "/CommandState/Done"
	stateRunning    = nsShell + "/CommandState/Running"
	signalTerminate = nsShell + "/signal/terminate"
)

// WS-Management fault codes (HRESULTs, written as unsigned decimals).
const (
	codeTimedOut           = 2150858793 // ERROR_WSMAN_OPERATION_TIMEDOUT
	codeShellNotFound      = 2150858843 // ERROR_WSMAN_UNEXPECTED_SELECTORS
	codeQuotaMaxShells     = 2150859173 // ERROR_WSMAN_QUOTA_MAX_SHELLS
	codeQuotaMaxOperations = 2150859174 // ERROR_WSMAN_QUOTA_MAX_OPERATIONS
	codeAccessDenied       = 5          // ERROR_ACCESS_DENIED
	codeFilenameTooLong    = 2147942606 // ERROR_FILENAME_EXCED_RANGE (CreateProcess limit)
	codeInvalidTimeout     = 2150858767 // ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER
	codeActionNotSupported = 2150858754 // ERROR_WSMAN_ACTION_NOT_SUPPORTED
	codeInvalidParameter   = 87         // ERROR_INVALID_PARAMETER
	codeSchemaValidation   = 2150858817 // ERROR_WSMAN_SCHEMA_VALIDATION_ERROR
	codeResourceNotFound   = 2150858752 // ERROR_WSMAN_RESOURCE_NOT_FOUND
	codeInjected           = 2150858770 // default of faults a test injects
)

type selector struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type option struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type stream struct {
	Name      string `xml:"Name,attr"`
	CommandID string `xml:"CommandId,attr"`
	End       string `xml:"End,attr"`
	Data      string `xml:",chardata"`
}

// request is the part of a WS-Management request winsim reads.
type request struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Action           string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
		MessageID        string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
		ResourceURI      string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd ResourceURI"`
		OperationTimeout string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OperationTimeout"`
		MaxEnvelopeSize  string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxEnvelopeSize"`
		SelectorSet      struct {
			Selectors []selector `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Selector"`
		} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd SelectorSet"`
		OptionSet struct {
			Options []option `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Option"`
		} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OptionSet"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		Shell *struct {
			InputStreams  string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell InputStreams"`
			OutputStreams string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell OutputStreams"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Shell"`
		CommandLine *struct {
			Command   string   `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Command"`
			Arguments []string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Arguments"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell CommandLine"`
		Send *struct {
			Streams []stream `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Stream"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Send"`
		Receive *struct {
			DesiredStream struct {
				CommandID string `xml:"CommandId,attr"`
				Streams   string `xml:",chardata"`
			} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell DesiredStream"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Receive"`
		Identify *struct{} `xml:"http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd Identify"`
		Signal   *struct {
			CommandID string `xml:"CommandId,attr"`
			Code      string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Code"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Signal"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

func parseRequest(body []byte) (*request, error) {
	var r request
	if err := xml.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *request) selector(name string) string {
	for _, s := range r.Header.SelectorSet.Selectors {
		if strings.EqualFold(s.Name, name) {
			return strings.TrimSpace(s.Value)
		}
	}
	return ""
}

func (r *request) option(name string) (string, bool) {
	for _, o := range r.Header.OptionSet.Options {
		if strings.EqualFold(o.Name, name) {
			return strings.TrimSpace(o.Value), true
		}
	}
	return "", false
}

var durationRE = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseDuration reads the ISO 8601 durations clients put in
// OperationTimeout: PT60S, PT20S, PT60.000S, PT5M0S, PT1M30S, PT1H.
func parseDuration(s string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || s == "P" || s == "PT" {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	var d time.Duration
	units := []time.Duration{24 * time.Hour, time.Hour, time.Minute}
	for i, u := range units {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * u
		}
	}
	if m[4] != "" {
		f, _ := strconv.ParseFloat(m[4], 64)
		d += time.Duration(f * float64(time.Second))
	}
	return d, nil
}

// newUUID returns an upper-case GUID, as Windows writes shell and command ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelope wraps a response body in the headers Windows sends.
func envelope(action, relatesTo, body string) []byte {
	var b strings.Builder
	b.WriteString(`<s:Envelope xml:lang="en-US" xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddress + `" xmlns:x="` + nsTransfer +
		`" xmlns:w="` + nsWSMan + `" xmlns:rsp="` + nsShell + `" xmlns:p="` + nsMSWSMan + `">`)
	b.WriteString(`<s:Header><a:Action>` + action + `</a:Action><a:MessageID>uuid:` + newUUID() + `</a:MessageID><a:To>` + anonymous + `</a:To>`)
	if relatesTo != "" {
		b.WriteString(`<a:RelatesTo>` + xmlEscape(relatesTo) + `</a:RelatesTo>`)
	}
	b.WriteString(`</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`)
	return []byte(b.String())
}

// wsFault is a WS-Management fault as Windows sends it (HTTP 500).
type wsFault struct {
	Code    string // s:Sender or s:Receiver
	Subcode string // e.g. w:TimedOut
	Reason  string
	WSMCode int64
	// Message is the f:Message text when Windows puts a more specific one
	// there than in s:Reason; empty means the Reason.
	Message string
	// Detail is a w:FaultDetail URI, written before the WSManFault.
	Detail string
	// Provider, when set, wraps the message in an f:ProviderFault (shell plugin errors).
	Provider bool
}

func (f *wsFault) Error() string { return fmt.Sprintf("%s (%d)", f.Reason, f.WSMCode) }

func (f *wsFault) xml(relatesTo, machine string) []byte {
	msg := xmlEscape(f.Reason)
	if f.Message != "" {
		msg = xmlEscape(f.Message)
	}
	if f.Provider {
		msg = `<f:ProviderFault provider="Shell cmd plugin" path="%systemroot%\system32\winrscmd.dll">` + msg + `</f:ProviderFault>`
	}
	detail := ""
	if f.Detail != "" {
		detail = `<w:FaultDetail>` + f.Detail + `</w:FaultDetail>`
	}
	body := `<s:Fault><s:Code><s:Value>` + f.Code + `</s:Value><s:Subcode><s:Value>` + f.Subcode + `</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">` + xmlEscape(f.Reason) + `</s:Text></s:Reason>` +
		`<s:Detail>` + detail + `<f:WSManFault xmlns:f="` + nsWSManFlt + `" Code="` + strconv.FormatInt(f.WSMCode, 10) + `" Machine="` + xmlEscape(machine) + `">` +
		`<f:Message>` + msg + `</f:Message></f:WSManFault></s:Detail></s:Fault>`
	out := envelope(actionFault, relatesTo, body)
	// Fault envelopes declare the eventing and enumeration namespaces too.
	return bytes.Replace(out, []byte(`xmlns:p="`+nsMSWSMan+`"`), []byte(`xmlns:p="`+nsMSWSMan+`" xmlns:e="`+nsEventing+`" xmlns:n="`+nsEnumerate+`"`), 1)
}

// The fault constructors. Each is a fact of internal/winfacts
// (WSManFaults, by the name in wsFaults); fault_facts_test.go fails for a
// constructor missing from wsFaults and for a fault that is not a fact.

func faultTimedOut() *wsFault {
	return &wsFault{Code: "s:Receiver", Subcode: "w:TimedOut", WSMCode: codeTimedOut,
		Reason: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "}
}

// Windows gives InvalidSelectors a generic Reason and an UnexpectedSelectors
// FaultDetail; the specific text is in f:Message.
const (
	reasonInvalidSelectors  = "The WS-Management service cannot process the request because the request contained invalid selectors for the resource. "
	detailUnexpectedSelects = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors"
	detailInvalidValue      = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue"
	detailResourceNotFound  = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/ResourceNotFound"
	msgUnknownCommand       = "The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. "
)

func faultShellNotFound(id string) *wsFault {
	return faultInvalidSelectors(fmt.Sprintf("The request for the Windows Remote Shell with ShellId %s failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. ", id))
}

// The Reason names no number; the Message does.
func faultQuotaShells(limit int) *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "w:QuotaLimit", WSMCode: codeQuotaMaxShells,
		Reason:  "The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ",
		Message: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. ", limit)}
}

func faultQuotaOperations(limit int) *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "w:QuotaLimit", WSMCode: codeQuotaMaxOperations,
		Reason: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user. ", limit)}
}

func faultAccessDenied() *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "w:AccessDenied", WSMCode: codeAccessDenied, Reason: "Access is denied. "}
}

func faultInvalidSelectors(msg string) *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "w:InvalidSelectors", WSMCode: codeShellNotFound,
		Reason: reasonInvalidSelectors, Detail: detailUnexpectedSelects, Message: msg}
}

func faultActionNotSupported(action string) *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "a:ActionNotSupported", WSMCode: codeActionNotSupported,
		Reason: fmt.Sprintf("The WS-Management service cannot process the request because the action %s is not supported. ", action)}
}

// A bad header value is an addressing fault with a generic Reason; the
// Message names the field and the value.
func faultInvalidTimeout(value string) *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "a:InvalidMessageInformationHeader", WSMCode: codeInvalidTimeout,
		Reason:  "The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ",
		Message: fmt.Sprintf("The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: %s. ", value)}
}

func faultInvalidParameter() *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "w:InvalidParameter", WSMCode: codeInvalidParameter, Detail: detailInvalidValue, Provider: true,
		Reason: "The parameter is incorrect. "}
}

func faultFilenameTooLong() *wsFault {
	return &wsFault{Code: "s:Receiver", Subcode: "w:InternalError", WSMCode: codeFilenameTooLong, Provider: true,
		Reason: "The filename or extension is too long. "}
}

// faultSchema is a message that does not parse or validate; msg, winsim's
// own wording, goes in f:Message under the generic Reason.
func faultSchema(msg string) *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSMCode: codeSchemaValidation, Message: msg,
		Reason: "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. "}
}

// faultResourceNotFound: winsim serves the cmd shell only.
func faultResourceNotFound() *wsFault {
	return &wsFault{Code: "s:Sender", Subcode: "a:DestinationUnreachable", WSMCode: codeResourceNotFound, Detail: detailResourceNotFound,
		Reason: "The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. "}
}

// faultInjected is a fault a test asks for through the control API: its
// values are the test's, not a fact about Windows.
func faultInjected(code int64, subcode, msg string) *wsFault {
	if code == 0 {
		code = codeInjected
	}
	if subcode == "" {
		subcode = "w:InternalError"
	}
	if msg == "" {
		msg = "The WS-Management service cannot process the request (winsim fault). "
	}
	return &wsFault{Code: "s:Receiver", Subcode: subcode, WSMCode: code, Reason: msg}
}

// wsFaults names every constructor (with sample arguments) by its fact in
// winfacts.WSManFaults; "" marks a fault that is no fact about Windows.
var wsFaults = map[string]struct {
	fact string
	make func() *wsFault
}{
	"faultTimedOut":           {"TimedOut", faultTimedOut},
	"faultShellNotFound":      {"InvalidSelectors", func() *wsFault { return faultShellNotFound("0B1C2D3E-0000-4000-8000-000000000000") }},
	"faultInvalidSelectors":   {"InvalidSelectors", func() *wsFault { return faultInvalidSelectors(msgUnknownCommand) }},
	"faultQuotaShells":        {"QuotaMaxShells", func() *wsFault { return faultQuotaShells(30) }},
	"faultQuotaOperations":    {"QuotaMaxOperations", func() *wsFault { return faultQuotaOperations(1500) }},
	"faultAccessDenied":       {"AccessDenied", faultAccessDenied},
	"faultActionNotSupported": {"ActionNotSupported", func() *wsFault { return faultActionNotSupported(nsShell + "/Disconnect") }},
	"faultInvalidTimeout":     {"InvalidMessageInformationHeader", func() *wsFault { return faultInvalidTimeout("PT-1S") }},
	"faultInvalidParameter":   {"InvalidParameter", faultInvalidParameter},
	"faultFilenameTooLong":    {"FilenameTooLong", faultFilenameTooLong},
	"faultSchema":             {"SchemaValidationError", func() *wsFault { return faultSchema("The stdin stream is not valid base64. ") }},
	"faultResourceNotFound":   {"ResourceNotFound", faultResourceNotFound},
	"faultInjected":           {"", func() *wsFault { return faultInjected(0, "", "") }},
}

// identifyResponse answers WS-Identify as Windows does (MS-WSMV 3.1.4.1.23
// and its notes 71-73): unauthenticated, a zero OS version and no
// SecurityProfiles (Server 2012 R2's answer in chef/knife-windows
// spec/unit/knife/wsman_test_spec.rb); authenticated, the OS version and
// the enabled authentication profiles.
func identifyResponse(st *HostState, authenticated bool) []byte {
	version, profiles := "0.0.0", ""
	if authenticated {
		version = OSBuilds[st.OS]
		var p []string
		if st.WinRM.Basic {
			p = append(p, "http/basic", "https/basic")
		}
		if st.WinRM.Negotiate || st.WinRM.Kerberos {
			p = append(p, "http/spnego-kerberos", "https/spnego-kerberos")
		}
		for _, name := range p {
			profiles += `<wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/` + name + `</wsmid:SecurityProfileName>`
		}
		if profiles != "" {
			profiles = `<wsmid:SecurityProfiles>` + profiles + `</wsmid:SecurityProfiles>`
		}
	}
	return []byte(`<s:Envelope xmlns:s="` + nsSOAP + `"><s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid="` + nsIdentity + `">` +
		`<wsmid:ProtocolVersion>` + nsWSMan + `</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor>` +
		`<wsmid:ProductVersion>OS: ` + version + ` SP: 0.0 Stack: 3.0</wsmid:ProductVersion>` + profiles +
		`</wsmid:IdentifyResponse></s:Body></s:Envelope>`)
}

func createResponse(url, shellID, owner, clientIP string, idleTimeoutMS int, inStreams, outStreams string) string {
	idle := fmt.Sprintf("PT%d.%03dS", idleTimeoutMS/1000, idleTimeoutMS%1000)
	return `<x:ResourceCreated><a:Address>` + xmlEscape(url) + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + resourceCmd +
		`</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">` + shellID + `</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
		`<rsp:Shell><rsp:ShellId>` + shellID + `</rsp:ShellId><rsp:ResourceUri>` + resourceCmd + `</rsp:ResourceUri><rsp:Owner>` + xmlEscape(owner) +
		`</rsp:Owner><rsp:ClientIP>` + xmlEscape(clientIP) + `</rsp:ClientIP><rsp:IdleTimeOut>` + idle + `</rsp:IdleTimeOut><rsp:InputStreams>` + xmlEscape(inStreams) +
		`</rsp:InputStreams><rsp:OutputStreams>` + xmlEscape(outStreams) + `</rsp:OutputStreams><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`
}
