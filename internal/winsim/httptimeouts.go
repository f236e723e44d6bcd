package winsim

import (
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// HTTPTimeouts are the HTTP.sys timers winsim models: how long a client
// may take to send its headers, each piece of its body, and how long an
// idle keep-alive connection stays open. Windows' defaults are 120 s each
// (learn.microsoft.com/en-us/windows/win32/http/server-timeouts-property);
// the EntityBody timer restarts whenever more of the body arrives
// (HTTP_TIMEOUT_LIMIT_INFO). A client that stalls is disconnected.
type HTTPTimeouts struct {
	HeaderWait     time.Duration
	EntityBody     time.Duration
	IdleConnection time.Duration
}

// httpSysDefault is HTTP.sys's default for each of the three timers.
const httpSysDefault = 120 * time.Second

func (t HTTPTimeouts) withDefaults() HTTPTimeouts {
	for _, d := range []*time.Duration{&t.HeaderWait, &t.EntityBody, &t.IdleConnection} {
		if *d <= 0 {
			*d = httpSysDefault
		}
	}
	return t
}

// deadlineSetter is the part of http.ResponseController entityBody uses.
type deadlineSetter interface {
	SetReadDeadline(time.Time) error
}

// bodyReader restarts the EntityBody timer before each read, so that a
// slow but steady body arrives and a stalled one is cut off.
type bodyReader struct {
	r   io.Reader
	rc  deadlineSetter
	d   time.Duration
	now func() time.Time
}

func (b *bodyReader) Read(p []byte) (int, error) {
	_ = b.rc.SetReadDeadline(b.now().Add(b.d))
	n, err := b.r.Read(p)
	if err == io.EOF {
		// The body is read: the answer (a long Receive) has no deadline.
		// After a timeout the deadline stays, so that the server's drain
		// of the unread body fails at once too.
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

func entityBody(w http.ResponseWriter, body io.Reader, d time.Duration) io.Reader {
	return &bodyReader{r: body, rc: http.NewResponseController(w), d: d, now: time.Now}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
