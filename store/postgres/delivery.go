package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.DeliveryLog = (*Store)(nil)

// deliveryQueries are the statements of store.DeliveryLog, qualified with
// the store's schema.
type deliveryQueries struct {
	claim, markSent, tokenState, release, delivery, deliveries, checkpoint, setCheckpoint string
}

const deliveryColumns = `key, state, attempts, token, claimed_at, lease_until, sent_at, last_error`

func newDeliveryQueries(schema string) deliveryQueries {
	t := pgx.Identifier{schema, "deliveries"}.Sanitize()
	c := pgx.Identifier{schema, "checkpoints"}.Sanitize()
	return deliveryQueries{
		// One statement: a new key is inserted; a key whose row exists is
		// taken only if released or its lease ran out. ON CONFLICT locks
		// the row, so of concurrent claims one updates it and the others,
		// once it commits, find it claimed and return no row.
		claim: `INSERT INTO ` + t + ` AS d (tenant, ` + deliveryColumns + `) VALUES ($1, $2, 'claimed', 1, $3, $4, $5, NULL, '')
			ON CONFLICT (tenant, key) DO UPDATE SET state = 'claimed', attempts = d.attempts + 1, token = excluded.token,
				claimed_at = excluded.claimed_at, lease_until = excluded.lease_until
			WHERE d.state = 'released' OR d.state = 'claimed' AND d.lease_until <= excluded.claimed_at
			RETURNING attempts`,
		markSent:   `UPDATE ` + t + ` SET state = 'sent', sent_at = $4 WHERE tenant = $1 AND key = $2 AND token = $3 AND state = 'claimed'`,
		tokenState: `SELECT state FROM ` + t + ` WHERE tenant = $1 AND key = $2 AND token = $3`,
		release:    `UPDATE ` + t + ` SET state = 'released', lease_until = $4, last_error = $5 WHERE tenant = $1 AND key = $2 AND token = $3 AND state = 'claimed'`,
		delivery:   `SELECT ` + deliveryColumns + ` FROM ` + t + ` WHERE tenant = $1 AND key = $2`,
		// $3 is the greater of the cursor and the prefix: keys with the
		// prefix sort together from the prefix on (COLLATE "C").
		deliveries: `SELECT ` + deliveryColumns + ` FROM ` + t + ` WHERE tenant = $1 AND key > $2 AND key >= $3 AND ($4 = '' OR state = $4) ORDER BY key LIMIT $5`,
		checkpoint: `SELECT at FROM ` + c + ` WHERE tenant = $1 AND job = $2`,
		setCheckpoint: `INSERT INTO ` + c + ` AS c (tenant, job, at) VALUES ($1, $2, $3)
			ON CONFLICT (tenant, job) DO UPDATE SET at = GREATEST(c.at, excluded.at) RETURNING at`,
	}
}

func scanDelivery(row pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	var token, state string
	var sent *time.Time
	if err := row.Scan(&d.Key, &state, &d.Attempts, &token, &d.ClaimedAt, &d.LeaseUntil, &sent, &d.LastError); err != nil {
		return d, err
	}
	d.State = store.DeliveryState(state)
	d.ClaimedAt, d.LeaseUntil = d.ClaimedAt.UTC(), d.LeaseUntil.UTC()
	if sent != nil {
		d.SentAt = sent.UTC()
	}
	return d, nil
}

// writable fails a write of a store opened read-only.
func (s *Store) writable() error {
	if s.readOnly && !s.closed.Load() {
		return fmt.Errorf("postgres: the store was opened read-only: %w", store.ErrReadOnly)
	}
	return nil
}

// Claim implements store.DeliveryLog: one statement, in one round trip
// ([set_config, the claim]).
func (s *Store) Claim(ctx context.Context, tenant, key string, lease time.Duration) (store.Claim, bool, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Claim{}, false, err
	}
	if err := driver.CheckDeliveryKey(key); err != nil {
		return store.Claim{}, false, err
	}
	if err := driver.CheckLease(lease); err != nil {
		return store.Claim{}, false, err
	}
	if err := s.writable(); err != nil {
		return store.Claim{}, false, err
	}
	now := driver.DeliveryTime(s.now())
	c := store.Claim{Key: key, Token: driver.NewClaimToken(), At: now, Until: driver.DeliveryTime(now.Add(lease))}
	ok := false
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		ok = false
		b.Queue(s.dq.claim, tenant, key, c.Token, c.At, c.Until).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&c.Attempt)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			ok = err == nil
			return err
		})
	})
	if err != nil || !ok {
		return store.Claim{}, false, err
	}
	return c, true, nil
}

