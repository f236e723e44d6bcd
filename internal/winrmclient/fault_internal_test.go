package winrmclient

import (
	"strings"
	"testing"
)

// Windows puts a generic sentence in s:Reason and the cause in the
// detail; users must read the cause.
func TestFaultShowsTheDetailMessage(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		code int64
		want string
	}{
		// Shape of WinRb/WinRM spec/stubs/responses/wmi_error_v2.xml.
		"quota, MSFT_WmiError": {`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>` +
			`<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:QuotaLimit</s:Value></s:Subcode></s:Code>` +
			`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. </s:Text></s:Reason>` +
			`<s:Detail><p:MSFT_WmiError xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"><p:Message>The WS-Management service cannot process the request. This user is allowed a maximum number of 30 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. </p:Message>` +
			`<p:error_Code>2150859173</p:error_Code></p:MSFT_WmiError></s:Detail></s:Fault></s:Body></s:Envelope>`,
			FaultCodeQuotaShells, "maximum number of 30 concurrent shells"},
		// Shape of pypsrp tests/responses/test_winrs_bad_cmd_id.yml.
		"invalid selectors, WSManFault": {`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Body><s:Fault>` +
			`<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:InvalidSelectors</s:Value></s:Subcode></s:Code>` +
			`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request because the request contained invalid selectors for the resource. </s:Text></s:Reason>` +
			`<s:Detail><w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors</w:FaultDetail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858843" Machine="192.168.56.15"><f:Message>The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`,
			FaultCodeShellNotFound, "command identifier that does not exist"},
	} {
		f := parseFault([]byte(tc.body))
		if f == nil || f.Code != tc.code {
			t.Fatalf("%s: parsed %+v", name, f)
		}
		if e := f.asError("LS01"); !strings.Contains(e.Message, tc.want) || !strings.Contains(f.Error(), tc.want) {
			t.Errorf("%s: error %q / %q does not say %q", name, e.Message, f.Error(), tc.want)
		}
	}
}
