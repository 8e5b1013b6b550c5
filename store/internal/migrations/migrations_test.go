package migrations

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestList(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql":   {},
		"m/0001_a.sql":   {},
		"m/README.md":    {},
		"m/0003_c.sql":   {},
		"bad/0001_a.sql": {},
		"bad/0003_c.sql": {},
	}
	got, err := List(fsys, "m")
	if err != nil || !slices.Equal(got, []string{"0001_a.sql", "0002_b.sql", "0003_c.sql"}) {
		t.Errorf("List = %v, %v", got, err)
	}
	if _, err := List(fsys, "bad"); err == nil {
		t.Error("List accepted a gap in the versions")
	}
}
