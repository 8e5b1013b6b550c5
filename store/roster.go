package store

import (
	"context"
	"iter"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// RosterStore is an optional capability of a Store (find it by type
// assertion): keeping a tenant's rosters, the people of its stakeholder
// groups (comms.Roster). Rosters are personal data, which is why they
// live in the store and never in a plan file. They are kept as plans are:
// per tenant and roster ID, every saved version, with optimistic
// concurrency. store/memory, store/sqlite and store/postgres implement it
// (in PostgreSQL under row-level security like every other table).
//
//	if rs, ok := st.(store.RosterStore); ok {
//		v, err := rs.SaveRoster(ctx, "acme", roster, 0) // 0: create
//	}
//
// The rules of [Store] hold for its methods too, as storetest.Run checks:
// tenants share nothing (a tenant ID that is not valid fails with
// ErrInvalid), a lookup of what the tenant lacks fails with ErrNotFound
// and a listing of it is empty, listings are lazy and may be iterated
// again, nothing returned shares memory with the store, a done context
// fails a method with its error, and after Close every method fails with
// ErrClosed.
type RosterStore interface {
	// SaveRoster saves r as the next version of the tenant's roster with
	// r.ID and returns its number: 1 for a new roster, then one more than
	// the latest. expect is the version the caller read, 0 to create the
	// roster; if it is not the latest (0 when there is none), SaveRoster
	// fails with ErrConflict. A roster that comms.Roster.Validate refuses
	// (without a plan: the store does not check stakeholder IDs against
	// one), or whose stored form is over MaxStoredRoster bytes, fails
	// with ErrInvalid wrapping the *comms.RosterError. Who saved the
	// version and why come from the context (see [WithSaveInfo]); SavedAt
	// is the time of the store's clock. Of concurrent SaveRoster calls
	// with the same expected version, exactly one succeeds.
	SaveRoster(ctx context.Context, tenant string, r comms.Roster, expect int) (version int, err error)
	// Roster returns version v of a roster, v 0 meaning the latest; a
	// version that does not exist fails with ErrNotFound.
	Roster(ctx context.Context, tenant, id string, v int) (RosterVersion, error)
	// RosterVersions yields every version of a roster, oldest first, each
	// whole: for a long history of a large roster, read the versions one
	// at a time with Roster.
	RosterVersions(ctx context.Context, tenant, id string) iter.Seq2[RosterVersion, error]
	// Rosters yields the latest version of each of the tenant's rosters,
	// in byte order of roster ID.
	Rosters(ctx context.Context, tenant string) iter.Seq2[RosterVersion, error]
}

// RosterVersion is one saved version of a roster.
type RosterVersion struct {
	RosterID string `json:"roster_id"`
	// Number counts the roster's versions from 1.
	Number int          `json:"version"`
	Roster comms.Roster `json:"roster"`
	// SavedAt is when the version was saved, in UTC; SavedBy and Note
	// come from the SaveInfo in the saving context.
	SavedAt time.Time `json:"saved_at"`
	SavedBy string    `json:"saved_by,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// MaxStoredRoster is the largest stored form of a roster (compact JSON,
// see store/driver.EncodeRoster) a store accepts and reads back:
// comms.MaxRosterSize, the most the roster decoders read.
const MaxStoredRoster = comms.MaxRosterSize
