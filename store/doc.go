// Package store persists what a communication programme produces, per
// tenant: plans (every version kept, optimistic concurrency), events with
// their milestones, and an append-only log of communication records chained
// by SHA-256, so that any edit, deletion or reordering is detectable.
//
// [Store] is the contract. Three implementations pass the same conformance
// suite, store/storetest:
//
//   - [NewMemory], in this package: the default, for tests and embedding.
//   - store/sqlite: one file, embedded, persistent.
//   - store/postgres: a PostgreSQL server, for products serving many
//     organizations.
//
// A GRC vendor can bring its own database: implement Store (using [Seal],
// [OpenRecord], [OpenStored] and [VerifyChain] for the chain, [EncodePlan]
// and [DecodePlan] for plans, and the Check functions for validation) and
// run storetest.Run and storetest.RunTamper against it.
//
//	st := store.NewMemory(nil)
//	ctx := store.WithSaveInfo(ctx, store.SaveInfo{By: "alice", Note: "annual review"})
//	v, err := st.SavePlan(ctx, "acme", plan, 0) // 0: create
//	rec, err := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: sent})
//	head, err := st.Verify(ctx, "acme") // the records verified, or a *ChainError naming the first bad one
//
// # Tenants
//
// Every method takes a tenant ID; tenants share nothing. IDs (plan, event)
// are unique within a tenant only.
//
// # Plans
//
// A store keeps each plan version in its stored form, compact JSON
// ([EncodePlan]), and reads it back with [DecodePlan], which is linear in
// the size and does not validate again. The stored form is limited to
// [MaxStoredPlan] bytes (comms.MaxPlanSize, 4 MiB), the same limit on
// saving and on reading: SavePlan refuses a larger plan with ErrInvalid,
// naming its size and the limit, and saves nothing, so that no store ever
// accepts a plan it cannot read back. The memory store applies the same
// check.
//
// # The record chain
//
// AppendRecord assigns each record its tenant-wide sequence number (1, 2, 3,
// ... with no gaps), the time it was recorded (kept apart from SentAt:
// evidence is often entered later), and links it to the previous record by
// hash. The hash is over the canonical encoding documented at [Seal]. A
// correction is a new record whose Corrects names the one it corrects;
// nothing is updated or deleted through the API. Times are kept to the
// microsecond, in UTC.
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
//     of plan_id, activity_id, event_id and sent_at that a store keeps in
//     columns of their own to select by ([Columns]) are checked by Verify
//     against the body, so an edit that would hide a record from a query
//     makes Verify fail naming the record and the column; and Records
//     never returns a record whose body does not match its stored hash or
//     its query ([OpenStored]).
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
//     of a plan version or of an event's milestones goes unnoticed.
//     Their stored columns (a plan's ID, an event's ID, kind and start)
//     are checked against the body of every row a read returns
//     ([OpenStoredEvent]), so a read never returns one as another, but an
//     edit of those columns, like an edit of the body, can hide one.
//     Record what must be evidence as records.
//
// # Errors
//
// Errors wrap [ErrNotFound], [ErrConflict], [ErrInvalid], [ErrReadOnly] or
// [ErrCorrupt]; Verify returns a *[ChainError] (errors.Is(err,
// ErrChainBroken)). Context cancellation is returned as the context's
// error.
package store
