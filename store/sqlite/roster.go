package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var _ store.RosterStore = (*Store)(nil)

// SaveRoster implements store.RosterStore, as SavePlan saves a plan: in
// one IMMEDIATE transaction it compares expect with the latest version and
// inserts the next.
func (s *Store) SaveRoster(ctx context.Context, tenant string, r comms.Roster, expect int) (int, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, err
	}
	body, err := driver.EncodeRoster(r)
	if err != nil {
		return 0, err
	}
	return s.saveVersion(ctx, "rosters", "roster", tenant, r.ID, body, expect)
}

const rosterColumns = `id, version, body, saved_at, saved_by, note`

func scanRoster(sc interface{ Scan(...any) error }) (store.RosterVersion, error) {
	var v store.RosterVersion
	var body []byte
	var savedAt string
	if err := sc.Scan(&v.RosterID, &v.Number, &body, &savedAt, &v.SavedBy, &v.Note); err != nil {
		return v, err
	}
	r, err := driver.OpenStoredRoster(v.RosterID, v.Number, body)
	if err != nil {
		return v, err
	}
	v.Roster = r
	if v.SavedAt, err = time.Parse(time.RFC3339Nano, savedAt); err != nil {
		return v, fmt.Errorf("stored roster %s version %d: saved_at: %w", v.RosterID, v.Number, err)
	}
	v.SavedAt = v.SavedAt.UTC()
	return v, nil
}

// Roster implements store.RosterStore. Version 0 means the latest.
func (s *Store) Roster(ctx context.Context, tenant, id string, v int) (store.RosterVersion, error) {
	if err := s.usable(ctx); err != nil {
		return store.RosterVersion{}, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return store.RosterVersion{}, err
	}
	var row *sql.Row
	if v == 0 {
		row = s.db.QueryRowContext(ctx, `SELECT `+rosterColumns+` FROM rosters WHERE tenant = ? AND id = ? ORDER BY version DESC LIMIT 1`, tenant, id)
	} else {
		row = s.db.QueryRowContext(ctx, `SELECT `+rosterColumns+` FROM rosters WHERE tenant = ? AND id = ? AND version = ?`, tenant, id, v)
	}
	ver, err := scanRoster(row)
	if errors.Is(err, sql.ErrNoRows) {
		if v == 0 {
			return store.RosterVersion{}, fmt.Errorf("%w: roster %q", store.ErrNotFound, id)
		}
		return store.RosterVersion{}, fmt.Errorf("%w: roster %q version %d", store.ErrNotFound, id, v)
	}
	if err != nil {
		return store.RosterVersion{}, s.wrap(ctx, err)
	}
	return ver, nil
}

// RosterVersions implements store.RosterStore.
func (s *Store) RosterVersions(ctx context.Context, tenant, id string) iter.Seq2[store.RosterVersion, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.RosterVersion](err)
	}
	return queryAll(ctx, s, func(r *sql.Rows) (store.RosterVersion, error) { return scanRoster(r) },
		`SELECT `+rosterColumns+` FROM rosters WHERE tenant = ? AND id = ? ORDER BY version`, tenant, id)
}

// Rosters implements store.RosterStore.
func (s *Store) Rosters(ctx context.Context, tenant string) iter.Seq2[store.RosterVersion, error] {
	if err := driver.CheckTenant(tenant); err != nil {
		return driver.Fail[store.RosterVersion](err)
	}
	return queryAll(ctx, s, func(r *sql.Rows) (store.RosterVersion, error) { return scanRoster(r) },
		`SELECT `+rosterColumns+` FROM rosters p WHERE tenant = ?
		   AND version = (SELECT MAX(version) FROM rosters WHERE tenant = p.tenant AND id = p.id)
		 ORDER BY id`, tenant)
}
