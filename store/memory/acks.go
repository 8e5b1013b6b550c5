package memory

import (
	"context"
	"iter"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.AckReader = (*Store)(nil)

// Acks implements store.AckReader: from the columns the store keeps of
// each record, as a database store does, under the tenant's read lock.
func (m *Store) Acks(ctx context.Context, tenant string, q store.AckQuery) iter.Seq2[store.AckRecord, error] {
	if err := driver.CheckAckQuery(q); err != nil {
		return driver.Fail[store.AckRecord](err)
	}
	return listing(ctx, m, tenant, func(t *tenantData) []store.AckRecord {
		var out []store.AckRecord
		for i, c := range t.columns {
			if driver.AckMatches(q, c) {
				out = append(out, driver.AckOf(t.records[i].Seq, c))
			}
		}
		return out
	}, nil)
}
