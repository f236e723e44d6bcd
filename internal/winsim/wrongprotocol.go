package winsim

import (
	"errors"
	"io"
	"net"
	"strconv"
)

// A client that speaks the wrong protocol to a listener: TLS to the HTTP
// listener, plain HTTP to the HTTPS one. HTTP.sys sees it in the first
// bytes; so does winsim, in the first read of the connection.

// errWrongProtocol ends a connection that got the wrong protocol.
var errWrongProtocol = errors.New("winsim: wrong protocol for this listener")

// httpSysInvalidVerb is HTTP.sys's answer to a request line it cannot
// parse, as a TLS ClientHello is on the HTTP listener: HTTP 400 (the
// BadRequest reason, "The verb used in the request is invalid",
// technet.microsoft.com/en-us/library/cc786188), then it closes.
var httpSysInvalidVerb = "HTTP/1.1 400 Bad Request\r\n" +
	"Content-Type: text/html; charset=us-ascii\r\n" +
	"Server: Microsoft-HTTPAPI/2.0\r\n" +
	"Connection: close\r\n" +
	"Content-Length: " + strconv.Itoa(len(invalidVerbBody)) + "\r\n\r\n" +
	invalidVerbBody

const invalidVerbBody = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">` + "\r\n" +
	`<HTML><HEAD><TITLE>Bad Request</TITLE>` + "\r\n" +
	`<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>` + "\r\n" +
	`<BODY><h2>Bad Request - Invalid Verb</h2>` + "\r\n" +
	`<hr><p>HTTP Error 400. The request verb is invalid.</p>` + "\r\n" +
	`</BODY></HTML>` + "\r\n"

// plainHTTP400 is the quirk plain_http_on_https_400's answer.
const plainHTTP400 = "HTTP/1.1 400 Bad Request\r\n" +
	"Server: Microsoft-HTTPAPI/2.0\r\n" +
	"Connection: close\r\n" +
	"Content-Length: 0\r\n\r\n"

// tlsRecordHandshake starts every TLS ClientHello.
const tlsRecordHandshake = 0x16

func (c *hostConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n == 0 || c.sniffed.Swap(true) {
		return n, err
	}
	switch {
	case !c.tls && b[0] == tlsRecordHandshake:
		_, _ = io.WriteString(c.Conn, httpSysInvalidVerb)
	case c.tls && looksLikeHTTP(b[:n]):
		if c.host.view().Quirks.PlainHTTPOnHTTPS400 {
			_, _ = io.WriteString(c.Conn, plainHTTP400)
		} else if tc, ok := c.Conn.(*net.TCPConn); ok {
			// A reset, not an orderly close.
			_ = tc.SetLinger(0)
		}
	default:
		return n, err
	}
	_ = c.Close()
	return 0, errWrongProtocol
}

// looksLikeHTTP: a request line starts with an upper-case method and a
// space; a TLS record starts with a byte below 0x20.
func looksLikeHTTP(b []byte) bool {
	for i, ch := range b {
		switch {
		case ch == ' ' && i > 0:
			return true
		case ch < 'A' || ch > 'Z':
			return false
		}
	}
	return false
}
