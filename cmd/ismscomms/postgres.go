package main

import (
	"context"

	"github.com/ismscomms/ismscomms/store/postgres"
)

// openPostgres opens the PostgreSQL store named by --db, migrating its
// schema ("ismscomms") if the role may. readOnly is the command's mode
// (see openStore). The command works on one tenant
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
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return s, nil
}
