package winsim

import (
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
	// reported is set once Done went out in a Receive response.
	reported bool
	proc     process
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

// maxReceiveBytes keeps each Receive response well under the clients'
// MaxEnvelopeSize (153600 for masterzen) after base64.
const maxReceiveBytes = 96 * 1024

// receive waits up to wait for output or completion (the long poll) and
// takes what is there. timedOut means nothing happened in time.
func (c *command) receive(wait time.Duration, stop <-chan struct{}) (out []chunk, done bool, exitCode int, timedOut bool) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		if len(c.out) > 0 || c.done {
			size := 0
			n := 0
			for n < len(c.out) && (n == 0 || size+len(c.out[n].data) <= maxReceiveBytes) {
				size += len(c.out[n].data)
				n++
			}
			out = c.out[:n]
			c.out = append([]chunk(nil), c.out[n:]...)
			if c.done && len(c.out) == 0 {
				done, exitCode = true, c.exitCode
				c.reported = true
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
