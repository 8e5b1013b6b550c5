package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
	"github.com/ismscomms/ismscomms/store/storetest"
)

func open(t *testing.T) store.Store {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "test.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestReliability(t *testing.T) { storetest.RunReliability(t, open) }
