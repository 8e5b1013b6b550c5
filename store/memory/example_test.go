package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// A store with a fixed clock, as tests and demos want it: SavedAt and
// RecordedAt come from Options.Now.
func ExampleNew() {
	ctx := context.Background()
	clock := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	st := memory.New(&memory.Options{Now: func() time.Time { return clock }})

	v, err := st.SavePlan(ctx, "acme", storetest.Plan("isms-comms", 1), 0)
	fmt.Println("plan version", v, err)

	clock = clock.Add(time.Hour)
	first, _ := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)})
	second, _ := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: time.Date(2026, 1, 15, 9, 45, 0, 0, time.UTC)})
	fmt.Println(first.Seq, first.RecordedAt.Format(time.RFC3339), first.PrevHash == "")
	fmt.Println(second.Seq, second.PrevHash == first.Hash)

	for r, err := range st.Records(ctx, "acme", store.RecordQuery{From: time.Date(2026, 1, 15, 9, 40, 0, 0, time.UTC)}) {
		fmt.Println("from 09:40:", r.Seq, r.SentAt.Format("15:04"), err)
	}
	head, err := st.Verify(ctx, "acme")
	fmt.Println("verified", head.Seq, head.Hash == second.Hash, err)
	// Output:
	// plan version 1 <nil>
	// 1 2026-01-15T13:00:00Z true
	// 2 true
	// from 09:40: 2 09:45 <nil>
	// verified 2 true <nil>
}
