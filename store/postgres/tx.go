package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ismscomms/ismscomms/store"
)

// Every operation runs as one transaction whose first statement sets the
// tenant for that transaction alone (set_config(…, true)), and sends its
// statements in pipelined batches to spend few round trips:
//
//   - batch: [set_config, the statements], executed by the server as one
//     implicit transaction (statements pipelined before a Sync are); one
//     round trip. Reads, and writes that need no Go in between.
//   - write: [BEGIN, set_config, what the write must read], then the Go
//     side computes (the next record's hash), then [the writes, COMMIT];
//     two round trips. A failure in either rolls the transaction back.
//   - snapshot: one batch [BEGIN REPEATABLE READ READ ONLY, set_config,
//     queries…, COMMIT] whose results are streamed; one round trip.

// withRetry runs fn, again after a serialization failure or deadlock, at
// most s.retries more times, and translates the error it ends with.
func (s *Store) withRetry(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return fmt.Errorf("postgres: the store was closed: %w", store.ErrClosed)
	}
	var err error
	for attempt := 0; ; attempt++ {
		err = fn()
		if err == nil || !retryable(err) || attempt >= s.retries {
			break
		}
		backoff := time.Duration(1<<attempt) * time.Millisecond
		backoff += rand.N(backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
	return s.translate(ctx, err)
}

// retryable reports a serialization failure or deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// batch sends [set_config, queue's statements] in one round trip, run by
// the server as one implicit transaction; the callbacks queue registers
// run as the results arrive.
func (s *Store) batch(ctx context.Context, tenant string, queue func(b *pgx.Batch)) error {
	return s.withRetry(ctx, func() error {
		b := &pgx.Batch{}
		b.Queue(s.setTenant(), tenant)
		queue(b)
		return s.pool.SendBatch(ctx, b).Close()
	})
}

// commitTimeout bounds the second round trip of a write, which does not
// follow the caller's context.
const commitTimeout = 30 * time.Second

// write runs a read-write transaction at READ COMMITTED in two round
// trips: [BEGIN, set_config, first's statements], then second (which may
// use what the first batch read, and queues the writes), then COMMIT.
//
// The caller's context governs the first round trip. The second, which
// decides the outcome, runs to its end (within commitTimeout) even if the
// context is cancelled meanwhile: a caller is never told that a write
// failed which was committed, and does not retry it into a duplicate.
func (s *Store) write(ctx context.Context, tenant string, first func(b *pgx.Batch), second func(b *pgx.Batch) error) error {
	if s.readOnly && !s.closed.Load() {
		return fmt.Errorf("postgres: the store was opened read-only: %w", store.ErrReadOnly)
	}
	return s.withRetry(ctx, func() error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		b := &pgx.Batch{}
		b.Queue(`BEGIN ISOLATION LEVEL READ COMMITTED`)
		b.Queue(s.setTenant(), tenant)
		first(b)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			abort(conn)
			return err
		}
		b = &pgx.Batch{}
		if err := second(b); err != nil {
			abort(conn)
			return err
		}
		b.Queue(`COMMIT`).Exec(committed)
		commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
		defer cancel()
		if err := conn.SendBatch(commitCtx, b).Close(); err != nil {
			abort(conn)
			return err
		}
		return nil
	})
}

// snapshot runs queue's statements in one REPEATABLE READ, read-only
// transaction, sent in one round trip; their results are read (and may be
// streamed) in order.
func (s *Store) snapshot(ctx context.Context, tenant string, queue func(b *pgx.Batch)) error {
	return s.withRetry(ctx, func() error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		b := &pgx.Batch{}
		b.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
		b.Queue(s.setTenant(), tenant)
		queue(b)
		b.Queue(`COMMIT`).Exec(committed)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			abort(conn)
			return err
		}
		return nil
	})
}

// committed checks that COMMIT committed: the server answers ROLLBACK to
// the COMMIT of a failed transaction.
func committed(ct pgconn.CommandTag) error {
	if ct.String() != "COMMIT" {
		return fmt.Errorf("transaction not committed: %s", ct)
	}
	return nil
}

// abort rolls back the transaction a failed batch left open on conn, or
// closes the connection when it cannot; either way the pool gets no
// connection inside a transaction.
func abort(conn *pgxpool.Conn) {
	pc := conn.Conn().PgConn()
	if pc.IsClosed() || pc.TxStatus() == 'I' {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `ROLLBACK`); err != nil {
		conn.Conn().Close(ctx)
	}
}
