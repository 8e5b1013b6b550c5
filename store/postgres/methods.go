package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

// SavePlan implements store.Store.
func (s *Store) SavePlan(ctx context.Context, tenant string, p comms.Plan, expect int) (int, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, err
	}
	body, err := driver.EncodePlan(p)
	if err != nil {
		return 0, err
	}
	info := driver.SaveInfoFrom(ctx)
	var latest, version int
	err = s.write(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.q.latestVersion, tenant, p.ID).QueryRow(func(row pgx.Row) error { return row.Scan(&latest) })
	}, func(b *pgx.Batch) error {
		if latest != expect {
			return fmt.Errorf("%w: plan %q is at version %d, not %d", store.ErrConflict, p.ID, latest, expect)
		}
		version = latest + 1
		b.Queue(s.q.insertPlan, tenant, p.ID, version, string(body), s.now().UTC(), info.By, info.Note)
		return nil
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return 0, fmt.Errorf("%w: plan %q version %d was saved concurrently", store.ErrConflict, p.ID, version)
	}
	if err != nil {
		return 0, err
	}
	return version, nil
}

func scanVersion(row pgx.Row) (store.Version, error) {
	var v store.Version
	var body []byte
	if err := row.Scan(&v.PlanID, &v.Number, &body, &v.SavedAt, &v.SavedBy, &v.Note); err != nil {
		return v, err
	}
	p, err := driver.DecodePlan(body)
	if err != nil {
		return v, fmt.Errorf("stored plan %s version %d: %w", v.PlanID, v.Number, err)
	}
	if p.ID != v.PlanID {
		return v, fmt.Errorf("%w: stored plan %s version %d holds plan %q", store.ErrCorrupt, v.PlanID, v.Number, p.ID)
	}
	v.Plan = p
	v.SavedAt = v.SavedAt.UTC()
	return v, nil
}

// Plan implements store.Store.
func (s *Store) Plan(ctx context.Context, tenant, id string) (store.Version, error) {
	return s.PlanVersion(ctx, tenant, id, 0)
}

// PlanVersion implements store.Store. Version 0 means the latest.
func (s *Store) PlanVersion(ctx context.Context, tenant, id string, v int) (store.Version, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Version{}, err
	}
	notFound := fmt.Errorf("%w: plan %q version %d", store.ErrNotFound, id, v)
	if v == 0 {
		notFound = fmt.Errorf("%w: plan %q", store.ErrNotFound, id)
	}
	if !storable(id) {
		return store.Version{}, s.withRetry(ctx, func() error { return notFound })
	}
	var ver store.Version
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		var q *pgx.QueuedQuery
		if v == 0 {
			q = b.Queue(s.q.planLatest, tenant, id)
		} else {
			q = b.Queue(s.q.planVersion, tenant, id, v)
		}
		q.QueryRow(func(row pgx.Row) error {
			var err error
			ver, err = scanVersion(row)
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound
			}
			return err
		})
	})
	if err != nil {
		return store.Version{}, err
	}
	return ver, nil
}

// collect runs a tenant's query in one round trip and reads every row
// through scan before yielding, so that the caller may use the store
// meanwhile.
func collect[T any](ctx context.Context, s *Store, tenant string, scan func(pgx.Rows) (T, error), query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var buf []T // one per iteration
		collectInto(ctx, s, tenant, &buf, scan, query, args...)(yield)
	}
}

// collectInto is collect reading the rows into *buf, which it reuses: a
// caller that runs one query after another (Records, a page at a time)
// passes the same buffer to each, so that a page costs no allocation of
// its own. The values are yielded by copy; the buffer keeps the last
// query's until the next.
func collectInto[T any](ctx context.Context, s *Store, tenant string, buf *[]T, scan func(pgx.Rows) (T, error), query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		out := (*buf)[:0]
		defer func() { *buf = out }()
		var scanErr error // a row that would not scan: the rows before it are good
		err := s.batch(ctx, tenant, func(b *pgx.Batch) {
			b.Queue(query, args...).Query(func(rows pgx.Rows) error {
				out, scanErr = out[:0], nil
				for rows.Next() {
					v, err := scan(rows)
					if err != nil {
						scanErr = err
						return nil
					}
					out = append(out, v)
				}
				return rows.Err()
			})
		})
		var zero T
		if err != nil {
			yield(zero, err)
			return
		}
		// The good rows, then the bad one's error, so that a reader that
		// goes on after a refused record (evidence.ReadRecords) loses none.
		for _, v := range out {
			if !yield(v, nil) {
				return
			}
		}
		if scanErr != nil {
			yield(zero, scanErr)
		}
	}
}

