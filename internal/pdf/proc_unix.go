//go:build unix

package pdf

import (
	"os/exec"
	"syscall"
)

// ownGroup makes cmd the leader of a new process group, which its
// children join, and its cancellation (when its context ends) kill the
// whole group.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// killGroup kills what is left of cmd's process group once cmd has
// exited: a child that did not exit with it. The group's ID stays taken
// while any member lives; once none does, it is free again, but only
// reused after the system's process IDs have wrapped around, far later
// than this call right after cmd's exit.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
