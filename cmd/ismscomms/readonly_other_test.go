//go:build !unix

package main

import "testing"

// runInReadOnlyDir needs Unix permissions and credentials.
func runInReadOnlyDir(t *testing.T, name string, args func(dir, db string) []string) {
	t.Skip("read-only directories are tested on Unix")
}

// readOnlyFileCase needs Unix permissions and credentials.
func readOnlyFileCase(t *testing.T) {
	t.Skip("read-only files are tested on Unix")
}
