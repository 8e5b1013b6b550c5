//go:build unix

package main

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the file at name the owner and group of old, where the
// process may (root replacing another user's report); elsewhere the new
// file stays the process's, as a file it wrote anew would be.
func keepOwner(name string, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid()) {
		return
	}
	os.Chown(name, int(st.Uid), int(st.Gid)) // best effort: an ordinary user may not give files away
}

// writable returns an error unless the process may write the file at
// name (access(2) with W_OK).
func writable(name string) error {
	if err := syscall.Access(name, 0x2); err != nil {
		return &os.PathError{Op: "access", Path: name, Err: err}
	}
	return nil
}
