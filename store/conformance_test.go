package store_test

import (
	"testing"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory(nil) })
}

func TestMemoryReliability(t *testing.T) {
	storetest.RunReliability(t, func(t *testing.T) store.Store { return store.NewMemory(nil) })
}

func TestMemoryTamperConformance(t *testing.T) {
	storetest.RunTamper(t, func(t *testing.T) (store.Store, storetest.Tamperer) {
		m := store.NewMemory(nil)
		return m, store.MemoryTamper{M: m}
	})
}
