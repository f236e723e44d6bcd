package winrmclient

import (
	"crypto/rand"
	"fmt"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// newCommandRequest is masterzen's NewExecuteCommandRequest with
// WINRS_CONSOLEMODE_STDIN=FALSE instead of its fixed TRUE. The option
// picks the client-side mode of stdin (MS-WSMV 3.1.4.11): TRUE asks for
// console semantics, but the scripts stream through a pipe, which is what
// Ansible asks for whenever it sends stdin (its winrm connection plugin
// runs commands with console_mode_stdin=(stdin_iterator is None)).
func newCommandRequest(url, shellID, command string, params *winrm.Parameters) *soap.SoapMessage {
	message := soap.NewMessage()
	message.Header().
		To(url).
		ReplyTo("http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous").
		MaxEnvelopeSize(params.EnvelopeSize).
		Id(newMessageID()).
		Locale(params.Locale).
		Timeout(params.Timeout).
		Action("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command").
		ResourceURI("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd").
		ShellId(shellID).
		AddOption(soap.NewHeaderOption("WINRS_CONSOLEMODE_STDIN", "FALSE")).
		AddOption(soap.NewHeaderOption("WINRS_SKIP_CMD_SHELL", "FALSE")).
		Build()
	body := message.CreateBodyElement("CommandLine", soap.DOM_NS_WIN_SHELL)
	// CDATA, as masterzen does, so that & and < stay text.
	message.CreateElement(body, "Command", soap.DOM_NS_WIN_SHELL).SetContent("<![CDATA[" + command + "]]>")
	return message
}

// newMessageID is a WS-Addressing MessageID: a random (version 4) UUID.
func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
