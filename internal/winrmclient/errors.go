package winrmclient

import (
	"errors"
	"fmt"
	"slices"
)

// Kind classifies a failed operation. The set is closed: scripts may only
// report ScriptKinds and the kinds their Library adds (the prelude turns
// anything else into KindScriptError), and the caller maps each to a
// diagnostic.
type Kind string

// Kinds any script may report; a Library adds those of its domain.
const (
	// KindNotFound: the object the operation names does not exist.
	KindNotFound Kind = "not_found"
	// KindInvalidInput: Windows refused a parameter (WBEM_E_INVALID_PARAMETER and the like).
	KindInvalidInput Kind = "invalid_input"
	// KindAccessDenied: the account is not a local administrator, or lacks a
	// right the operation needs.
	KindAccessDenied Kind = "access_denied"
	// KindNotSupported: Windows does not support the operation on this host.
	KindNotSupported Kind = "not_supported"
	// KindWMIError: a WMI call failed with a code no other kind explains.
	KindWMIError Kind = "wmi_error"
	// KindScriptError: the script failed in an unexpected way.
	KindScriptError Kind = "script_error"
	// KindConflict: a compare-and-set on the host found another value,
	// or the request was already used.
	KindConflict Kind = "conflict"
	// KindBusy: another operation holds a host-wide lock the operation
	// needs; trying again later is safe.
	KindBusy Kind = "busy"
)

// Kinds raised by the client itself.
const (
	// KindQuota: a WinRM quota on the host was exceeded (shells, operations).
	KindQuota Kind = "quota"
	// KindTransport: the host could not be reached or the exchange broke.
	KindTransport Kind = "transport"
	// KindAuth: the host refused the credentials or the authentication scheme.
	KindAuth Kind = "auth"
	// KindTimeout: the operation did not finish in time.
	KindTimeout Kind = "timeout"
	// KindCanceled: the caller canceled the operation.
	KindCanceled Kind = "canceled"
	// KindProtocol: the host answered something this client cannot read.
	KindProtocol Kind = "protocol"
)

// ScriptKinds are the kinds any script may report in its error envelope:
// the prelude's $RdslKinds before a Library adds its own.
var ScriptKinds = []Kind{
	KindNotFound, KindInvalidInput, KindAccessDenied, KindNotSupported,
	KindWMIError, KindScriptError, KindConflict, KindBusy,
}

// scriptKind reports whether a script may report k: one of ScriptKinds or
// of the library's.
func (c *Client) scriptKind(k Kind) bool {
	return slices.Contains(ScriptKinds, k) || slices.Contains(c.cfg.Library.Kinds, k)
}

// Error is the error every operation returns. Message never holds a secret:
// the client masks every value the input declared secret.
type Error struct {
	Kind      Kind
	Message   string
	Code      int64 // WMI/HRESULT or WS-Management fault code; 0 when none
	Operation string
	Host      string
	// OutcomeUnknown is set when the operation may have run on the host
	// although no result came back: the caller must look before retrying.
	OutcomeUnknown bool
	// final marks failures that trying again cannot fix (certificates,
	// names); transient ones that a fresh session may fix (a dead process).
	final     bool
	transient bool
	// unsent: the host cannot have acted on the message (it was never
	// written, or the host answered it with a fault or an error status).
	unsent bool
	cause  error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Code != 0 {
		msg = fmt.Sprintf("%s (code 0x%08X)", msg, uint32(e.Code))
	}
	where := e.Operation
	if e.Host != "" {
		where += " on " + e.Host
	}
	if where != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Kind, msg)
	}
	return fmt.Sprintf("%s: %s", e.Kind, msg)
}

func (e *Error) Unwrap() error { return e.cause }

// OutcomeUnknown reports an operation that may have run on the host
// although no result came back: the caller must look before retrying.
func OutcomeUnknown(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.OutcomeUnknown
}

// asUnsent marks err as a message the host cannot have acted on.
func asUnsent(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Kind: KindTransport, Message: err.Error(), cause: err, unsent: true}
	}
	c := *e
	c.unsent = true
	return &c
}

// asRetryable clears err's final mark: trying again may help.
func asRetryable(err error) error {
	var e *Error
	if !errors.As(err, &e) || !e.final {
		return err
	}
	c := *e
	c.final = false
	return &c
}

func isUnsent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.unsent
}

// KindOf returns the kind of err, or "" when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// MessageOf is an operation error's message without the operation and
// host prefix.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool { return KindOf(err) == k }
