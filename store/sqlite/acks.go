package sqlite

import (
	"context"
	"database/sql"
	"iter"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.AckReader = (*Store)(nil)

// Acks implements store.AckReader: one query through the covering index
// records_by_ack (tenant, activity_id, digest, seq, sent_at, person_id,
// channel, plan_id), which reads no record's body. See store.AckReader for what that does and does not
// verify.
func (s *Store) Acks(ctx context.Context, tenant string, q store.AckQuery) iter.Seq2[store.AckRecord, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.AckRecord](err)
	}
	if err := driver.CheckAckQuery(q); err != nil {
		return driver.Fail[store.AckRecord](err)
	}
	// person_id > '': an acknowledgement (other records hold NULL; no
	// acknowledgement has an empty person ID).
	query := `SELECT seq, plan_id, person_id, digest, sent_at, channel FROM records INDEXED BY records_by_ack
		WHERE tenant = ? AND activity_id = ? AND person_id > ''`
	args := []any{tenant, q.ActivityID}
	if q.PlanID != "" {
		query += ` AND plan_id = ?`
		args = append(args, q.PlanID)
	}
	if len(q.Digests) > 0 {
		query += ` AND digest IN (?` + strings.Repeat(`, ?`, len(q.Digests)-1) + `)`
		for _, d := range q.Digests {
			args = append(args, d)
		}
	}
	from, to := driver.SentBounds(store.RecordQuery{From: q.From, To: q.To})
	if !from.IsZero() {
		query += ` AND sent_at >= ?`
		args = append(args, from.UnixMicro())
	}
	if !to.IsZero() {
		query += ` AND sent_at < ?`
		args = append(args, to.UnixMicro())
	}
	query += ` ORDER BY seq`
	return func(yield func(store.AckRecord, error) bool) {
		// The digests and channels repeat from row to row: scanned as
		// bytes and kept once each (RawBytes is valid until Next).
		var person string
		var digest, channel, plan sql.RawBytes
		var seq, sent int64
		var digests, channels, plans interned
		var out []store.AckRecord
		err := s.query(ctx, query, args, func(r *sql.Rows) error {
			if err := r.Scan(&seq, &plan, &person, &digest, &sent, &channel); err != nil {
				return err
			}
			out = append(out, store.AckRecord{Seq: seq, PlanID: plans.of(plan), ActivityID: q.ActivityID, PersonID: person, Digest: digests.of(digest),
				SentAt: time.UnixMicro(sent).UTC(), Channel: channels.of(channel)})
			return nil
		})
		if err != nil {
			yield(store.AckRecord{}, err)
			return
		}
		for _, a := range out {
			if !yield(a, nil) {
				return
			}
		}
	}
}

// interned keeps one copy of each string it is asked for.
type interned map[string]string

func (m *interned) of(b []byte) string {
	if *m == nil {
		*m = map[string]string{}
	}
	if v, ok := (*m)[string(b)]; ok {
		return v
	}
	v := string(b)
	(*m)[v] = v
	return v
}

// query runs a query and calls row for each row, with the store's error
// handling; it reads all rows before returning.
func (s *Store) query(ctx context.Context, query string, args []any, row func(*sql.Rows) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return s.wrap(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return s.wrap(ctx, err)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}
