package awstest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the server when the test process dies
// without running its cleanup (a killed `go test`), so no JVM is left behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
