package store

import "context"

// IntegrityChecker is an optional capability of a Store (find it by type
// assertion, as database/sql finds driver.Pinger): checking the storage
// itself for damage that [Store.Verify] cannot see. Verify reads each
// record from its table; a query that selects records through an index
// reads the index first, so an index that no longer matches its table can
// hide a record from a query, or return it for the wrong one, while Verify
// says intact. store/sqlite implements it with PRAGMA integrity_check.
//
//	if ic, ok := st.(store.IntegrityChecker); ok {
//		err = ic.CheckIntegrity(ctx) // nil, a *CorruptError, or why it could not check
//	}
type IntegrityChecker interface {
	// CheckIntegrity checks the whole database, every tenant's data. It
	// returns nil for intact storage, an error wrapping ErrCorrupt (a
	// *CorruptError naming the affected records where it can), or the
	// error that kept it from checking. With a done context it fails with
	// the context's error; after Close, with ErrClosed.
	CheckIntegrity(ctx context.Context) error
}

// Pinger is an optional capability of a Store (find it by type
// assertion): a health check, for a readiness probe or before a batch of
// work. store/sqlite and store/postgres implement it.
//
//	if p, ok := st.(store.Pinger); ok {
//		err = p.Ping(ctx)
//	}
type Pinger interface {
	// Ping checks that the store can serve requests now (for a store on a
	// database server, that the server answers): nil if it can, or why
	// not. With a done context it fails with the context's error; after
	// Close, with ErrClosed.
	Ping(ctx context.Context) error
}
