package winsim

import (
	"encoding/base64"
	"sync"
	"time"
)

// shell is one WinRS shell: a container for commands, owned by the user
// who created it.
type shell struct {
	id       string
	host     *Host
	owner    User
	ownerKey string
	codepage string
	created  time.Time

	mu       sync.Mutex
	lastUse  time.Time
	commands map[string]*command
	// consoleMode is the WINRS_CONSOLEMODE_STDIN of the last Command
	// ("" when it had none), kept so that tests can see what clients send.
	consoleMode string
}

// chunk is output of one stream.
type chunk struct {
	stream string // stdout or stderr
	data   []byte
}

// process is what runs behind a command: a cmd.exe built-in or a
// simulated powershell.exe.
type process interface {
	// input delivers stdin bytes; eof marks the end of stdin.
	input(data []byte, eof bool)
	// signal delivers a WinRS signal (terminate, ctrl_c, ctrl_break).
	signal(code string)
}

// command is one process in a shell, with its buffered output.
type command struct {
	id    string
	shell *shell
	line  string

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	out      []chunk
	done     bool
	exitCode int
	proc     process // set before the command is registered in its shell
}

func newCommand(sh *shell, line string) *command {
	return &command{id: newUUID(), shell: sh, line: line, changed: make(chan struct{})}
}

func (c *command) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// write appends output; processes call it from their own goroutines.
func (c *command) write(stream string, data []byte) {
	if len(data) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.out = append(c.out, chunk{stream: stream, data: append([]byte(nil), data...)})
	c.notify()
}

// finish ends the process with an exit code; later calls are ignored.
func (c *command) finish(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.done = true
	c.exitCode = code
	c.notify()
}

func (c *command) isDone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// streamTagLen is the markup around one chunk in a Receive response.
var streamTagLen = len(`<rsp:Stream Name="stdout" CommandId="00000000-0000-0000-0000-000000000000"></rsp:Stream>`)

// receive waits up to wait for output or completion (the long poll) and
// takes what fits in budget bytes of rsp:Stream elements; the rest waits
// for the next Receive. timedOut means nothing happened in time.
func (c *command) receive(wait time.Duration, budget int, stop <-chan struct{}) (out []chunk, done bool, exitCode int, timedOut bool) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		if len(c.out) > 0 || c.done {
			out = c.takeOutput(budget)
			if c.done && len(c.out) == 0 {
				done, exitCode = true, c.exitCode
			}
			c.mu.Unlock()
			return out, done, exitCode, false
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return nil, false, 0, true
		case <-stop:
			return nil, false, 0, true
		}
	}
}

// takeOutput removes the chunks that fit in budget bytes once base64
// encoded and wrapped, splitting the first one that does not: WinRS keeps
// each response within the client's MaxEnvelopeSize, cutting a stream
// anywhere. It takes at least one byte. It needs c.mu held.
func (c *command) takeOutput(budget int) []chunk {
	var out []chunk
	for len(c.out) > 0 {
		ch := c.out[0]
		if cost := streamTagLen + base64.StdEncoding.EncodedLen(len(ch.data)); cost <= budget {
			out = append(out, ch)
			budget -= cost
			c.out = c.out[1:]
			continue
		}
		n := (budget - streamTagLen) / 4 * 3
		if n <= 0 {
			if len(out) > 0 {
				break
			}
			n = 1
		}
		out = append(out, chunk{stream: ch.stream, data: ch.data[:n]})
		c.out[0].data = ch.data[n:]
		break
	}
	if len(c.out) == 0 {
		c.out = nil
	}
	return out
}
