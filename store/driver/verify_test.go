package driver_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// reusing yields rows as a database store reads them: each body copied
// into one buffer and each row's columns into one struct, both reused for
// the next row; errAt, if set, is yielded as the error of that row.
func reusing(rows []driver.Stored, errAt int, err error) func(yield func(driver.Stored, error) bool) {
	return func(yield func(driver.Stored, error) bool) {
		var buf []byte
		var cols driver.Columns
		for i, r := range rows {
			if i+1 == errAt {
				yield(driver.Stored{}, err)
				return
			}
			buf = append(buf[:0], r.Body...)
			r.Body = buf
			if r.Columns != nil {
				cols = *r.Columns
				r.Columns = &cols
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// VerifyChain checks a long log in a goroutine of its own while the rows
// are read (with more than one CPU), a batch at a time: whatever goes
// wrong, and wherever in the log, in the first batch, at a batch's edge
// or in the last, it returns what it returns checking one row after
// another (GOMAXPROCS 1), from rows whose buffers are reused from row to
// row.
func TestVerifyChainPipelined(t *testing.T) {
	const n = 1700 // more than three batches
	good, head := sealedLog(n)
	errRead := errors.New("read error")
	type edit struct {
		name  string
		rows  func() []driver.Stored
		errAt int
	}
	var edits []edit
	edits = append(edits, edit{"intact", func() []driver.Stored { return good }, 0})
	for _, k := range []int{1, 2, 511, 512, 513, 1024, 1025, 1536, n - 1, n} {
		at := func(f func(rows []driver.Stored) []driver.Stored) func() []driver.Stored {
			return func() []driver.Stored {
				rows := slices.Clone(good)
				return f(rows)
			}
		}
		edits = append(edits,
			edit{fmt.Sprintf("body of %d", k), at(func(rows []driver.Stored) []driver.Stored {
				body := slices.Clone(rows[k-1].Body)
				body[len(body)-3] ^= 1
				rows[k-1].Body = body
				return rows
			}), 0},
			edit{fmt.Sprintf("column of %d", k), at(func(rows []driver.Stored) []driver.Stored {
				c := *rows[k-1].Columns
				c.ActivityID += "x"
				rows[k-1].Columns = &c
				return rows
			}), 0},
			edit{fmt.Sprintf("%d removed", k), at(func(rows []driver.Stored) []driver.Stored {
				return slices.Delete(rows, k-1, k)
			}), 0},
			edit{fmt.Sprintf("%d twice", k), at(func(rows []driver.Stored) []driver.Stored {
				return slices.Insert(rows, k, rows[k-1])
			}), 0},
			edit{fmt.Sprintf("read error at %d", k), func() []driver.Stored { return good }, k},
			edit{fmt.Sprintf("read error after a bad record at %d", k), at(func(rows []driver.Stored) []driver.Stored {
				rows[k-1].Hash = strings.Repeat("0", 64)
				return rows
			}), min(k+700, n)},
		)
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			rows := e.rows()
			verify := func(procs int) (store.Head, error) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				return driver.VerifyChain(context.Background(), "t", reusing(rows, e.errAt, errRead), head)
			}
			want, wantErr := verify(1)
			got, err := verify(2)
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("pipelined: %+v, %v\none by one: %+v, %v", got, err, want, wantErr)
			}
			if e.name == "intact" && (err != nil || got != head) {
				t.Fatalf("VerifyChain of an intact log: %+v, %v", got, err)
			}
			if e.name != "intact" && err == nil {
				t.Fatal("VerifyChain found nothing")
			}
		})
	}
}

// A cancelled context stops a pipelined VerifyChain with the context's
// error.
func TestVerifyChainCancelled(t *testing.T) {
	rows, head := sealedLog(2000)
	ctx, cancel := context.WithCancel(context.Background())
	read := 0
	seq := func(yield func(driver.Stored, error) bool) {
		for _, r := range rows {
			if read++; read == 1000 {
				cancel()
			}
			if !yield(r, nil) {
				return
			}
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	if _, err := driver.VerifyChain(ctx, "t", seq, head); !errors.Is(err, context.Canceled) || read != 1000 {
		t.Fatalf("VerifyChain = %v after %d rows; want context.Canceled after 1000", err, read)
	}
}

// Rows that panic (a driver's bug) in the middle of a pipelined
// VerifyChain: the panic reaches the caller, and the checker goroutine
// ends with it rather than waiting forever for the next batch.
func TestVerifyChainRowsPanic(t *testing.T) {
	rows, head := sealedLog(5000)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	before := runtime.NumGoroutine()
	for range 3 {
		func() {
			defer func() {
				if r := recover(); r != "driver bug" {
					t.Errorf("recovered %v, want the rows' panic", r)
				}
			}()
			seq := func(yield func(driver.Stored, error) bool) {
				for i, r := range rows {
					if i == 3000 {
						panic("driver bug")
					}
					if !yield(r, nil) {
						return
					}
				}
			}
			driver.VerifyChain(context.Background(), "t", seq, head)
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after the panics, %d before: a checker was left waiting", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