// storable reports whether PostgreSQL's text can hold s: valid UTF-8
// without NUL. A lookup or a query by an ID it cannot hold matches
// nothing (the store never accepted one), where the server would refuse
// the statement.
func storable(s ...string) bool {
	for _, v := range s {
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			return false
		}
	}
	return true
}

// nothing is the sequence of a query that matches nothing: it yields the
// error a query would have met first (a done context, a closed store),
// or nothing.
func nothing[T any](ctx context.Context, s *Store) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := ctx.Err(); err != nil {
			yield(zero, err)
		} else if s.closed.Load() {
			yield(zero, fmt.Errorf("postgres: the store was closed: %w", store.ErrClosed))
		}
	}
}

// Plans implements store.Store.
func (s *Store) Plans(ctx context.Context, tenant string) iter.Seq2[store.Version, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.Version](err)
	}
	plans := collect(ctx, s, tenant, func(r pgx.Rows) (store.Version, error) { return scanVersion(r) }, s.q.plans, tenant)
	// In byte order of ID, which the database's collation need not follow.
	return func(yield func(store.Version, error) bool) {
		var out []store.Version
		for v, err := range plans {
			if err != nil {
				yield(store.Version{}, err)
				return
			}
			out = append(out, v)
		}
		driver.SortPlans(out)
		for _, v := range out {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Versions implements store.Store.
func (s *Store) Versions(ctx context.Context, tenant, id string) iter.Seq2[store.Version, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.Version](err)
	}
	if !storable(id) {
		return nothing[store.Version](ctx, s)
	}
	return collect(ctx, s, tenant, func(r pgx.Rows) (store.Version, error) { return scanVersion(r) }, s.q.versions, tenant, id)
}

// SaveEvent implements store.Store.
func (s *Store) SaveEvent(ctx context.Context, tenant string, e comms.Event) error {
	if err := driver.CheckTenant(tenant); err != nil {
		return err
	}
	if err := driver.CheckEvent(e); err != nil {
		return err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	var start *time.Time
	if t := e.Start(); !t.IsZero() {
		start = &t
	}
	return s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.q.saveEvent, tenant, e.ID, e.Kind, start, string(body))
	})
}

// scanEvent reads an event's ID and body and checks them against q (nil
// for a lookup by ID).
func scanEvent(row pgx.Row, q *store.EventQuery) (comms.Event, error) {
	var id string
	var body []byte
	if err := row.Scan(&id, &body); err != nil {
		return comms.Event{}, err
	}
	return driver.OpenStoredEvent(id, body, q)
}

// Event implements store.Store.
func (s *Store) Event(ctx context.Context, tenant, id string) (comms.Event, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return comms.Event{}, err
	}
	if !storable(id) {
		return comms.Event{}, s.withRetry(ctx, func() error { return fmt.Errorf("%w: event %q", store.ErrNotFound, id) })
	}
	var e comms.Event
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.q.event, tenant, id).QueryRow(func(row pgx.Row) error {
			var err error
			e, err = scanEvent(row, nil)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("%w: event %q", store.ErrNotFound, id)
			}
			return err
		})
	})
	if err != nil {
		return comms.Event{}, err
	}
	return e, nil
}

// Events implements store.Store.
func (s *Store) Events(ctx context.Context, tenant string, q store.EventQuery) iter.Seq2[comms.Event, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[comms.Event](err)
	}
	if !storable(q.Kind) {
		return nothing[comms.Event](ctx, s)
	}
	query := `SELECT id, body FROM ` + pgx.Identifier{s.schema, "events"}.Sanitize() + ` WHERE tenant = $1`
	args := []any{tenant}
	if q.Kind != "" {
		args = append(args, q.Kind)
		query += fmt.Sprintf(` AND kind = $%d`, len(args))
	}
	from, to := driver.StartBounds(q)
	if !from.IsZero() {
		args = append(args, from)
		query += fmt.Sprintf(` AND start >= $%d`, len(args))
	}
	if !to.IsZero() {
		args = append(args, to)
		query += fmt.Sprintf(` AND (start < $%d OR start IS NULL)`, len(args)) // no milestones: the zero start, before any bound
	}
	query += ` ORDER BY start NULLS FIRST, id`
	events := collect(ctx, s, tenant, func(r pgx.Rows) (comms.Event, error) { return scanEvent(r, &q) }, query, args...)
	// The query compared start to the microsecond; the body holds the
	// exact time.
	return driver.ExactEvents(q, events)
}

