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
// name (access(2) with W_OK) and its mode lets someone write it: root may
// write anything, but a file or directory nobody may write is one its
// owner protected, and it is refused for root too.
func writable(name string) error {
	if err := syscall.Access(name, 0x2); err != nil {
		return &os.PathError{Op: "access", Path: name, Err: err}
	}
	if fi, err := os.Stat(name); err == nil && fi.Mode().Perm()&0o222 == 0 {
		return &os.PathError{Op: "open", Path: name, Err: os.ErrPermission}
	}
	return nil
}

// hardLinks returns how many names the file of fi has (1 where that
// cannot be told).
func hardLinks(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
