package testenv

import (
	"os/exec"
	"syscall"
)

// setPdeathsig kills the child when the test binary dies, even killed.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
