package winfacts

import (
	"fmt"
	"regexp"
	"strings"
)

// Sources of the WS-Management facts.
const (
	srcMSWSMV         = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/"
	srcWSManConstants = "https://microsoft.github.io/windows-docs-rs/doc/windows/Win32/System/RemoteManagement/"
	srcMasterzenFixt  = "masterzen/winrm fixture_test.go"
	srcPypsrpBadCmdID = "jborean93/pypsrp tests/tests_pypsrp/responses/test_winrs_bad_cmd_id.yml"
	srcPypsrpBadHdr   = "jborean93/pypsrp tests/tests_pypsrp/responses/test_psrp_is_alive_other_wsman_error.yml"
	srcPypsrpBadParam = "jborean93/pypsrp tests/tests_pypsrp/responses/test_winrs_fail_poll_process.yml"
	srcPypsrpWSMan    = "jborean93/pypsrp tests/tests_pypsrp/test_wsman.py"
	srcWinRbQuota     = "WinRb/WinRM spec/stubs/responses/wmi_error_v2.xml"
	srcQuotaOps       = "https://github.com/masterzen/winrm/issues/129"
	srcPacker6205     = "jborean93/github-misc packer/issue-6205/README.md"
)

// WSManFault is a WS-Management fault as Windows sends it: the SOAP
// subcode, the f:WSManFault Code (an HRESULT or Win32 error, in decimal)
// and the s:Reason text. In Reason, <...> stands for a part that varies
// (a limit, an action URI). Subcode and Reason are "" for codes the client
// acts on that winsim never sends.
type WSManFault struct {
	Name      string
	Subcode   string
	Code      int64
	Reason    string
	Statement string
	// Source, or Unverified with the winsim Quirk that flips it (if any).
	Source     string
	Unverified bool
	Quirk      string
}

