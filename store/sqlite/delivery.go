package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.DeliveryLog = (*Store)(nil)

const deliveryColumns = `key, state, attempts, token, claimed_at, lease_until, sent_at, last_error`

// scanDelivery reads deliveryColumns.
func scanDelivery(sc interface{ Scan(...any) error }) (driver.StoredDelivery, error) {
	var d driver.StoredDelivery
	var state string
	var claimed, until, sent int64
	if err := sc.Scan(&d.Key, &state, &d.Attempts, &d.Token, &claimed, &until, &sent, &d.LastError); err != nil {
		return d, err
	}
	d.State = store.DeliveryState(state)
	d.ClaimedAt, d.LeaseUntil = time.UnixMicro(claimed).UTC(), time.UnixMicro(until).UTC()
	if sent != 0 {
		d.SentAt = time.UnixMicro(sent).UTC()
	}
	return d, nil
}

// changeDelivery reads the key's row in an IMMEDIATE transaction (the
// write lock, which every writer of the file, in this process or another,
// queues on), lets next decide, and writes the row next returns, if it
// says so.
func (s *Store) changeDelivery(ctx context.Context, tenant, key string, next func(cur driver.StoredDelivery, exists bool) (driver.StoredDelivery, bool, error)) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE tenant = ? AND key = ?`, tenant, key))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.wrap(ctx, err)
		}
		d, write, err := next(cur, exists)
		if err != nil || !write {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO deliveries (tenant, `+deliveryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, key) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, token = excluded.token,
			claimed_at = excluded.claimed_at, lease_until = excluded.lease_until, sent_at = excluded.sent_at, last_error = excluded.last_error`,
			tenant, key, string(d.State), d.Attempts, d.Token, micros(d.ClaimedAt), micros(d.LeaseUntil), micros(d.SentAt), d.LastError)
		if err != nil {
			return s.wrap(ctx, err)
		}
		return nil
	})
}

// Claim implements store.DeliveryLog: in one IMMEDIATE transaction, so
// that of concurrent claims of a key, from this process or others on the
// same file, one takes it.
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
	var c store.Claim
	var ok bool
	err := s.changeDelivery(ctx, tenant, key, func(cur driver.StoredDelivery, exists bool) (driver.StoredDelivery, bool, error) {
		var next driver.StoredDelivery
		next, c, ok = driver.NextClaim(cur, exists, key, s.now(), lease)
		return next, ok, nil
	})
	if err != nil {
		return store.Claim{}, false, err
	}
	return c, ok, nil
}

// MarkSent implements store.DeliveryLog.
func (s *Store) MarkSent(ctx context.Context, tenant string, c store.Claim) error {
	if err := driver.CheckTenant(tenant); err != nil {
		return err
	}
	if err := driver.CheckClaim(c); err != nil {
		return err
	}
	return s.changeDelivery(ctx, tenant, c.Key, func(cur driver.StoredDelivery, exists bool) (driver.StoredDelivery, bool, error) {
		return driver.NextMarkSent(cur, exists, c, s.now())
	})
}

// Release implements store.DeliveryLog.
func (s *Store) Release(ctx context.Context, tenant string, c store.Claim, reason string) error {
	if err := driver.CheckTenant(tenant); err != nil {
		return err
	}
	if err := driver.CheckClaim(c); err != nil {
		return err
	}
	return s.changeDelivery(ctx, tenant, c.Key, func(cur driver.StoredDelivery, exists bool) (driver.StoredDelivery, bool, error) {
		next, err := driver.NextRelease(cur, exists, c, reason, s.now())
		return next, err == nil, err
	})
}

// Delivery implements store.DeliveryLog.
func (s *Store) Delivery(ctx context.Context, tenant, key string) (store.Delivery, error) {
	if err := s.usable(ctx); err != nil {
		return store.Delivery{}, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Delivery{}, err
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE tenant = ? AND key = ?`, tenant, key))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Delivery{}, fmt.Errorf("%w: delivery key %q", store.ErrNotFound, key)
	}
	if err != nil {
		return store.Delivery{}, s.wrap(ctx, err)
	}
	return d.Delivery, nil
}

// deliveryPage is how many deliveries Deliveries reads per query.
const deliveryPage = 500

// Deliveries implements store.DeliveryLog. It reads a page at a time
// (keyset paging on the key, which the primary key orders by bytes).
func (s *Store) Deliveries(ctx context.Context, tenant string, q store.DeliveryQuery) iter.Seq2[store.Delivery, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.Delivery](err)
	}
	if err := driver.CheckDeliveryQuery(q); err != nil {
		return driver.Fail[store.Delivery](err)
	}
	return func(yield func(store.Delivery, error) bool) {
		// Keys with the prefix sort together, from the prefix itself on.
		after, from, n := q.After, max(q.After, q.Prefix), 0
		for {
			query := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE tenant = ? AND key > ? AND key >= ?`
			args := []any{tenant, after, from}
			if q.State != "" {
				query += ` AND state = ?`
				args = append(args, string(q.State))
			}
			query += ` ORDER BY key LIMIT ?`
			args = append(args, deliveryPage)
			page := 0
			for d, err := range queryAll(ctx, s, func(r *sql.Rows) (driver.StoredDelivery, error) { return scanDelivery(r) }, query, args...) {
				if err != nil {
					yield(store.Delivery{}, err)
					return
				}
				page++
				after = d.Key
				if !driver.DeliveryMatches(q, d.Delivery) {
					return // past the prefix
				}
				if !yield(d.Delivery, nil) {
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
	if err := s.usable(ctx); err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckJob(job); err != nil {
		return time.Time{}, err
	}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT at FROM checkpoints WHERE tenant = ? AND job = ?`, tenant, job).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, s.wrap(ctx, err)
	}
	return time.UnixMicro(at).UTC(), nil
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
	var now int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO checkpoints (tenant, job, at) VALUES (?, ?, ?)
			ON CONFLICT (tenant, job) DO UPDATE SET at = max(at, excluded.at) RETURNING at`, tenant, job, micros(driver.DeliveryTime(at))).Scan(&now)
		if err != nil {
			return s.wrap(ctx, err)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(now).UTC(), nil
}
