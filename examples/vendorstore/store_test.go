package vendorstore_test

import (
	"testing"

	"github.com/ismscomms/ismscomms/examples/vendorstore"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// The vendor's wrapper passes the same conformance suite as the stores of
// this module.
func TestVendorStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return vendorstore.New(memory.New(nil))
	})
}
