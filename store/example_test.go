package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// A caller that retries an append, after a timeout say, gives the record
// an idempotency key: the retry returns the record stored the first time
// and appends nothing; another record under the same key is a conflict.
func ExampleStore_idempotentAppend() {
	ctx := context.Background()
	var st store.Store = memory.New(nil)
	sent := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	r := comms.Record{ActivityID: "policy", SentAt: sent, Channel: "email", Subject: "Policy 2026", IdempotencyKey: "mail-4711"}

	first, _ := st.AppendRecord(ctx, "acme", r)
	retry, err := st.AppendRecord(ctx, "acme", r) // the same record again
	fmt.Println(first.Seq, retry.Seq, retry.Hash == first.Hash, err)

	r.Subject = "Another message"
	_, err = st.AppendRecord(ctx, "acme", r) // a different record, the same key
	fmt.Println(errors.Is(err, store.ErrConflict))

	n := 0
	for _, err := range st.Records(ctx, "acme", store.RecordQuery{}) {
		if err != nil {
			panic(err)
		}
		n++
	}
	head, err := st.Verify(ctx, "acme")
	fmt.Println(n, head.Seq, err)
	// Output:
	// 1 1 true <nil>
	// true
	// 1 1 <nil>
}

// Save a plan, read it back, list its versions; a stale expected version
// is a conflict and changes nothing.
func ExampleStore_planVersions() {
	ctx := context.Background()
	st := memory.New(nil)
	ctx = store.WithSaveInfo(ctx, store.SaveInfo{By: "alice", Note: "annual review"})
	v1, _ := st.SavePlan(ctx, "acme", storetest.Plan("isms-comms", 1), 0)
	v2, _ := st.SavePlan(ctx, "acme", storetest.Plan("isms-comms", 2), v1)
	_, err := st.SavePlan(ctx, "acme", storetest.Plan("isms-comms", 3), v1) // stale
	fmt.Println(v1, v2, errors.Is(err, store.ErrConflict))

	latest, _ := st.Plan(ctx, "acme", "isms-comms")
	fmt.Println(latest.Number, latest.SavedBy, latest.Note)
	for v, err := range st.Versions(ctx, "acme", "isms-comms") {
		if err != nil {
			panic(err)
		}
		fmt.Println("version", v.Number, v.Plan.Activities[0].What.Message)
	}
	_, err = st.Plan(ctx, "other-tenant", "isms-comms")
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// 1 2 true
	// 2 alice annual review
	// version 1 Version 1
	// version 2 Version 2
	// true
}