// AppendRecord implements store.Store: it locks the tenant's chain head
// and, for a keyed record, looks its key up (the statement after the
// lock sees every append committed before it); it answers a retry with
// the record stored, or seals the record after the head, inserts it and
// moves the head; in one transaction of two round trips. Once it holds
// the lock, the append completes even if ctx is cancelled, so that an
// error means the record was not appended — except when the connection
// is lost during the commit itself, which no client can tell apart:
// append again with the same idempotency key, which returns the record if
// it was stored.
func (s *Store) AppendRecord(ctx context.Context, tenant string, r comms.Record) (comms.Record, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return comms.Record{}, err
	}
	if err := driver.CheckRecord(r); err != nil {
		return comms.Record{}, err
	}
	var seq int64
	var prev string
	var found *driver.Stored
	var sealed comms.Record
	var edge frontier
	err := s.write(ctx, tenant, func(b *pgx.Batch) {
		found = nil
		edge = frontier{}
		b.Queue(s.q.lockHead, tenant).QueryRow(func(row pgx.Row) error { return row.Scan(&seq, &prev) })
		b.Queue(s.tq.frontier, tenant).Query(edge.scan)
		if r.IdempotencyKey != "" {
			b.Queue(s.q.recordByKey, tenant, r.IdempotencyKey).QueryRow(func(row pgx.Row) error {
				var columns driver.Columns
				st, err := scanStored(row, &columns)
				switch {
				case errors.Is(err, pgx.ErrNoRows):
					return nil
				case err != nil:
					return err
				}
				found = &st
				return nil
			})
		}
	}, func(b *pgx.Batch) error {
		if found != nil {
			var err error
			if sealed, err = driver.Replay(tenant, *found, r); err != nil {
				return err
			}
			return errReplayed
		}
		next := seq + 1
		if err := driver.CheckCorrects(r, next); err != nil {
			return err
		}
		var body []byte
		sealed, body = driver.Seal(tenant, next, prev, s.now(), r)
		var key *string
		if sealed.IdempotencyKey != "" {
			key = &sealed.IdempotencyKey
		}
		person, digest, channel := ackColumns(sealed)
		levels, nodes, hashes, err := treeRows(tenant, seq, edge, [][]byte{body})
		if err != nil {
			return err
		}
		b.Queue(s.q.insertRecord, tenant, next, sealed.PlanID, sealed.ActivityID, sealed.EventID, sealed.SentAt, body, sealed.Hash, key, person, digest, channel)
		b.Queue(s.tq.insert, tenant, levels, nodes, hashes)
		b.Queue(s.q.moveHead, tenant, next, sealed.Hash)
		return nil
	})
	if errors.Is(err, errReplayed) {
		return sealed, nil
	}
	if err != nil {
		return comms.Record{}, s.appendTreeErr(ctx, tenant, seq, err)
	}
	return sealed, nil
}

// errReplayed ends the transaction of an append that a stored record
// answers: nothing to write.
var errReplayed = errors.New("postgres: replayed")

