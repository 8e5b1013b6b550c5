// Package migrations lists the schema migrations a database store embeds:
// the one copy of that listing for store/sqlite and store/postgres.
package migrations

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// List returns the names of the .sql files in dir of fsys, in order: the
// schema version a database is at is the number of them applied. Names
// start with their version, zero-padded ("0002_idempotency_key.sql"), and
// List checks that the versions run 1, 2, 3, ... so that a misnamed file
// fails every test instead of migrating out of order.
func List(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for i, name := range names {
		if want := fmt.Sprintf("%04d_", i+1); !strings.HasPrefix(name, want) {
			return nil, fmt.Errorf("migration %s: want a name starting with %s", name, want)
		}
	}
	return names, nil
}
