package lambdatest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the function when the test process
// dies without running its cleanup, so no bootstrap is left behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