// WSManFaults are the faults winsim sends and the codes the client reads.
var WSManFaults = []WSManFault{
	{Name: "TimedOut", Subcode: "w:TimedOut", Code: 2150858793, Source: srcMasterzenFixt,
		Reason:    "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ",
		Statement: "A Receive with no output within OperationTimeout (ERROR_WSMAN_OPERATION_TIMEDOUT, s:Receiver); clients poll again. Also in diyan/pywinrm winrm/tests/test_exceptions.py from Server 2022."},
	{Name: "InvalidSelectors", Subcode: "w:InvalidSelectors", Code: 2150858843, Source: srcPypsrpBadCmdID,
		Reason:    "The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ",
		Statement: "An unknown command id or ShellId (ERROR_WSMAN_UNEXPECTED_SELECTORS): a generic Reason, the FaultDetail UnexpectedSelectors, and the cause in f:Message (the command id sentence is captured; winsim's shell-not-found sentence follows client logs)."},
	{Name: "QuotaMaxShells", Subcode: "w:QuotaLimit", Code: 2150859173, Source: srcWinRbQuota,
		Reason:    "The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ",
		Statement: "MaxShellsPerUser exceeded (ERROR_WSMAN_QUOTA_MAX_SHELLS); the message names the limit: \"This user is allowed a maximum number of <n> concurrent shells\". Windows puts the code in an MSFT_WmiError detail (error_Code), winsim in f:WSManFault; the client reads both."},
	{Name: "QuotaMaxOperations", Subcode: "w:QuotaLimit", Code: 2150859174, Source: srcQuotaOps,
		Reason:    "The WS-Management service cannot process the request. This user is allowed a maximum number of <n> concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user. ",
		Statement: "MaxConcurrentOperationsPerUser exceeded (ERROR_WSMAN_QUOTA_MAX_OPERATIONS); the captures show the code and this text, not the subcode, which winsim takes from the shells quota."},
	{Name: "QuotaUser", Code: 2150859175, Source: srcWSManConstants,
		Statement: "ERROR_WSMAN_QUOTA_USER: a user quota; the client reports it as a quota error (winsim never sends it)."},
	{Name: "QuotaSystem", Code: 2150859176, Source: srcWSManConstants,
		Statement: "ERROR_WSMAN_QUOTA_SYSTEM: a system-wide quota; the client reports it as a quota error (winsim never sends it)."},
	{Name: "QuotaMaxShellUsers", Code: 2150859179, Source: srcWSManConstants,
		Statement: "ERROR_WSMAN_QUOTA_MAX_SHELLUSERS: MaxConcurrentUsers exceeded; the client reports it as a quota error (winsim never sends it)."},
	{Name: "AccessDenied", Subcode: "w:AccessDenied", Code: 5, Unverified: true,
		Reason:    "Access is denied. ",
		Statement: "A user who may not use the cmd shell (not an administrator) gets ERROR_ACCESS_DENIED; MS-WSMV names wsman:AccessDenied for refused users, the code and text come from client reports, not a capture."},
	{Name: "ActionNotSupported", Subcode: "a:ActionNotSupported", Code: 2150858754, Unverified: true,
		Reason:    "The WS-Management service cannot process the request because the action <action> is not supported. ",
		Statement: "An action the shell does not support: MS-WSMV prescribes wsa:ActionNotSupported; the code (ERROR_WSMAN_ACTION_NOT_SUPPORTED) and text are not captured."},
	{Name: "InvalidMessageInformationHeader", Subcode: "a:InvalidMessageInformationHeader", Code: 2150858767, Source: srcPypsrpBadHdr,
		Reason:    "The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ",
		Statement: "A malformed OperationTimeout: a generic Reason; f:Message says \"The XML contains an invalid timeout field in the SOAP header: <value>.\""},
	{Name: "InvalidParameter", Subcode: "w:InvalidParameter", Code: 87, Source: srcPypsrpBadParam,
		Reason:    "The parameter is incorrect. ",
		Statement: "A request the cmd shell plugin cannot use (ERROR_INVALID_PARAMETER), with the FaultDetail InvalidValue and a ProviderFault of the Shell cmd plugin."},
	{Name: "FilenameTooLong", Subcode: "w:InternalError", Code: 2147942606, Source: srcMasterzenFixt,
		Reason:    "The filename or extension is too long. ",
		Statement: "A command line past CreateProcess's limit (ERROR_FILENAME_EXCED_RANGE as an HRESULT), s:Receiver, in a ProviderFault of the Shell cmd plugin."},
	{Name: "SchemaValidationError", Subcode: "w:SchemaValidationError", Code: 2150858817, Source: srcPypsrpWSMan,
		Reason:    "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ",
		Statement: "A message that does not parse or validate: a generic Reason, the cause in f:Message (winsim's own sentences)."},
	{Name: "ResourceNotFound", Subcode: "a:DestinationUnreachable", Code: 2150858752, Source: srcMSWSMV,
		Reason:    "The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ",
		Statement: "A resource URI the host does not serve (winsim serves the cmd shell only): MS-WSMV 4.10's example fault with the FaultDetail ResourceNotFound; the code is ERROR_WSMAN_RESOURCE_NOT_FOUND, whose SDK message is this Reason."},
}

// LookupWSManFault finds a fault by name.
func LookupWSManFault(name string) (WSManFault, bool) {
	for _, f := range WSManFaults {
		if f.Name == name {
			return f, true
		}
	}
	return WSManFault{}, false
}

// HasWSManCode reports whether the catalog has a fault with the code.
func HasWSManCode(code int64) bool {
	for _, f := range WSManFaults {
		if f.Code == code {
			return true
		}
	}
	return false
}

var placeholder = regexp.MustCompile(`<[a-z]+>`)

