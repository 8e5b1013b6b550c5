package memory

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.DeliveryLog = (*Store)(nil)

// Claim implements store.DeliveryLog, under the tenant's lock.
func (m *Store) Claim(ctx context.Context, tenant, key string, lease time.Duration) (store.Claim, bool, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return store.Claim{}, false, err
	}
	if err := driver.CheckDeliveryKey(key); err != nil {
		return store.Claim{}, false, err
	}
	if err := driver.CheckLease(lease); err != nil {
		return store.Claim{}, false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return store.Claim{}, false, err
	}
	cur, exists := t.deliveries[key]
	next, c, ok := driver.NextClaim(cur, exists, key, m.now(), lease)
	if ok {
		t.deliveries[key] = next
	}
	return c, ok, nil
}

// MarkSent implements store.DeliveryLog.
func (m *Store) MarkSent(ctx context.Context, tenant string, c store.Claim) error {
	return m.update(ctx, tenant, c, func(cur driver.StoredDelivery, exists bool) (driver.StoredDelivery, bool, error) {
		return driver.NextMarkSent(cur, exists, c, m.now())
	})
}

// Release implements store.DeliveryLog.
func (m *Store) Release(ctx context.Context, tenant string, c store.Claim, reason string) error {
	return m.update(ctx, tenant, c, func(cur driver.StoredDelivery, exists bool) (driver.StoredDelivery, bool, error) {
		next, err := driver.NextRelease(cur, exists, c, reason, m.now())
		return next, err == nil, err
	})
}

// update changes the delivery of c's key, under the tenant's lock, as
// next says.
func (m *Store) update(ctx context.Context, tenant string, c store.Claim, next func(driver.StoredDelivery, bool) (driver.StoredDelivery, bool, error)) error {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return err
	}
	if err := driver.CheckClaim(c); err != nil {
		return err
	}
	if t == nil {
		return driver.LostClaim(c)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	cur, exists := t.deliveries[c.Key]
	d, changed, err := next(cur, exists)
	if err != nil {
		return err
	}
	if changed {
		t.deliveries[c.Key] = d
	}
	return nil
}

// Delivery implements store.DeliveryLog.
func (m *Store) Delivery(ctx context.Context, tenant, key string) (store.Delivery, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return store.Delivery{}, err
	}
	if t != nil {
		t.mu.RLock()
		d, ok := t.deliveries[key]
		t.mu.RUnlock()
		if ok {
			return d.Delivery, nil
		}
	}
	return store.Delivery{}, fmt.Errorf("%w: delivery key %q", store.ErrNotFound, key)
}

// Deliveries implements store.DeliveryLog.
func (m *Store) Deliveries(ctx context.Context, tenant string, q store.DeliveryQuery) iter.Seq2[store.Delivery, error] {
	if err := driver.CheckDeliveryQuery(q); err != nil {
		return driver.Fail[store.Delivery](err)
	}
	return listing(ctx, m, tenant, func(t *tenantData) []store.Delivery {
		var out []store.Delivery
		for _, d := range t.deliveries {
			if d.Key > q.After && driver.DeliveryMatches(q, d.Delivery) {
				out = append(out, d.Delivery)
			}
		}
		slices.SortFunc(out, func(a, b store.Delivery) int { return strings.Compare(a.Key, b.Key) })
		if q.Limit > 0 && len(out) > q.Limit {
			out = out[:q.Limit]
		}
		return out
	}, nil)
}

// Checkpoint implements store.DeliveryLog.
func (m *Store) Checkpoint(ctx context.Context, tenant, job string) (time.Time, error) {
	t, err := m.tenant(ctx, tenant, false)
	if err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckJob(job); err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.checkpoints[job], nil
}

// SetCheckpoint implements store.DeliveryLog.
func (m *Store) SetCheckpoint(ctx context.Context, tenant, job string, at time.Time) (time.Time, error) {
	t, err := m.tenant(ctx, tenant, true)
	if err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckJob(job); err != nil {
		return time.Time{}, err
	}
	if err := driver.CheckCheckpoint(at); err != nil {
		return time.Time{}, err
	}
	at = driver.DeliveryTime(at)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	if cur := t.checkpoints[job]; cur.After(at) {
		return cur, nil
	}
	t.checkpoints[job] = at
	return at, nil
}
