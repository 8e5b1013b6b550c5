package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

func newTestStore(t *testing.T) store.Store {
	s, _ := openStore(t, nil)
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, newTestStore) }

func TestReliability(t *testing.T) { storetest.RunReliability(t, newTestStore) }

// fill gives tenants a plan, an event and n records each, all naming
// their tenant.
func fill(t *testing.T, s *Store, n int, tenants ...string) {
	t.Helper()
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tenant := range tenants {
		p := storetest.Plan("plan", 1)
		p.Organization = tenant
		if _, err := s.SavePlan(ctx, tenant, p, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRoster(ctx, tenant, storetest.Roster("staff", 1), 0); err != nil {
			t.Fatal(err)
		}
		c, ok, err := s.Claim(ctx, tenant, "remind/policy/"+tenant, time.Hour)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := s.MarkSent(ctx, tenant, c); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Claim(ctx, tenant, "remind/held", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetCheckpoint(ctx, tenant, "remind", when); err != nil {
			t.Fatal(err)
		}
		e := comms.Event{ID: "inc-1", Kind: "incident", Title: tenant, Milestones: []comms.Milestone{{Name: "detected", At: when}}}
		if err := s.SaveEvent(ctx, tenant, e); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			r := storetest.Record("a", when)
			r.Subject = tenant
			if _, err := s.AppendRecord(ctx, tenant, r); err != nil {
				t.Fatal(err)
			}
		}
	}
}

var tables = []string{"plans", "events", "records", "chain_heads", "rosters", "deliveries", "checkpoints", "tree_hashes"}

func count(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, schema, table, where string) int {
	t.Helper()
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.`+table+` `+where).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestNoTenantSeesNothing: through the application role, a query with no
// tenant set returns no row of any table, though the tables hold rows.
func TestNoTenantSeesNothing(t *testing.T) {
	s, srv := openStore(t, nil)
	fill(t, s, 3, "acme", "globex")
	admin := connect(t, srv.admin)
	app := connect(t, srv.app)
	for _, table := range tables {
		if n := count(t, admin, s.schema, table, ""); n == 0 {
			t.Fatalf("%s is empty: the test proves nothing", table)
		}
		if n := count(t, app, s.schema, table, ""); n != 0 {
			t.Errorf("with no tenant set the application role sees %d rows of %s", n, table)
		}
	}
	// A tenant set at session level by hand-written SQL, then reset, shows
	// nothing either: an empty setting matches no tenant.
	if _, err := app.Exec(ctx, `SELECT set_config('ismscomms.tenant', '', false)`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, app, s.schema, "records", ""); n != 0 {
		t.Errorf("with an empty tenant the application role sees %d records", n)
	}
}

// TestHandWrittenSQLCannotCrossTenants: with tenant A set, SQL written by
// hand through the application role neither reads nor writes B's rows,
// nor changes the log, nor switches the policies off.
func TestHandWrittenSQLCannotCrossTenants(t *testing.T) {
	s, srv := openStore(t, nil)
	fill(t, s, 3, "acme", "globex")
	app := connect(t, srv.app)
	sch := s.schema

	// inA runs fn in a transaction as tenant acme and rolls it back.
	inA := func(fn func(tx pgx.Tx)) {
		t.Helper()
		tx, err := app.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, setTenantSQL, "acme"); err != nil {
			t.Fatal(err)
		}
		fn(tx)
	}
	inA(func(tx pgx.Tx) {
		for _, table := range tables {
			if n := count(t, tx, sch, table, `WHERE tenant = 'globex'`); n != 0 {
				t.Errorf("tenant acme reads %d of globex's %s rows", n, table)
			}
			if n := count(t, tx, sch, table, `WHERE tenant <> 'acme'`); n != 0 {
				t.Errorf("tenant acme reads %d foreign %s rows", n, table)
			}
		}
		if n := count(t, tx, sch, "records", ""); n != 3 {
			t.Errorf("tenant acme sees %d records, want its own 3", n)
		}
	})
	denied := func(what, sql string, args ...any) {
		t.Helper()
		inA(func(tx pgx.Tx) {
			_, err := tx.Exec(ctx, sql, args...)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "42501" {
				t.Errorf("%s: %v, want SQLSTATE 42501 (insufficient privilege)", what, err)
			}
		})
	}
	denied("insert a plan for globex", `INSERT INTO `+sch+`.plans VALUES ('globex', 'x', 1, '{}', now(), '', '')`)
	denied("insert a roster for globex", `INSERT INTO `+sch+`.rosters VALUES ('globex', 'x', 1, '{}', now(), '', '')`)
	denied("update rosters", `UPDATE `+sch+`.rosters SET body = '{}' WHERE tenant = 'acme'`)
	denied("delete rosters", `DELETE FROM `+sch+`.rosters WHERE tenant = 'acme'`)
	denied("disable row-level security on rosters", `ALTER TABLE `+sch+`.rosters DISABLE ROW LEVEL SECURITY`)
	denied("insert a delivery for globex", `INSERT INTO `+sch+`.deliveries VALUES ('globex', 'k', 'sent', 1, 't', now(), now(), now(), '')`)
	denied("claim globex's delivery", `INSERT INTO `+sch+`.deliveries VALUES ('globex', 'remind/held', 'claimed', 1, 't', now(), now(), NULL, '') ON CONFLICT (tenant, key) DO UPDATE SET token = 'mine'`)
	denied("delete deliveries", `DELETE FROM `+sch+`.deliveries WHERE tenant = 'acme'`)
	denied("disable row-level security on deliveries", `ALTER TABLE `+sch+`.deliveries DISABLE ROW LEVEL SECURITY`)
	denied("set globex's checkpoint", `INSERT INTO `+sch+`.checkpoints VALUES ('globex', 'remind', now()) ON CONFLICT (tenant, job) DO UPDATE SET at = now()`)
	denied("delete checkpoints", `DELETE FROM `+sch+`.checkpoints`)
	denied("insert an event for globex", `INSERT INTO `+sch+`.events VALUES ('globex', 'x', 'incident', now(), '{}')`)
	denied("insert a record for globex", `INSERT INTO `+sch+`.records VALUES ('globex', 99, '', '', '', now(), '\x00', '')`)
	denied("move globex's chain head", `INSERT INTO `+sch+`.chain_heads VALUES ('globex', 0, '') ON CONFLICT (tenant) DO UPDATE SET seq = 0`)
	denied("update records", `UPDATE `+sch+`.records SET hash = '' WHERE tenant = 'acme'`)
	denied("delete records", `DELETE FROM `+sch+`.records WHERE tenant = 'acme'`)
	denied("delete plans", `DELETE FROM `+sch+`.plans`)
	denied("disable row-level security", `ALTER TABLE `+sch+`.records DISABLE ROW LEVEL SECURITY`)
	denied("drop the policy", `DROP POLICY tenant_isolation ON `+sch+`.records`)
	denied("become the owner", `SET ROLE `+ownerRole)
	inA(func(tx pgx.Tx) {
		for _, stmt := range []string{
			`UPDATE ` + sch + `.events SET kind = 'hijacked' WHERE tenant = 'globex'`,
			`UPDATE ` + sch + `.chain_heads SET seq = 0 WHERE tenant = 'globex'`,
			`UPDATE ` + sch + `.deliveries SET state = 'released' WHERE tenant = 'globex'`,
			`UPDATE ` + sch + `.checkpoints SET at = now() WHERE tenant = 'globex'`,
		} {
			tag, err := tx.Exec(ctx, stmt)
			if err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s: %d rows, %v; want 0 rows", stmt, tag.RowsAffected(), err)
			}
		}
		// Moving one of acme's rows to globex is refused by WITH CHECK.
		_, err := tx.Exec(ctx, `UPDATE `+sch+`.events SET tenant = 'globex' WHERE tenant = 'acme'`)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("moving an event to globex: %v, want SQLSTATE 42501", err)
		}
	})
	if _, err := s.Verify(ctx, "globex"); err != nil {
		t.Errorf("globex's chain after the attempts: %v", err)
	}
	if d, err := s.Delivery(ctx, "globex", "remind/held"); err != nil || d.State != store.DeliveryClaimed || d.Attempts != 1 {
		t.Errorf("globex's delivery after the attempts: %+v, %v", d, err)
	}
}

// TestPooledConnectionsDoNotLeak: 10,000 requests of 50 tenants,
// interleaved over a pool of 2 connections, never return another tenant's
// row, and leave no tenant set on the connections.
func TestPooledConnectionsDoNotLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests")
	}
	s, _ := openStore(t, &Options{MaxConns: 2})
	const tenants, workers, requests = 50, 16, 10000
	name := func(i int) string { return fmt.Sprintf("tenant-%02d", i) }
	for i := 0; i < tenants; i++ {
		fill(t, s, 2, name(i))
	}
	var next, leaks, appends atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > requests {
					return
				}
				tenant := name(int(i*7919) % tenants)
				var err error
				switch i % 5 {
				case 0:
					r := storetest.Record("a", time.Now())
					r.Subject = tenant
					_, err = s.AppendRecord(ctx, tenant, r)
					appends.Add(1)
				case 1:
					for r, e := range s.Records(ctx, tenant, store.RecordQuery{Limit: 3}) {
						if err = e; err != nil {
							break
						}
						if r.Subject != tenant {
							leaks.Add(1)
						}
					}
				case 2:
					var v store.Version
					v, err = s.Plan(ctx, tenant, "plan")
					if err == nil && v.Plan.Organization != tenant {
						leaks.Add(1)
					}
				case 3:
					var e comms.Event
					e, err = s.Event(ctx, tenant, "inc-1")
					if err == nil && e.Title != tenant {
						leaks.Add(1)
					}
				case 4:
					for v, e := range s.Plans(ctx, tenant) {
						if err = e; err != nil {
							break
						}
						if v.Plan.Organization != tenant {
							leaks.Add(1)
						}
					}
				}
				if err != nil {
					errs <- fmt.Errorf("request %d (%s): %w", i, tenant, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := leaks.Load(); n != 0 {
		t.Fatalf("%d responses carried another tenant's rows", n)
	}
	total := 0
	for i := 0; i < tenants; i++ {
		if _, err := s.Verify(ctx, name(i)); err != nil {
			t.Fatal(err)
		}
		total += len(collectRecords(t, s, name(i)))
	}
	if want := tenants*2 + int(appends.Load()); total != want {
		t.Errorf("%d records in all, want %d", total, want)
	}
	// Both pooled connections: no tenant left set, no row visible.
	var conns []*pgxpool.Conn
	for i := 0; i < 2; i++ {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		var setting *string
		if err := c.QueryRow(ctx, `SELECT current_setting('ismscomms.tenant', true)`).Scan(&setting); err != nil {
			t.Fatal(err)
		}
		if setting != nil && *setting != "" {
			t.Errorf("a pooled connection kept tenant %q after its transaction", *setting)
		}
		if n := count(t, c, s.schema, "records", ""); n != 0 {
			t.Errorf("a pooled connection sees %d records outside a transaction", n)
		}
		c.Release()
	}
}

// TestTenantSettingIsTransactionLocal: the tenant a one-round-trip batch
// sets is in force for its statements and gone from the connection after.
func TestTenantSettingIsTransactionLocal(t *testing.T) {
	s, _ := openStore(t, &Options{MaxConns: 1})
	var during string
	err := s.batch(ctx, "acme", func(b *pgx.Batch) {
		b.Queue(`SELECT current_setting('ismscomms.tenant', true)`).QueryRow(func(row pgx.Row) error { return row.Scan(&during) })
	})
	if err != nil || during != "acme" {
		t.Fatalf("in the batch: tenant %q, %v; want acme", during, err)
	}
	var after *string
	if err := s.pool.QueryRow(ctx, `SELECT current_setting('ismscomms.tenant', true)`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != nil && *after != "" {
		t.Errorf("after the batch the connection keeps tenant %q", *after)
	}
}

func collectRecords(t *testing.T, s *Store, tenant string) []comms.Record {
	t.Helper()
	var out []comms.Record
	for r, err := range s.Records(ctx, tenant, store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestParallelTenants: writers of different tenants append at once; each
// tenant's chain is gap-free and verifies.
func TestParallelTenants(t *testing.T) {
	s, _ := openStore(t, &Options{MaxConns: 8})
	const tenants, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, tenants*2)
	for i := 0; i < tenants*2; i++ { // two writers per tenant
		wg.Add(1)
		go func() {
			defer wg.Done()
			tenant := fmt.Sprintf("t%d", i%tenants)
			for j := 0; j < each; j++ {
				if _, err := s.AppendRecord(ctx, tenant, storetest.Record("a", time.Now())); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := 0; i < tenants; i++ {
		tenant := fmt.Sprintf("t%d", i)
		rs := collectRecords(t, s, tenant)
		if len(rs) != 2*each {
			t.Fatalf("%s: %d records, want %d", tenant, len(rs), 2*each)
		}
		for j, r := range rs {
			if r.Seq != int64(j+1) {
				t.Fatalf("%s: record %d has sequence number %d", tenant, j+1, r.Seq)
			}
		}
		if _, err := s.Verify(ctx, tenant); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPrivilegedRoles: Open refuses roles that row-level security does
// not bind, unless told to allow them.
func TestPrivilegedRoles(t *testing.T) {
	srv := testServer(t)
	admin := connect(t, srv.admin)
	exists := func(schema string) bool {
		t.Helper()
		var ok bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	schema := newSchema(t, srv)
	// Without OwnerDSN a role that could migrate does not: it would own
	// the tables and be refused, and the schema would stay its own.
	_, err := Open(ctx, srv.owner, &Options{Schema: schema})
	if !errors.Is(err, ErrSchemaMissing) || exists(schema) {
		t.Errorf("Open as the owner on a new schema: %v (schema created: %t), want ErrSchemaMissing and no schema", err, exists(schema))
	}
	// A superuser is refused before it creates anything.
	if _, err := Open(ctx, srv.admin, &Options{Schema: schema}); !errors.Is(err, ErrPrivilegedRole) || !strings.Contains(err.Error(), "superuser") || exists(schema) {
		t.Errorf("Open as a superuser on a new schema: %v (schema created: %t), want ErrPrivilegedRole and no schema", err, exists(schema))
	}
	// Allowed, the owner migrates and works: FORCE ROW LEVEL SECURITY
	// binds it too.
	s, err := Open(ctx, srv.owner, &Options{Schema: schema, AllowPrivilegedRole: true})
	if err != nil {
		t.Fatalf("Open as the owner with AllowPrivilegedRole: %v", err)
	}
	defer s.Close()
	fill(t, s, 2, "acme")
	if _, err := s.Verify(ctx, "acme"); err != nil {
		t.Error(err)
	}
	// Not allowed, the owner of a migrated schema is refused.
	_, err = Open(ctx, srv.owner, &Options{Schema: schema})
	if !errors.Is(err, ErrPrivilegedRole) || !strings.Contains(err.Error(), "owns the store's tables") {
		t.Errorf("Open as the owner: %v, want ErrPrivilegedRole", err)
	}
	// The application role without grants cannot use an unmigrated schema.
	_, err = Open(ctx, srv.app, &Options{Schema: newSchema(t, srv)})
	if !errors.Is(err, ErrSchemaMissing) {
		t.Errorf("Open as the application role on an unmigrated schema: %v, want ErrSchemaMissing", err)
	}
}

// TestNew: a store on the caller's pool works and leaves the pool open.
func TestNew(t *testing.T) {
	srv := testServer(t)
	pool, err := pgxpool.New(ctx, srv.app)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s, err := New(ctx, pool, &Options{Schema: newSchema(t, srv), OwnerDSN: srv.owner})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, 2, "acme")
	if _, err := s.Verify(ctx, "acme"); err != nil {
		t.Error(err)
	}
	s.Close()
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("the caller's pool after Close: %v", err)
	}
}

// TestConcurrentMigrations: application servers starting at once migrate
// the schema once.
func TestConcurrentMigrations(t *testing.T) {
	srv := testServer(t)
	schema := newSchema(t, srv)
	const servers = 8
	var wg sync.WaitGroup
	errs := make(chan error, servers)
	for i := 0; i < servers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, srv.app, &Options{Schema: schema, OwnerDSN: srv.owner})
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	admin := connect(t, srv.admin)
	if n := count(t, admin, schema, "schema_migrations", ""); n != SchemaVersion() {
		t.Errorf("%d migrations recorded, want %d", n, SchemaVersion())
	}
}

// TestSchemaTooNew: a schema migrated by a newer program is refused.
func TestSchemaTooNew(t *testing.T) {
	s, srv := openStore(t, nil)
	owner := connect(t, srv.owner)
	if _, err := owner.Exec(ctx, `INSERT INTO `+s.schema+`.schema_migrations (version, name) VALUES (999, 'future.sql')`); err != nil {
		t.Fatal(err)
	}
	for _, o := range []*Options{{Schema: s.schema, OwnerDSN: srv.owner}, {Schema: s.schema}} {
		if _, err := Open(ctx, srv.app, o); !errors.Is(err, ErrSchemaTooNew) {
			t.Errorf("Open(owner DSN %t): %v, want ErrSchemaTooNew", o.OwnerDSN != "", err)
		}
	}
}

// TestPasswordNeverInErrors: no error shows a connection string's
// password.
func TestPasswordNeverInErrors(t *testing.T) {
	srv := testServer(t)
	const secret = "s3cret-Pa55"
	wrong := withUser(t, srv.app, appRole, secret)
	dsns := map[string]string{
		"reserved # unencoded": "postgres://app:Sec#ret9z@127.0.0.1:1/db",
		"reserved / unencoded": "postgres://app:Sec/ret9z@127.0.0.1:1/db",
		"reserved ? unencoded": "postgres://app:Sec?ret9z@127.0.0.1:1/db",
		"reserved @ unencoded": "postgres://app:Sec@ret9z@127.0.0.1:1/db?connect_timeout=2",
		"wrong password":       wrong,
		"unparsable port":      "postgres://app:" + secret + "@127.0.0.1:notaport/db",
		"nothing listening":    "postgres://app:" + secret + "@127.0.0.1:1/db?connect_timeout=2",
		"key=value":            "host=127.0.0.1 port=1 user=app password=" + secret + " connect_timeout=2",
		"key=value unparsable": "host=127.0.0.1 port=x password='" + secret + "'",
	}
	for name, dsn := range dsns {
		_, err := Open(ctx, dsn, &Options{Schema: "t_never"})
		if err == nil {
			t.Errorf("%s: Open succeeded", name)
			continue
		}
		for _, part := range []string{secret, "Sec#", "Sec/", "Sec?", "Sec@", "ret9z"} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("%s: the error shows (part of) the password: %v", name, err)
			}
		}
		_, err = Open(ctx, srv.app, &Options{Schema: "t_never", OwnerDSN: dsn})
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("%s as OwnerDSN: %v", name, err)
		}
	}
	if _, err := Open(ctx, dsns["nothing listening"], nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Open with nothing listening: %v, want ErrUnavailable", err)
	}
}

// TestCancelledAppends: appends whose context expires at random points
// either fail and leave nothing, or succeed: never committed but reported
// failed, which a caller would retry into a duplicate.
func TestCancelledAppends(t *testing.T) {
	s, _ := openStore(t, &Options{MaxConns: 4})
	var ok atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 12; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				d := time.Duration(500+(w*20+i)*97%19500) * time.Microsecond
				c, cancel := context.WithTimeout(ctx, d)
				_, err := s.AppendRecord(c, "acme", storetest.Record("a", time.Now()))
				cancel()
				switch {
				case err == nil:
					ok.Add(1)
				case !errors.Is(err, context.DeadlineExceeded):
					t.Errorf("append: %v, want nil or DeadlineExceeded", err)
				}
			}
		}()
	}
	wg.Wait()
	if got := len(collectRecords(t, s, "acme")); int64(got) != ok.Load() {
		t.Errorf("%d records stored, %d appends reported success", got, ok.Load())
	}
	if _, err := s.Verify(ctx, "acme"); err != nil {
		t.Error(err)
	}
}

// TestLockTimeout: an append waiting longer than LockTimeout for another
// transaction holding the tenant's chain head fails with ErrUnavailable,
// and the chain continues once the lock is gone.
func TestLockTimeout(t *testing.T) {
	s, srv := openStore(t, &Options{LockTimeout: 200 * time.Millisecond})
	fill(t, s, 1, "acme")
	admin := connect(t, srv.admin)
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT * FROM `+s.schema+`.chain_heads WHERE tenant = 'acme' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendRecord(ctx, "acme", storetest.Record("a", time.Now())); !errors.Is(err, ErrUnavailable) {
		t.Errorf("append while the head is locked: %v, want ErrUnavailable", err)
	}
	if _, err := s.AppendRecord(ctx, "globex", storetest.Record("a", time.Now())); err != nil {
		t.Errorf("another tenant's append while acme's head is locked: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := s.AppendRecord(ctx, "acme", storetest.Record("a", time.Now())); err != nil || r.Seq != 2 {
		t.Errorf("append after the lock: seq %d, %v; want 2", r.Seq, err)
	}
}

// TestInvalidText: text PostgreSQL cannot store is ErrInvalid, and uses up
// no sequence number; the failed transactions leave the pool's one
// connection usable.
func TestInvalidText(t *testing.T) {
	s, _ := openStore(t, &Options{MaxConns: 1})
	r := storetest.Record("a\x00b", time.Now())
	if _, err := s.AppendRecord(ctx, "acme", r); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a NUL byte in an activity ID: %v, want ErrInvalid", err)
	}
	if err := s.SaveEvent(ctx, "acme", comms.Event{ID: "x\x00", Kind: "incident"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a NUL byte in an event ID: %v, want ErrInvalid", err)
	}
	got, err := s.AppendRecord(ctx, "acme", storetest.Record("a", time.Now()))
	if err != nil || got.Seq != 1 {
		t.Errorf("append after the rejected one: seq %d, %v; want 1", got.Seq, err)
	}
	if _, err := s.SavePlan(ctx, "acme", storetest.Plan("p", 1), 3); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SavePlan with a stale version: %v, want ErrConflict", err)
	}
	if v, err := s.SavePlan(ctx, "acme", storetest.Plan("p", 1), 0); err != nil || v != 1 {
		t.Errorf("SavePlan after the conflict: version %d, %v", v, err)
	}
}

// TestTamper: a record changed, a record deleted and the newest record
// deleted behind the store's back are all found by Verify.
func TestTamper(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		seq       int64
	}{
		{"changed", `UPDATE %s.records SET body = convert_to(replace(convert_from(body, 'UTF8'), 'alice@example.org', 'mallory@example.org'), 'UTF8') WHERE tenant = 'acme' AND seq = 2`, 2},
		{"deleted", `DELETE FROM %s.records WHERE tenant = 'acme' AND seq = 2`, 2},
		{"newest deleted", `DELETE FROM %s.records WHERE tenant = 'acme' AND seq = 3`, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := openStore(t, nil)
			fill(t, s, 3, "acme")
			admin := connect(t, srv.admin)
			if tag, err := admin.Exec(ctx, fmt.Sprintf(tc.sql, s.schema)); err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("tampering: %d rows, %v", tag.RowsAffected(), err)
			}
			var ce *store.ChainError
			if _, err := s.Verify(ctx, "acme"); !errors.As(err, &ce) || ce.Seq != tc.seq {
				t.Errorf("Verify: %v, want a broken chain at record %d", err, tc.seq)
			}
		})
	}
}

// TestTranslate: SQLSTATEs map to the store's categories.
func TestTranslate(t *testing.T) {
	for code, want := range map[string]error{
		"23505": store.ErrConflict,
		"23514": store.ErrInvalid,
		"22021": store.ErrInvalid,
		"22P02": store.ErrInvalid,
		"42501": ErrPermission,
		"08006": ErrUnavailable,
		"53300": ErrUnavailable,
		"57P01": ErrUnavailable,
	} {
		err := translate(ctx, &pgconn.PgError{Code: code, Message: "m"})
		if !errors.Is(err, want) {
			t.Errorf("SQLSTATE %s: %v, want %v", code, err, want)
		}
	}
	for _, code := range []string{"42P01", "40001", "57014"} {
		err := translate(ctx, &pgconn.PgError{Code: code})
		for _, s := range []error{store.ErrConflict, store.ErrInvalid, store.ErrNotFound, ErrPermission, ErrUnavailable} {
			if errors.Is(err, s) {
				t.Errorf("SQLSTATE %s: %v, want no category", code, err)
			}
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := translate(cancelled, &pgconn.PgError{Code: "57014"}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled query: %v, want context.Canceled", err)
	}
}

// TestRetryBounded: serialization failures and deadlocks are retried, at
// most Retries times; other errors are not.
func TestRetryBounded(t *testing.T) {
	s := &Store{retries: 3}
	for _, tc := range []struct {
		code     string
		failures int
		calls    int
		ok       bool
	}{
		{"40001", 1, 2, true},
		{"40P01", 3, 4, true},
		{"40001", 100, 4, false},
		{"23505", 100, 1, false},
	} {
		calls := 0
		err := s.withRetry(ctx, func() error {
			calls++
			if calls <= tc.failures {
				return &pgconn.PgError{Code: tc.code}
			}
			return nil
		})
		if calls != tc.calls || (err == nil) != tc.ok {
			t.Errorf("%s failing %d times: %d calls, %v; want %d calls, ok %t", tc.code, tc.failures, calls, err, tc.calls, tc.ok)
		}
	}
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://app:s3cret@db:5432/isms?sslmode=verify-full": "postgres://app:xxxxx@db:5432/isms?sslmode=verify-full",
		"postgres://app@db/isms":                                 "postgres://app@db/isms",
		"postgres://db/isms?password=s3cret&user=app":            "postgres://db/isms?password=xxxxx&user=app",
		"host=db user=app password=s3cret dbname=isms":           "host=db user=app password=xxxxx dbname=isms",
		"host=db password = 's3 cret' dbname=isms":               "host=db password = xxxxx dbname=isms",
		"postgres://app:s3cret@db:port/isms":                     "postgres://app:xxxxx@db:port/isms",
		"postgres://app:s3#cr/t@db/isms":                         "postgres://app:xxxxx@db/isms",
		"postgres://app:s3c@r?t@db:port/isms":                    "postgres://app:xxxxx@db:port/isms",
		"host=db user=app password=000:// dbname=isms":           "host=db user=app password=xxxxx dbname=isms",
		"host=db password='a://b@c' dbname=isms":                 "host=db password=xxxxx dbname=isms",
		"mysql://app:s3cret@db/isms":                             "mysql://app:xxxxx@db/isms",
	} {
		if got := RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRedactDSN: whatever the password, in a URL or a key=value string,
// the redacted form does not show it.
func FuzzRedactDSN(f *testing.F) {
	for _, pw := range []string{"s3cret", "Sec#ret9z", "p@ss:w/rd?x=1&y", "'quoted pw'", "a%20b"} {
		f.Add(pw)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		if len(pw) < 6 || strings.ContainsFunc(pw, func(r rune) bool { return r <= ' ' || r == '\'' || r == '\\' || r == 0x7f }) {
			t.Skip()
		}
		for _, dsn := range []string{
			"postgres://app:" + pw + "@db.internal:5432/isms?sslmode=require",
			"postgresql://app:" + pw + "@db/isms",
			"host=db user=app password=" + pw + " dbname=isms",
			"host=db user=app password='" + pw + "' dbname=isms",
		} {
			got := RedactDSN(dsn)
			if strings.Contains(got, pw) && !strings.Contains(strings.ReplaceAll(dsn, pw, "xxxxx"), pw) {
				t.Errorf("RedactDSN(%q) = %q shows the password", dsn, got)
			}
			if p := passwordOf(dsn); p == "" {
				t.Errorf("passwordOf(%q) found none", dsn)
			}
		}
	})
}

func TestDeliveryLog(t *testing.T) {
	storetest.RunDeliveryLog(t, func(t *testing.T, now func() time.Time) store.Store {
		s, _ := openStore(t, &Options{Now: now})
		return s
	})
}

// 8 concurrent senders on PostgreSQL, each a store with its own pool on
// one database and schema (as 8 application servers), send each of 1,000
// reminders exactly once.
func TestDeliveryLogEightServers(t *testing.T) {
	first, srv := openStore(t, nil)
	logs := []store.DeliveryLog{first}
	for len(logs) < 8 {
		s, err := Open(ctx, srv.app, &Options{Schema: first.schema, MaxConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		logs = append(logs, s)
	}
	n := storetest.ClaimRace(t, logs, "acme", 1000)
	t.Logf("keys won by each server: %v", n)
}