// AppendRecords implements store.BatchAppender, in one transaction of two
// round trips as AppendRecord: it locks the tenant's chain head and looks
// every key of the batch up in one statement (= ANY), seals the batch,
// then inserts its new records in one statement (unnest of one array per
// column) and moves the head once.
func (s *Store) AppendRecords(ctx context.Context, tenant string, rs []comms.Record) ([]comms.Record, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return nil, err
	}
	if err := driver.CheckBatch(rs); err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		if err := s.withRetry(ctx, func() error { return nil }); err != nil {
			return nil, err
		}
		return nil, nil
	}
	keys := driver.Keys(rs)
	var head store.Head
	var found map[string]driver.Stored
	var out []comms.Record
	var edge frontier
	err := s.write(ctx, tenant, func(b *pgx.Batch) {
		found = map[string]driver.Stored{}
		edge = frontier{}
		b.Queue(s.q.lockHead, tenant).QueryRow(func(row pgx.Row) error { return row.Scan(&head.Seq, &head.Hash) })
		b.Queue(s.tq.frontier, tenant).Query(edge.scan)
		if len(keys) > 0 {
			b.Queue(s.q.recordsByKeys, tenant, keys).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					st, err := scanStored(rows, new(driver.Columns))
					if err != nil {
						return err
					}
					found[st.Columns.IdempotencyKey] = st
				}
				return rows.Err()
			})
		}
	}, func(b *pgx.Batch) error {
		pending, next, err := driver.SealBatch(tenant, head, s.now(), rs, func(key string) (driver.Stored, bool, error) {
			st, ok := found[key]
			return st, ok, nil
		})
		if err != nil {
			return err
		}
		out = make([]comms.Record, len(pending))
		var (
			seqs                       []int64
			planIDs, activityIDs, evts []string
			sent                       []time.Time
			bodies                     [][]byte
			hashes                     []string
			recordKeys                 []*string
			persons, digests, channels []*string
		)
		for i, p := range pending {
			out[i] = p.Record
			if p.Body == nil {
				continue
			}
			r := p.Record
			seqs = append(seqs, r.Seq)
			planIDs = append(planIDs, r.PlanID)
			activityIDs = append(activityIDs, r.ActivityID)
			evts = append(evts, r.EventID)
			sent = append(sent, r.SentAt)
			bodies = append(bodies, p.Body)
			hashes = append(hashes, r.Hash)
			var key *string
			if r.IdempotencyKey != "" {
				key = &r.IdempotencyKey
			}
			recordKeys = append(recordKeys, key)
			person, digest, channel := ackColumns(r)
			persons, digests, channels = append(persons, person), append(digests, digest), append(channels, channel)
		}
		if len(seqs) == 0 {
			return errReplayed
		}
		levels, nodes, tree, err := treeRows(tenant, head.Seq, edge, bodies)
		if err != nil {
			return err
		}
		b.Queue(s.q.insertRecords, tenant, seqs, planIDs, activityIDs, evts, sent, bodies, hashes, recordKeys, persons, digests, channels)
		b.Queue(s.tq.insert, tenant, levels, nodes, tree)
		b.Queue(s.q.moveHead, tenant, next.Seq, next.Hash)
		return nil
	})
	if err != nil && !errors.Is(err, errReplayed) {
		return nil, s.appendTreeErr(ctx, tenant, head.Seq, err)
	}
	return out, nil
}

// ackColumns are the person_id, digest and channel columns of the sealed
// record r: NULL but for an acknowledgement.
func ackColumns(r comms.Record) (person, digest, channel *string) {
	c := driver.ColumnsOf(r)
	if !c.IsAck() {
		return nil, nil, nil
	}
	return &c.PersonID, &c.Digest, &c.Channel
}

// scanStored reads storedColumns into a Stored whose Columns is c (reused
// from row to row).
func scanStored(row pgx.Row, c *driver.Columns) (driver.Stored, error) {
	st := driver.Stored{Columns: c}
	var key, person, digest, channel *string
	if err := row.Scan(&st.Seq, &st.Body, &st.Hash, &c.PlanID, &c.ActivityID, &c.EventID, &c.SentAt, &key, &person, &digest, &channel); err != nil {
		return st, err
	}
	c.SentAt = c.SentAt.UTC()
	text := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	c.IdempotencyKey, c.PersonID, c.Digest, c.Channel = text(key), text(person), text(digest), text(channel)
	return st, nil
}

// scanLogRow is scanStored for Verify's rows: the body is the driver's
// (pgtype.DriverBytes, valid until the next row), which VerifyChain
// copies if it keeps it, where scanStored's is a copy of its own.
func scanLogRow(rows pgx.Rows, c *driver.Columns) (driver.Stored, error) {
	st := driver.Stored{Columns: c}
	var body pgtype.DriverBytes
	var key, person, digest, channel pgtype.Text
	if err := rows.Scan(&st.Seq, &body, &st.Hash, &c.PlanID, &c.ActivityID, &c.EventID, &c.SentAt, &key, &person, &digest, &channel); err != nil {
		return st, err
	}
	st.Body = body
	c.SentAt = c.SentAt.UTC()
	c.IdempotencyKey, c.PersonID, c.Digest, c.Channel = key.String, person.String, digest.String, channel.String
	return st, nil
}

// recordPage is how many records Records reads per round trip.
const recordPage = 1000

// Records implements store.Store. It reads a page at a time (keyset paging
// on the sequence number), one round trip per page, so that no
// transaction stays open while the caller works through a long listing.
func (s *Store) Records(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return s.records(ctx, tenant, q, false)
}

// Communications implements store.AckReader: Records without the
// acknowledgements, which it leaves out by their person_id column (NULL
// for every other record).
func (s *Store) Communications(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	return s.records(ctx, tenant, q, true)
}

