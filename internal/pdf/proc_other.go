//go:build !unix

package pdf

import "os/exec"

// ownGroup leaves cmd as it is where there are no Unix process groups:
// cancellation kills Chromium's own process (exec.CommandContext's
// default), not the children it started.
func ownGroup(cmd *exec.Cmd) {}

// killGroup does nothing where there are no Unix process groups.
func killGroup(cmd *exec.Cmd) {}