// MatchesReason reports whether reason is the fault's Reason, with its
// <...> parts filled in.
func (f WSManFault) MatchesReason(reason string) bool {
	parts := placeholder.Split(f.Reason, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile(`^` + strings.Join(parts, `\S+`) + `$`).MatchString(reason)
}

func wsmanFacts() []Fact {
	var out []Fact
	for _, w := range WSManFaults {
		v := fmt.Sprintf("%d", w.Code)
		if w.Subcode != "" {
			v = fmt.Sprintf("%s %d: %q", w.Subcode, w.Code, w.Reason)
		}
		out = append(out, Fact{ID: KindWSManFault + ":" + w.Name, Kind: KindWSManFault, Value: v, Statement: w.Statement,
			Source: w.Source, Unverified: w.Unverified, Quirk: w.Quirk})
	}
	return out
}

// httpFacts are the HTTP-level behaviours of the WinRM listener (HTTP.sys
// and the WinRM service) that winsim models and the client reads.
func httpFacts() []Fact {
	p := func(id, src, statement string) Fact {
		return Fact{ID: KindProtocol + ":" + id, Kind: KindProtocol, Source: src, Unverified: src == "", Statement: statement}
	}
	return []Fact{
		p("http_500_fault", srcPypsrpBadCmdID, "Every WS-Management fault comes with HTTP 500 and the fault envelope as the body."),
		p("http_401_unencrypted", srcPacker6205, "A plaintext message over HTTP while AllowUnencrypted is false is refused with HTTP 401, even on an NTLM-authenticated connection; the capture beside it (frames 708-714) shows WWW-Authenticate: Negotiate and Connection: close."),
		p("http_401_challenge", "", "Missing or failed credentials get HTTP 401 with an empty body, Connection: close, and one WWW-Authenticate per enabled scheme: Negotiate first, Kerberos on a domain member, Basic realm=\"WSMAN\"."),
		p("negotiate_raw_ntlm", "", "The Negotiate scheme takes NTLM wrapped in SPNEGO and raw NTLMSSP tokens alike; a bare \"NTLM\" scheme is not offered."),
		p("identify_unauthenticated", srcMSWSMV, "WS-Identify with the header WSMANIDENTIFY: unauthenticated is answered without credentials, with OS version 0.0.0 and no security profiles (MS-WSMV 3.1.4.1.23)."),
		p("http_413_envelope", "", "A request envelope larger than MaxEnvelopeSizekb is refused with HTTP 413 (client reports, body unknown)."),
		p("http_415_content_type", "", "A request whose Content-Type is not application/soap+xml (nor NTLM-encrypted) gets HTTP 415 with an empty body."),
		p("http_405_method", "", "A method other than POST gets HTTP 405 with Allow: POST and Connection: close."),
		p("http_404_path", "", "A path other than /wsman gets HTTP 404 from HTTP.sys."),
		p("http_400_unseal", "", "An NTLM-encrypted body that does not unseal gets HTTP 400 and Connection: close."),
		p("server_header", "", "Replies carry Server: Microsoft-HTTPAPI/2.0 (HTTP.sys)."),
		p("http_400_tls_on_http", "https://technet.microsoft.com/en-us/library/cc786188(v=ws.10).aspx",
			"A TLS handshake sent to the HTTP listener reads to HTTP.sys as a request with an invalid verb, which it refuses with HTTP 400 (Bad Request - Invalid Verb) before WinRM sees it, and closes the connection."),
		{ID: KindProtocol + ":plain_http_on_https", Kind: KindProtocol, Unverified: true, Quirk: "plain_http_on_https_400",
			Statement: "Plain HTTP sent to the HTTPS listener gets the connection reset without an answer (the bytes go to TLS, which fails); some servers answer HTTP 400 instead."},
	}
}

// Sources of the Kerberos facts.
const (
	srcServiceAuth   = "https://msdn.microsoft.com/en-us/library/cc251568.aspx"
	srcCbtPolicy     = "https://learn.microsoft.com/en-us/windows/client-management/mdm/policy-csp-remotemanagement"
	srcWSMVKerberos  = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/b79927c2-96be-4801-aa68-180db95593f9"
	srcWSMVEncrypted = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/3fc54d8b-b087-486e-9f50-8253e9e30b43"
	srcKILEWrap      = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-kile/e94b3acd-8415-4d0d-9786-749d0c39d550"
	srcClockSkew     = "https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/maximum-tolerance-for-computer-clock-synchronization"
	srcSkewTrace     = "https://docs.microsoft.com/en-us/archive/blogs/asiatech/kerberos-authentication-failed-due-to-time-skew"
	srcModifiedEvent = "https://techcommunity.microsoft.com/t5/ask-the-directory-services-team/kerberos-authentication-problems-8211-service-principal-name-spn/ba-p/395455"
	srcReqKerberos   = "requests/requests-kerberos requests_kerberos/kerberos_.py"
	srcCertMapping   = "https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/b0e9678d-f833-442f-9883-1b8ab1f3c93e"
	srcPywinrmCert   = "diyan/pywinrm winrm/transport.py"
	srcPywinrm311    = "https://github.com/diyan/pywinrm/issues/311"
)

// kerberosFacts are how a domain member's WinRM service takes Kerberos.
func kerberosFacts() []Fact {
	f := func(id, src, statement string) Fact {
		return Fact{ID: KindProtocol + ":" + id, Kind: KindProtocol, Source: src, Statement: statement}
	}
	return []Fact{
		f("kerberos_enabled_by_default", srcServiceAuth, "The WinRM service's Auth/Kerberos setting is true by default (ServiceAuthType, MS-WSMV 2.2.4.34)."),
		f("cbt_hardening_default", srcServiceAuth, "Auth/CbtHardeningLevel, Extended Protection for the service's HTTPS logons, is Relaxed by default (ServiceAuthType, MS-WSMV 2.2.4.34)."),
		f("cbt_hardening_levels", srcCbtPolicy, "Strict refuses a request without a valid channel binding token; Relaxed refuses one with an invalid token and takes one without; None takes all (policy SpecifyChannelBindingTokenHardeningLevel). The token binds the TLS channel: RFC 5929 tls-server-end-point, hashed into the Kerberos authenticator's checksum or NTLM's MsvAvChannelBindings."),
		f("cert_auth_default", srcServiceAuth, "Auth/Certificate, certificate logons (wsman:secprofile/https/mutual), is false by default (ServiceAuthType, MS-WSMV 2.2.4.34)."),
		f("cert_auth_header", srcPywinrmCert, "A certificate logon presents the client certificate in the TLS handshake and sends Authorization: http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual with every request."),
		f("cert_mapping", srcCertMapping, "A certificate mapping (CertMappingType) names the thumbprint of the certificate that signed the client's (Issuer), a Subject pattern with at most one \"*\" first or last, a URI, and the local account with its password; it maps a set of client certificates to that local account."),
		f("cert_refusal_401", srcPywinrm311, "A certificate the service does not map is refused with HTTP 401 (pywinrm reports it as \"the specified credentials were rejected by the server\")."),
		{ID: KindProtocol + ":cert_mapping_checks", Kind: KindProtocol, Unverified: true,
			Statement: "The Subject is matched against the user principal name in the certificate's subject alternative name; the issuer must be a trusted root; an expired certificate, one signed by another issuer, or a mapping whose password is no longer the account's get the same bare 401."},
		{ID: KindProtocol + ":cbt_refusal", Kind: KindProtocol, Unverified: true,
			Statement: "A logon refused for its channel binding gets the bare 401 of a failed logon (no Kerberos error token)."},
		f("kerberos_scheme", srcWSMVKerberos, "Besides Negotiate, the service takes the Kerberos scheme (Authorization: Kerberos <InitialContextToken>) until it answers 200; bodies encrypted under it are multipart/encrypted with protocol=\"application/HTTP-Kerberos-session-encrypted\"."),
		f("kerberos_encrypted_framing", srcWSMVEncrypted, "In an encrypted body, the length field gives the size of the Kerberos per-message token's header (RFC 4121); the encrypted data that follows is as long as the original message."),
		f("kerberos_wrap_token", srcKILEWrap, "With AES session keys Windows' wrap tokens carry RRC 28 when encrypted, and rotate the trailing checksum by RRC+EC; winsim and the provider send EC 0, so the header is 60 bytes."),
		f("negotiate_raw_kerberos", srcReqKerberos, "The Negotiate scheme takes a raw Kerberos token (GSS-API krb5 mechanism, no SPNEGO) and answers with a raw AP-REP: what pywinrm's Kerberos transport sends to Windows."),
		f("kerberos_max_skew", srcClockSkew, "Kerberos tolerates 5 minutes of clock difference by default (Maximum tolerance for computer clock synchronization)."),
		f("kerberos_401_krb_error", srcSkewTrace, "A refused ticket gets HTTP 401 carrying the acceptor's KRB-ERROR: network traces show KRB_AP_ERR_SKEW in the HTTP answer, and Windows clients log KRB_AP_ERR_MODIFIED received from the server ("+srcModifiedEvent+")."),
		{ID: KindProtocol + ":kerberos_401_framing", Kind: KindProtocol, Unverified: true, Quirk: "kerberos_bare_401",
			Statement: "The KRB-ERROR travels in WWW-Authenticate under the scheme the client used (in a SPNEGO reject for SPNEGO), alone, with Connection: close; with the quirk, WinRM sends the bare 401 of a failed logon instead."},
		{ID: KindProtocol + ":kerberos_refusal_codes", Kind: KindProtocol, Unverified: true,
			Statement: "A ticket from another realm is refused with KRB_AP_ERR_NOT_US (RFC 4120 3.2.3), one for an SPN of another account with KRB_AP_ERR_MODIFIED (the host's key cannot decrypt it), an expired one with KRB_AP_ERR_TKT_EXPIRED, all checked in RFC 4120's order (skew before ticket times)."},
	}
}
