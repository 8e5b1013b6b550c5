package sqlite

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// A roster survives closing the file, reads back through a read-only
// open, and cannot be written through one.
func TestRosterPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := store.WithSaveInfo(ctx, store.SaveInfo{By: "hr"})
	if _, err := s.SaveRoster(c, "acme", storetest.Roster("staff", 3), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	v, err := ro.Roster(ctx, "acme", "staff", 0)
	if err != nil || v.Number != 1 || v.SavedBy != "hr" || !reflect.DeepEqual(v.Roster, storetest.Roster("staff", 3)) {
		t.Errorf("read back: %+v, %v", v.Number, err)
	}
	if _, err := ro.SaveRoster(ctx, "acme", storetest.Roster("staff", 4), 1); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("SaveRoster on a read-only store: %v, want ErrReadOnly", err)
	}
}
