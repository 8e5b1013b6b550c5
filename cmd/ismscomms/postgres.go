package main

import (
	"context"
	"errors"
	"strings"

	"github.com/ismscomms/ismscomms/store/postgres"
)

// openPostgres opens the PostgreSQL store named by --db. A write migrates
// its schema ("ismscomms") if the role may; a read (readOnly) never does,
// and runs read-only transactions. The command works on one tenant
// at a time (--tenant), so it accepts a role that row-level security does
// not bind, such as the schema's owner; application servers should not.
// --lock-timeout bounds both the connection and every wait for a lock.
func (a *app) openPostgres(readOnly bool) (closingStore, error) {
	ctx, cancel := context.WithTimeout(context.Background(), a.lockTimeout)
	defer cancel()
	s, err := postgres.Open(ctx, a.db, &postgres.Options{
		AllowPrivilegedRole: true,
		Now:                 a.storeNow,
		MaxConns:            2,
		LockTimeout:         a.lockTimeout,
		ReadOnly:            readOnly,
	})
	switch {
	case readOnly && errors.Is(err, postgres.ErrSchemaMissing):
		return nil, errorf(exitStore, "no store at %s: the database has no ismscomms schema (a command that only reads never creates one)", postgres.RedactDSN(a.db))
	case errors.Is(err, postgres.ErrSchemaTooOld):
		return nil, errorf(exitStore, "cannot open the store: %w (a command that writes, such as plan save, migrates it)", err)
	case err != nil:
		return nil, storeErr(err)
	}
	return s, nil
}

// dbName is --db as it may be shown: a PostgreSQL DSN without its password.
func (a *app) dbName() string {
	if strings.HasPrefix(a.db, "postgres://") || strings.HasPrefix(a.db, "postgresql://") {
		return postgres.RedactDSN(a.db)
	}
	return a.db
}
