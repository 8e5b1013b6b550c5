package postgres

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.AckReader = (*Store)(nil)

// Acks implements store.AckReader: one query through the covering partial
// index records_by_ack, in one round trip, which reads no record's body.
func (s *Store) Acks(ctx context.Context, tenant string, q store.AckQuery) iter.Seq2[store.AckRecord, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.AckRecord](err)
	}
	if err := driver.CheckAckQuery(q); err != nil {
		return driver.Fail[store.AckRecord](err)
	}
	if !storable(q.ActivityID, q.PlanID) || !storable(q.Digests...) {
		return nothing[store.AckRecord](ctx, s)
	}
	args := []any{tenant, q.ActivityID}
	where := `tenant = $1 AND activity_id = $2 AND person_id IS NOT NULL AND person_id <> ''`
	if q.PlanID != "" {
		args = append(args, q.PlanID)
		where += fmt.Sprintf(` AND plan_id = $%d`, len(args))
	}
	if len(q.Digests) > 0 {
		args = append(args, q.Digests)
		where += fmt.Sprintf(` AND digest = ANY($%d)`, len(args))
	}
	from, to := driver.SentBounds(store.RecordQuery{From: q.From, To: q.To})
	if !from.IsZero() {
		args = append(args, from)
		where += fmt.Sprintf(` AND sent_at >= $%d`, len(args))
	}
	if !to.IsZero() {
		args = append(args, to)
		where += fmt.Sprintf(` AND sent_at < $%d`, len(args))
	}
	query := `SELECT seq, plan_id, activity_id, person_id, digest, sent_at, COALESCE(channel, '') FROM ` + pgx.Identifier{s.schema, "records"}.Sanitize() +
		` WHERE ` + where + ` ORDER BY seq`
	return collect(ctx, s, tenant, func(r pgx.Rows) (store.AckRecord, error) {
		var a store.AckRecord
		if err := r.Scan(&a.Seq, &a.PlanID, &a.ActivityID, &a.PersonID, &a.Digest, &a.SentAt, &a.Channel); err != nil {
			return a, err
		}
		a.SentAt = a.SentAt.UTC()
		return a, nil
	}, query, args...)
}
