package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// Open creates the file; what a write returned survives the process. A
// command that only reads opens the file read-only, which never creates,
// migrates or writes it.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ismscomms-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ismscomms.db")

	clock := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	s, err := sqlite.Open(path, &sqlite.Options{Now: func() time.Time { return clock }})
	if err != nil {
		panic(err)
	}
	r := comms.Record{ActivityID: "policy", SentAt: time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC), Channel: "email", IdempotencyKey: "mail-4711"}
	rec, err := s.AppendRecord(ctx, "acme", r)
	fmt.Println(rec.Seq, rec.RecordedAt.Format(time.RFC3339), err)
	if err := s.Close(); err != nil {
		panic(err)
	}

	ro, err := sqlite.Open(path, &sqlite.Options{ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer ro.Close()
	head, err := ro.Verify(ctx, "acme")
	fmt.Println(head.Seq, head.Hash == rec.Hash, err)
	_, err = ro.AppendRecord(ctx, "acme", r)
	fmt.Println(errors.Is(err, store.ErrReadOnly))

	_, err = sqlite.Open(filepath.Join(dir, "missing.db"), &sqlite.Options{ReadOnly: true})
	fmt.Println(errors.Is(err, os.ErrNotExist))
	// Output:
	// 1 2026-01-15T12:00:00Z <nil>
	// 1 true <nil>
	// true
	// true
}

// A retry after a failure that may have hidden a committed write, here a
// new process that reopens the file: the idempotency key finds the record
// appended the first time, and nothing is appended twice.
func ExampleStore_AppendRecord_retry() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ismscomms-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ismscomms.db")
	r := comms.Record{ActivityID: "policy", SentAt: time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC), IdempotencyKey: "mail-4711"}

	var seqs []int64
	for range 2 { // two processes, one after the other
		s, err := sqlite.Open(path, nil)
		if err != nil {
			panic(err)
		}
		rec, err := s.AppendRecord(ctx, "acme", r)
		if err != nil {
			panic(err)
		}
		seqs = append(seqs, rec.Seq)
		s.Close()
	}
	s, _ := sqlite.Open(path, &sqlite.Options{ReadOnly: true})
	defer s.Close()
	head, _ := s.Verify(ctx, "acme")
	fmt.Println(seqs, head.Seq)
	// Output:
	// [1 1] 1
}
