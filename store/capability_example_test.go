package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// Verify returns the head it verified. Keep it somewhere the store cannot
// rewrite (a report prints it): a log cut short later, together with the
// head the store keeps, then shows as a head that went back.
func ExampleStore_verify() {
	ctx := context.Background()
	var st store.Store = memory.New(&memory.Options{Now: func() time.Time { return time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC) }})
	head, err := st.Verify(ctx, "acme")
	fmt.Println(head.Seq, head == store.Head{}, err) // an empty log: the zero Head

	sent := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	for _, key := range []string{"mail-4711", "mail-4712"} {
		if _, err := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: sent, IdempotencyKey: key}); err != nil {
			panic(err)
		}
	}
	recorded, err := st.Verify(ctx, "acme")
	fmt.Println(recorded.Seq, len(recorded.Hash), err)

	// Later: the log has grown, and still begins with what was recorded.
	if _, err := st.AppendRecord(ctx, "acme", comms.Record{ActivityID: "policy", SentAt: sent, IdempotencyKey: "mail-4713"}); err != nil {
		panic(err)
	}
	now, _ := st.Verify(ctx, "acme")
	var atRecorded comms.Record
	for r, err := range st.Records(ctx, "acme", store.RecordQuery{After: recorded.Seq - 1, Limit: 1}) {
		if err != nil {
			panic(err)
		}
		atRecorded = r
	}
	fmt.Println(now.Seq, now.Seq >= recorded.Seq && atRecorded.Hash == recorded.Hash)
	// Output:
	// 0 true <nil>
	// 2 64 <nil>
	// 3 true
}

// What not every store can do is an interface of its own, found by type
// assertion: io.Closer, store.Pinger, store.IntegrityChecker. The memory
// store holds nothing to release and has none; the SQLite store has all three.
func ExampleStore_capabilities() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ismscomms-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "ismscomms.db"), nil)
	if err != nil {
		panic(err)
	}

	for _, st := range []store.Store{memory.New(nil), db} {
		_, closer := st.(io.Closer)
		p, pinger := st.(store.Pinger)
		ic, checker := st.(store.IntegrityChecker)
		fmt.Printf("%T: closer %v, pinger %v, integrity checker %v\n", st, closer, pinger, checker)
		if pinger {
			fmt.Println("  ping:", p.Ping(ctx))
		}
		if checker {
			fmt.Println("  integrity:", ic.CheckIntegrity(ctx))
		}
		if c, ok := st.(io.Closer); ok {
			fmt.Println("  close:", c.Close())
			_, err := st.Verify(ctx, "acme")
			fmt.Println("  after close:", errors.Is(err, store.ErrClosed))
		}
	}
	// Output:
	// *memory.Store: closer false, pinger false, integrity checker false
	// *sqlite.Store: closer true, pinger true, integrity checker true
	//   ping: <nil>
	//   integrity: <nil>
	//   close: <nil>
	//   after close: true
}
