package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The tests need a PostgreSQL server and a role on it that may create
// roles and schemas: ISMSCOMMS_TEST_POSTGRES is its URL. .ci/run starts a
// throwaway server and sets it; locally:
//
//	eval "$(.ci/postgres start /tmp/ismscomms-pg)"
//	go test ./store/postgres/
//	.ci/postgres stop /tmp/ismscomms-pg
//
// Each test gets a schema of its own. The tests create two roles: a schema
// owner and an application role with no privilege of its own.
const envDSN = "ISMSCOMMS_TEST_POSTGRES"

const (
	ownerRole     = "ismscomms_test_owner"
	ownerPassword = "owner-pw-7f3a"
	appRole       = "ismscomms_test_app"
	appPassword   = "app-pw-91c2"
)

var ctx = context.Background()

var (
	rolesOnce sync.Once
	rolesErr  error
)

// server describes the test server: the admin's DSN and the DSNs of the
// owner and application roles.
type server struct {
	admin, owner, app string
}

// testServer returns the server, or skips the test (fails it under CI)
// when ISMSCOMMS_TEST_POSTGRES is unset.
func testServer(tb testing.TB) server {
	tb.Helper()
	admin := os.Getenv(envDSN)
	if admin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server with .ci/postgres)", envDSN)
		}
		tb.Skipf("%s is not set; start a throwaway server with: eval \"$(.ci/postgres start /tmp/ismscomms-pg)\"", envDSN)
	}
	rolesOnce.Do(func() { rolesErr = createRoles(admin) })
	if rolesErr != nil {
		tb.Fatalf("creating the test roles: %v", rolesErr)
	}
	return server{admin: admin, owner: withUser(tb, admin, ownerRole, ownerPassword), app: withUser(tb, admin, appRole, appPassword)}
}

func withUser(tb testing.TB, dsn, user, password string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		tb.Fatalf("%s must be a postgres:// URL", envDSN)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// createRoles creates (or resets) the owner and application roles; other
// test processes may do the same at once.
func createRoles(admin string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		`DO $$ BEGIN CREATE ROLE ` + ownerRole + ` LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
		`DO $$ BEGIN CREATE ROLE ` + appRole + ` LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
		`ALTER ROLE ` + ownerRole + ` LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '` + ownerPassword + `'`,
		`ALTER ROLE ` + appRole + ` LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '` + appPassword + `'`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	var db string
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `GRANT CREATE ON DATABASE `+pgx.Identifier{db}.Sanitize()+` TO `+ownerRole)
	return err
}

// newSchema returns a fresh schema name, dropped when the test ends.
func newSchema(tb testing.TB, srv server) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), srv.admin)
		if err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// openStore opens a store in a fresh schema as the application role,
// migrated by the owner.
func openStore(tb testing.TB, o *Options) (*Store, server) {
	tb.Helper()
	srv := testServer(tb)
	opt := Options{}
	if o != nil {
		opt = *o
	}
	if opt.Schema == "" {
		opt.Schema = newSchema(tb, srv)
	}
	opt.OwnerDSN = srv.owner
	s, err := Open(ctx, srv.app, &opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, srv
}

// connect opens a single connection with dsn.
func connect(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
