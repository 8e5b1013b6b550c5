package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

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

func TestDeliveryLog(t *testing.T) {
	storetest.RunDeliveryLog(t, func(t *testing.T, now func() time.Time) store.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "test.db"), &sqlite.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
