package store

import (
	"context"

	"github.com/ismscomms/ismscomms/comms"
)

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

// BatchAppender is an optional capability of a Store (find it by type
// assertion): appending many records, such as a day's acknowledgements
// exported by a click-through tool, in one transaction that moves the
// chain head once. store/memory, store/sqlite and store/postgres
// implement it.
//
//	if ba, ok := st.(store.BatchAppender); ok {
//		stored, err = ba.AppendRecords(ctx, tenant, acks)
//	}
type BatchAppender interface {
	// AppendRecords appends rs, in order, to the tenant's log, as that
	// many AppendRecord calls in a row would, and returns the records as
	// stored, one for each of rs, in order. It is all or nothing: if any
	// record is invalid (ErrInvalid, naming its index in rs) or conflicts
	// with a stored record's idempotency key, or with an earlier record
	// of rs that has the same key but differs (ErrConflict), or the store
	// fails, nothing is appended. A record whose key the tenant already
	// has, or an earlier record of rs has, and that is the same record, is
	// answered with that record, as AppendRecord answers a retry, and
	// appended once. A record's Corrects may name an earlier record of
	// rs. rs holds at most [MaxBatch] records; an empty rs appends nothing
	// and returns no records. Concurrent batches and appends to one tenant
	// form one chain, each batch's new records consecutive in it.
	AppendRecords(ctx context.Context, tenant string, rs []comms.Record) ([]comms.Record, error)
}

// MaxBatch is the most records one [BatchAppender.AppendRecords] call
// appends.
const MaxBatch = 100_000
