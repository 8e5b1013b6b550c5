package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.RosterStore = (*Store)(nil)

// rosterQueries are the statements of store.RosterStore, qualified with
// the store's schema.
type rosterQueries struct {
	latestVersion, insert, latest, version, all, versions string
}

func newRosterQueries(schema string) rosterQueries {
	t := pgx.Identifier{schema, "rosters"}.Sanitize()
	const columns = `id, version, body, saved_at, saved_by, note`
	return rosterQueries{
		latestVersion: `SELECT COALESCE(MAX(version), 0) FROM ` + t + ` WHERE tenant = $1 AND id = $2`,
		insert:        `INSERT INTO ` + t + ` (tenant, id, version, body, saved_at, saved_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		latest:        `SELECT ` + columns + ` FROM ` + t + ` WHERE tenant = $1 AND id = $2 ORDER BY version DESC LIMIT 1`,
		version:       `SELECT ` + columns + ` FROM ` + t + ` WHERE tenant = $1 AND id = $2 AND version = $3`,
		all:           `SELECT DISTINCT ON (id) ` + columns + ` FROM ` + t + ` WHERE tenant = $1 ORDER BY id, version DESC`,
		versions:      `SELECT ` + columns + ` FROM ` + t + ` WHERE tenant = $1 AND id = $2 ORDER BY version`,
	}
}

// SaveRoster implements store.RosterStore, as SavePlan saves a plan: two
// round trips, [BEGIN, set_config, the latest version] and [insert,
// COMMIT]; the primary key settles a race of savers.
func (s *Store) SaveRoster(ctx context.Context, tenant string, r comms.Roster, expect int) (int, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, err
	}
	body, err := driver.EncodeRoster(r)
	if err != nil {
		return 0, err
	}
	info := driver.SaveInfoFrom(ctx)
	var latest, version int
	err = s.write(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.rq.latestVersion, tenant, r.ID).QueryRow(func(row pgx.Row) error { return row.Scan(&latest) })
	}, func(b *pgx.Batch) error {
		if latest != expect {
			return fmt.Errorf("%w: roster %q is at version %d, not %d", store.ErrConflict, r.ID, latest, expect)
		}
		version = latest + 1
		b.Queue(s.rq.insert, tenant, r.ID, version, string(body), s.now().UTC(), info.By, info.Note)
		return nil
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return 0, fmt.Errorf("%w: roster %q version %d was saved concurrently", store.ErrConflict, r.ID, version)
	}
	if err != nil {
		return 0, err
	}
	return version, nil
}

func scanRoster(row pgx.Row) (store.RosterVersion, error) {
	var v store.RosterVersion
	var body []byte
	if err := row.Scan(&v.RosterID, &v.Number, &body, &v.SavedAt, &v.SavedBy, &v.Note); err != nil {
		return v, err
	}
	r, err := driver.OpenStoredRoster(v.RosterID, v.Number, body)
	if err != nil {
		return v, err
	}
	v.Roster = r
	v.SavedAt = v.SavedAt.UTC()
	return v, nil
}

// Roster implements store.RosterStore. Version 0 means the latest.
func (s *Store) Roster(ctx context.Context, tenant, id string, v int) (store.RosterVersion, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return store.RosterVersion{}, err
	}
	notFound := fmt.Errorf("%w: roster %q version %d", store.ErrNotFound, id, v)
	if v == 0 {
		notFound = fmt.Errorf("%w: roster %q", store.ErrNotFound, id)
	}
	if !storable(id) {
		return store.RosterVersion{}, s.withRetry(ctx, func() error { return notFound })
	}
	var ver store.RosterVersion
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		var q *pgx.QueuedQuery
		if v == 0 {
			q = b.Queue(s.rq.latest, tenant, id)
		} else {
			q = b.Queue(s.rq.version, tenant, id, v)
		}
		q.QueryRow(func(row pgx.Row) error {
			var err error
			ver, err = scanRoster(row)
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound
			}
			return err
		})
	})
	if err != nil {
		return store.RosterVersion{}, err
	}
	return ver, nil
}

// RosterVersions implements store.RosterStore.
func (s *Store) RosterVersions(ctx context.Context, tenant, id string) iter.Seq2[store.RosterVersion, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.RosterVersion](err)
	}
	if !storable(id) {
		return nothing[store.RosterVersion](ctx, s)
	}
	return collect(ctx, s, tenant, func(r pgx.Rows) (store.RosterVersion, error) { return scanRoster(r) }, s.rq.versions, tenant, id)
}

// Rosters implements store.RosterStore.
func (s *Store) Rosters(ctx context.Context, tenant string) iter.Seq2[store.RosterVersion, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.RosterVersion](err)
	}
	all := collect(ctx, s, tenant, func(r pgx.Rows) (store.RosterVersion, error) { return scanRoster(r) }, s.rq.all, tenant)
	// In byte order of ID, which the database's collation need not follow.
	return func(yield func(store.RosterVersion, error) bool) {
		var out []store.RosterVersion
		for v, err := range all {
			if err != nil {
				yield(store.RosterVersion{}, err)
				return
			}
			out = append(out, v)
		}
		driver.SortRosters(out)
		for _, v := range out {
			if !yield(v, nil) {
				return
			}
		}
	}
}