// MarkSent implements store.DeliveryLog: [set_config, the update, the
// claim's state after it] in one round trip.
func (s *Store) MarkSent(ctx context.Context, tenant string, c store.Claim) error {
	if err := driver.CheckTenant(tenant); err != nil {
		return err
	}
	if err := driver.CheckClaim(c); err != nil {
		return err
	}
	if err := s.writable(); err != nil {
		return err
	}
	if !storable(c.Token) {
		return s.withRetry(ctx, func() error { return driver.LostClaim(c) })
	}
	var state string
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		state = ""
		b.Queue(s.dq.markSent, tenant, c.Key, c.Token, driver.DeliveryTime(s.now()))
		b.Queue(s.dq.tokenState, tenant, c.Key, c.Token).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&state); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if state != string(store.DeliverySent) {
		return driver.LostClaim(c)
	}
	return nil
}

// Release implements store.DeliveryLog: one update in one round trip.
func (s *Store) Release(ctx context.Context, tenant string, c store.Claim, reason string) error {
	if err := driver.CheckTenant(tenant); err != nil {
		return err
	}
	if err := driver.CheckClaim(c); err != nil {
		return err
	}
	if err := s.writable(); err != nil {
		return err
	}
	if !storable(c.Token) {
		return s.withRetry(ctx, func() error { return driver.LostClaim(c) })
	}
	var tag pgconn.CommandTag
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.dq.release, tenant, c.Key, c.Token, driver.DeliveryTime(s.now()), driver.Reason(reason)).Exec(func(ct pgconn.CommandTag) error {
			tag = ct
			return nil
		})
	})
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return driver.LostClaim(c)
	}
	return nil
}

// Delivery implements store.DeliveryLog.
func (s *Store) Delivery(ctx context.Context, tenant, key string) (store.Delivery, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Delivery{}, err
	}
	notFound := fmt.Errorf("%w: delivery key %q", store.ErrNotFound, key)
	if !storable(key) {
		return store.Delivery{}, s.withRetry(ctx, func() error { return notFound })
	}
	var d store.Delivery
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.dq.delivery, tenant, key).QueryRow(func(row pgx.Row) error {
			var err error
			d, err = scanDelivery(row)
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound
			}
			return err
		})
	})
	if err != nil {
		return store.Delivery{}, err
	}
	return d, nil
}

// deliveryPage is how many deliveries Deliveries reads per query.
const deliveryPage = 500

// Deliveries implements store.DeliveryLog. It reads a page at a time
// (keyset paging on the key).
func (s *Store) Deliveries(ctx context.Context, tenant string, q store.DeliveryQuery) iter.Seq2[store.Delivery, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.Delivery](err)
	}
	if err := driver.CheckDeliveryQuery(q); err != nil {
		return driver.Fail[store.Delivery](err)
	}
	if !storable(q.Prefix, q.After) {
		return nothing[store.Delivery](ctx, s)
	}
	return func(yield func(store.Delivery, error) bool) {
		after, from, n := q.After, max(q.After, q.Prefix), 0
		for {
			page := 0
			for d, err := range collect(ctx, s, tenant, func(r pgx.Rows) (store.Delivery, error) { return scanDelivery(r) },
				s.dq.deliveries, tenant, after, from, string(q.State), deliveryPage) {
				if err != nil {
					yield(store.Delivery{}, err)
					return
				}
				page++
				after = d.Key
				if !driver.DeliveryMatches(q, d) {
					return // past the prefix
				}
				if !yield(d, nil) {
					return
				}
				if n++; q.Limit > 0 && n >= q.Limit {
					return
				}
			}
			if page < deliveryPage {
				return
			}
		}
	}
}

// Checkpoint implements store.DeliveryLog.
func (s *Store) Checkpoint(ctx context.Context, tenant, job string) (time.Time, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckJob(job); err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.dq.checkpoint, tenant, job).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&at)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
	})
	if err != nil {
		return time.Time{}, err
	}
	if at.IsZero() {
		return time.Time{}, nil
	}
	return at.UTC(), nil
}

// SetCheckpoint implements store.DeliveryLog: one statement that keeps
// the later of the stored and the given time.
func (s *Store) SetCheckpoint(ctx context.Context, tenant, job string, at time.Time) (time.Time, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckJob(job); err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckCheckpoint(at); err != nil {
		return time.Time{}, err
	}
	if err := s.writable(); err != nil {
		return time.Time{}, err
	}
	var now time.Time
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.dq.setCheckpoint, tenant, job, driver.DeliveryTime(at)).QueryRow(func(row pgx.Row) error { return row.Scan(&now) })
	})
	if err != nil {
		return time.Time{}, err
	}
	return now.UTC(), nil
}
