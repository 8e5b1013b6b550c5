// Package store persists what a communication programme produces, per
// tenant: plans (every version kept, optimistic concurrency), events with
// their milestones, and an append-only log of communication records chained
// by SHA-256, so that any edit, deletion or reordering is detectable.
//
// This package is what a consumer imports: the [Store] interface and its
// contract, the values it takes and returns, its errors and its optional
// capabilities. The implementations live in packages of their own, each
// passing the conformance suite store/storetest:
//
//   - store/memory: memory.New(nil), everything in memory; for tests,
//     demos and embedding.
//   - store/sqlite: sqlite.Open(path, nil), one file, embedded, persistent.
//   - store/postgres: postgres.Open(ctx, dsn, opts), a PostgreSQL server,
//     for products serving many organizations.
//
// A program uses whichever it opened through Store:
//
//	var st store.Store = memory.New(nil)
//	ctx := store.WithSaveInfo(ctx, store.SaveInfo{By: "alice", Note: "annual review"})
//	v, err := st.SavePlan(ctx, "acme", plan, 0) // 0: create
//	rec, err := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: sent, IdempotencyKey: msgID})
//	head, err := st.Verify(ctx, "acme") // the records verified, or a *ChainError naming the first bad one
//
// A GRC vendor can bring its own database: implement Store with the
// helpers of store/driver (the record encoding and chain, the stored form
// of plans, the checks every store applies) and run storetest.Run and
// storetest.RunTamper against it. store/driver imports this package, so
// this package holds no implementation: the in-memory store is
// store/memory, an implementation like the others, as gocloud's
// memdocstore sits beside docstore and docstore/driver.
//
// # Tenants
//
// Every method takes a tenant ID; tenants share nothing. IDs (plan, event)
// and idempotency keys are unique within a tenant only.
//
// # The record chain
//
// AppendRecord assigns each record its tenant-wide sequence number (1, 2, 3,
// ... with no gaps), the time it was recorded (kept apart from SentAt:
// evidence is often entered later), and links it to the previous record by
// hash. The hash is over the canonical encoding documented at
// store/driver.Seal. A correction is a new record whose Corrects names the
// one it corrects; nothing is updated or deleted through the API. Times
// are kept to the microsecond, in UTC.
//
// # The log as a tree
//
// Beside the chain, each tenant's records are the leaves of a Merkle tree
// (golang.org/x/mod/sumdb/tlog, RFC 6962 hashing): leaf i (from 0) is
// record i+1, its data the record's canonical encoding, the same bytes
// the chain hashes. The chain binds each record to its predecessor, so an
// edit, deletion or reordering inside the log breaks it; but whoever can
// write the database can rewrite the log from some record on and
// recompute every chain hash. The tree lets a signed (size, root hash)
// that left the system (a checkpoint an auditor keeps: store/checkpoint)
// prove every record up to that size (an inclusion proof) and that every
// later log extends it (a consistency proof), so such a rewrite fails
// against any checkpoint taken before it. The chain stays as it was: its
// encoding, hashes and guarantees; the tree adds to it. Stores keep the
// tree's stored hashes ([TreeReader]), written in the transaction that
// appends the records, so an append reads O(log n) of them and never the
// log; a store migrated from a schema without the tree builds it from the
// stored bodies once, in the migration.
//
// # Idempotent appends
//
// A caller that retries an append after a timeout, a lost connection or a
// crash cannot tell whether the first attempt was stored. Give the record
// an idempotency key (comms.Record.IdempotencyKey: a message ID, a ticket
// number, a UUID made once per communication) and retry freely: an append
// whose key the tenant already has appends nothing and returns the record
// stored the first time. A different record under a used key is refused
// with ErrConflict, as payment APIs refuse a reused key with other
// parameters, so that a key reused by mistake does not silently return
// another communication's evidence. Keys never expire: the log is kept for
// good, and so is what each key names. The key is part of the hashed
// record (a keyed record is encoded as "ismscomms/record/v2"; one without a
// key as "ismscomms/record/v1", exactly as before keys existed, so that
// logs written earlier verify unchanged).
//
// # What is tamper-evident
//
// Someone who can write the database behind the store's back (plain SQL
// as the tables' owner, a file editor) can change anything. What Verify
// and the reads notice:
//
//   - Records: everything a query or a report reads. The body (the
//     canonical encoding) is hashed and chained, so an edit, deletion,
//     insertion or reordering breaks the chain at that record. The copies
//     of plan_id, activity_id, event_id, sent_at and idempotency_key (and,
//     of acknowledgements, person_id, digest and channel, which
//     [AckReader] reads) that a store keeps in columns of their own to
//     select by (store/driver's Columns) are checked by Verify against the body, so an edit that
//     would hide a record from a query, or from the append that retries
//     it, makes Verify fail naming the record and the column; Records
//     never returns a record whose body does not match its stored hash or
//     its query, and AppendRecord never returns one for a key its body
//     does not carry.
//   - The chain head (the last record's sequence number and hash, kept per
//     tenant) is checked by Verify against the log: deleting the newest
//     records is noticed, unless the head is rewritten to match. Within
//     one database, nothing can tell a log cut short and a head moved back
//     with it from a shorter log; compare the [Head] that Verify returns
//     with one recorded elsewhere (a previous report prints it).
//   - An index that no longer matches its table can hide a record from a
//     query while Verify, which reads the table, passes. Stores that can
//     check for such damage implement [IntegrityChecker] (store/sqlite).
//   - Plans and events are not tamper-evident: they are not hashed, and
//     events are replaced in place by SaveEvent, without history. An edit
//     of a plan version or of an event's milestones goes unnoticed. Their
//     stored columns (a plan's ID, an event's ID, kind and start) are
//     checked against the body of every row a read returns, so a read
//     never returns one as another, but an edit of those columns, like an
//     edit of the body, can hide one. Record what must be evidence as
//     records.
//
// # Errors
//
// Errors wrap [ErrNotFound], [ErrConflict], [ErrInvalid], [ErrReadOnly],
// [ErrCorrupt] or [ErrClosed]; a broken chain is a *[ChainError]
// (errors.Is(err, ErrChainBroken)). A store opened read-only fails its
// writes with ErrReadOnly. Context cancellation is returned as the
// context's error. An error of a write that the store decided (ErrInvalid,
// ErrConflict, ErrReadOnly) means nothing was written; an error from the
// database or the network while a write was being committed may hide a
// write that was committed all the same, which is what idempotency keys
// are for.
//
// # Optional capabilities
//
// [Store] stays small so that it can grow without breaking implementers:
// what not every store can do is a small interface of its own, which a
// caller finds by type assertion, as database/sql finds driver.Pinger. A
// store that implements one keeps its rules, and storetest.Run checks
// them for every capability a store has:
//
//   - io.Closer: a store that holds resources (connections, a file)
//     releases them in Close. After Close returns, every method of the
//     store, capabilities included, fails with [ErrClosed] (a listing
//     yields it), and Close again returns nil. store/sqlite and
//     store/postgres implement it; the memory store holds nothing to
//     release.
//   - [Pinger]: a health check (store/sqlite, store/postgres).
//   - [IntegrityChecker]: a check of the storage itself, for damage Verify
//     cannot see (store/sqlite).
//   - [BatchAppender]: many records in one transaction (all three stores).
//   - [RosterStore]: the people of the stakeholder groups (all three).
//   - [DeliveryLog]: claims, leases and checkpoints, so that each reminder
//     is sent once (all three). Operational state, not evidence: it is
//     not hashed or chained, and Verify does not check it.
//   - [AckReader]: an activity's acknowledgements from columns kept beside
//     the hashed bodies, for the outstanding list of thousands of people
//     (all three); Verify checks those columns, Acks itself does not.
//   - [TreeReader]: the Merkle tree over each tenant's log, its size and
//     stored hashes, for checkpoints and proofs (all three). Verify does
//     not check it; store/checkpoint.Verify recomputes it from the
//     records.
//
// A program that opened a store through an interface closes it so:
//
//	if c, ok := st.(io.Closer); ok {
//		defer c.Close()
//	}
//
// A wrapper (metrics, caching) hides the capabilities of what it wraps:
// forward one only where the wrapped store has it, or a caller that finds
// it will believe a check ran.
package store