// records is Records, less the acknowledgements if noAcks.
func (s *Store) records(ctx context.Context, tenant string, q store.RecordQuery, noAcks bool) iter.Seq2[comms.Record, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[comms.Record](err)
	}
	if err := driver.CheckRecordQuery(q); err != nil {
		return driver.Fail[comms.Record](err)
	}
	if !storable(q.PlanID, q.ActivityID, q.EventID) {
		return nothing[comms.Record](ctx, s)
	}
	args := []any{tenant, int64(0)}
	where := `tenant = $1 AND seq > $2`
	for _, f := range []struct{ col, val string }{{"plan_id", q.PlanID}, {"activity_id", q.ActivityID}, {"event_id", q.EventID}} {
		if f.val != "" {
			args = append(args, f.val)
			where += fmt.Sprintf(` AND %s = $%d`, f.col, len(args))
		}
	}
	from, to := driver.SentBounds(q)
	if !from.IsZero() {
		args = append(args, from)
		where += fmt.Sprintf(` AND sent_at >= $%d`, len(args))
	}
	if !to.IsZero() {
		args = append(args, to)
		where += fmt.Sprintf(` AND sent_at < $%d`, len(args))
	}
	open := driver.OpenStored
	if noAcks {
		where += ` AND person_id IS NULL`
		open = func(tenant string, st driver.Stored, q store.RecordQuery) (comms.Record, error) {
			return driver.OpenCommunication(tenant, "person_id", st, q)
		}
	}
	args = append(args, 0)
	// The columns selected by are not read back: OpenStored checks each
	// record against q by its hashed content (Verify checks the columns).
	query := `SELECT seq, body, hash FROM ` + pgx.Identifier{s.schema, "records"}.Sanitize() + ` WHERE ` + where +
		fmt.Sprintf(` ORDER BY seq LIMIT $%d`, len(args))
	scan := func(r pgx.Rows) (comms.Record, error) {
		var st driver.Stored
		// The body is read in place (valid until the next row):
		// OpenStored makes the one copy of it the record keeps.
		var body pgtype.DriverBytes
		if err := r.Scan(&st.Seq, &body, &st.Hash); err != nil {
			return comms.Record{}, err
		}
		st.Body = body
		return open(tenant, st, q)
	}
	return func(yield func(comms.Record, error) bool) {
		// Pages reads one page after the other, so that the pages of
		// one iteration share a buffer.
		page := make([]comms.Record, 0, recordPage)
		driver.Pages(q, recordPage, func(after int64, limit int) iter.Seq2[comms.Record, error] {
			pageArgs := slices.Clone(args)
			pageArgs[1], pageArgs[len(pageArgs)-1] = after, limit
			return collectInto(ctx, s, tenant, &page, scan, query, pageArgs...)
		})(yield)
	}
}

// verifyRows streams rows, the log read by the verifyRecords query,
// through driver.VerifyChainLeaves: the head verified and the chain's
// error, or the error that ended the read.
func verifyRows(ctx context.Context, tenant string, rows pgx.Rows, head store.Head, leaf func(int64, []byte) error) (verified store.Head, chainErr, readErr error) {
	var columns driver.Columns
	verified, chainErr = driver.VerifyChainLeaves(ctx, tenant, func(yield func(driver.Stored, error) bool) {
		for rows.Next() {
			st, err := scanLogRow(rows, &columns)
			if err != nil {
				readErr = err
				return
			}
			if !yield(st, nil) {
				return
			}
		}
		readErr = rows.Err()
	}, head, leaf)
	return verified, chainErr, readErr
}

// Verify implements store.Store. It reads the head and the log in one
// REPEATABLE READ transaction, so that appends in the meantime do not look
// like a broken chain, and streams the records rather than holding them.
func (s *Store) Verify(ctx context.Context, tenant string) (store.Head, error) {
	return s.VerifyLeaves(ctx, tenant, nil)
}

// VerifyLeaves implements store.LeafVerifier, reading the log as Verify
// does.
func (s *Store) VerifyLeaves(ctx context.Context, tenant string, leaf func(seq int64, data []byte) error) (store.Head, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return store.Head{}, err
	}
	var verified store.Head
	var chainErr error
	err := s.snapshot(ctx, tenant, func(b *pgx.Batch) {
		var head store.Head
		b.Queue(s.q.head, tenant).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&head.Seq, &head.Hash); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		b.Queue(s.q.verifyRecords, tenant).Query(func(rows pgx.Rows) error {
			var readErr error
			verified, chainErr, readErr = verifyRows(ctx, tenant, rows, head, leaf)
			return readErr
		})
	})
	if err != nil {
		return store.Head{}, err
	}
	return verified, chainErr
}
