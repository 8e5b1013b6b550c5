package main

import "net/url"

// openPostgres opens the PostgreSQL store named by --db.
func (a *app) openPostgres() (closingStore, error) {
	return nil, inputErr("--db %s: this build has no PostgreSQL store; use a SQLite file path", redactDSN(a.db))
}

// redactDSN returns dsn with any password replaced, for error messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
