//go:build !unix

package main

import (
	"io/fs"
	"os"
)

// keepOwner does nothing where files have no Unix owner.
func keepOwner(string, fs.FileInfo) {}

// writable returns an error unless the file at name may be written: here,
// unless it is read-only.
func writable(name string) error {
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return &os.PathError{Op: "open", Path: name, Err: os.ErrPermission}
	}
	return nil
}

// hardLinks returns 1: here the number of a file's names is not told.
func hardLinks(fs.FileInfo) uint64 { return 1 }
