// Package driver holds what an implementation of store.Store needs and a
// consumer of one does not: the canonical encoding of records and their
// hash chain, the stored form of plans, the checks every store applies,
// and the helpers for queries and paging. A program that uses a store
// imports store; one that implements a store imports store and driver,
// as gocloud's docstore/driver serves the implementers of docstore.
//
// The stores of this module (store/memory, store/sqlite, store/postgres)
// are built on this package's exported API alone, so a vendor's store
// built on it accepts, encodes, hashes and checks exactly as they do; the
// conformance suite store/storetest then checks the rest of the contract.
//
// # Design
//
// This package imports store: its helpers take and return the contract's
// types (store.RecordQuery, store.Head, *store.ChainError) and errors
// (store.ErrInvalid). store therefore cannot import it, and holds no
// implementation: the in-memory store, which needs these helpers as
// every store does, is the package store/memory (gocloud's memdocstore).
// The one thing both sides share, the context key of store.WithSaveInfo
// that [SaveInfoFrom] reads, lives in an internal package.
//
// # Building a store
//
// Each method checks its tenant first ([CheckTenant]) and what it is given
// ([CheckRecord], [CheckEvent], [CheckRecordQuery]; [EncodePlan] checks a
// plan and returns the form to keep). A listing that fails before it reads
// returns [Fail]. The parts of the contract that take care:
//
//   - SavePlan: [EncodePlan], then, in one transaction, compare expect with
//     the latest version (store.ErrConflict) and insert the next, with
//     [SaveInfoFrom]. Reads decode with [DecodePlan]; Plans orders with
//     [SortPlans].
//   - AppendRecord: in one transaction that serialises the tenant's
//     appends, read the tenant's head (the last record's Seq and Hash,
//     kept apart from the log, so that Verify sees a log cut short). If
//     r.IdempotencyKey is set, look the key up (a unique index on tenant
//     and key); a record found is answered by [Replay], and nothing is
//     written. Otherwise check r.Corrects ([CheckCorrects]), [Seal] r as
//     record head.Seq+1 after head.Hash, keep the encoding, its hash and
//     the [Columns] to select by ([ColumnsOf]), and move the head.
//   - Records: select by the columns (bounds from [SentBounds]), by
//     keyset paging ([Pages]), and return each record through
//     [OpenStored], which refuses one whose content does not match its
//     hash or the query.
//   - Verify: read the kept head and the whole log, with its columns, in
//     one snapshot, and pass them to [VerifyChain].
//   - Events: [StartBounds] to select by a start column,
//     [OpenStoredEvent] for each row, then [EventMatches] and
//     [SortEvents].
package driver
