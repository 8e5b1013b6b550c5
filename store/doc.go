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
// [OpenRecord] and [VerifyChain] for the chain, and the Check functions for
// validation) and run storetest.Run against it.
//
//	st := store.NewMemory(nil)
//	ctx := store.WithSaveInfo(ctx, store.SaveInfo{By: "alice", Note: "annual review"})
//	v, err := st.SavePlan(ctx, "acme", plan, 0) // 0: create
//	rec, err := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: sent})
//	err = st.Verify(ctx, "acme") // nil, or a *ChainError naming the first bad record
//
// # Tenants
//
// Every method takes a tenant ID; tenants share nothing. IDs (plan, event)
// are unique within a tenant only.
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
// # Errors
//
// Errors wrap [ErrNotFound], [ErrConflict] or [ErrInvalid]; Verify returns a
// *[ChainError] (errors.Is(err, ErrChainBroken)). Context cancellation is
// returned as the context's error.
package store
