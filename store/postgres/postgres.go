// Package postgres is the store.Store for products that serve many
// organizations from several application servers: PostgreSQL through
// pgx (github.com/jackc/pgx/v5, pgxpool).
//
//	s, err := postgres.Open(ctx, "postgres://ismscomms_app@db/isms", &postgres.Options{
//		OwnerDSN: "postgres://ismscomms_owner@db/isms", // applies migrations, grants the app role
//	})
//	if err != nil { ... }
//	defer s.Close()
//
// # Schema and migrations
//
// The store's tables live in one schema (Options.Schema, default
// "ismscomms"). Its versioned migrations are embedded and applied by Open
// in one transaction under an advisory lock, so that several application
// servers starting at once migrate once and the others wait, then find the
// schema current. A database whose schema is newer than this package is
// refused (ErrSchemaTooNew). Migrations can also run on their own, from a
// deployment job, with Migrate.
//
// # Tenant isolation
//
// Isolation is enforced by the database, not only by the WHERE clauses
// the store writes. Every table has row-level security, forced also on
// its owner, with a policy that admits a row only while the transaction's
// setting ismscomms.tenant names the row's tenant. The store sets it at
// the start of every transaction with set_config(…, true), which lasts
// until the transaction ends: a session-level setting would stay on the
// pooled connection and leak to its next user. A query with no tenant set
// sees no row, and SQL written by hand through the application role sees
// and writes only the tenant it sets.
//
// That holds only for a role the policies bind. Open refuses a role that
// is a superuser, has BYPASSRLS or owns (or is a member of the owner of)
// the tables, unless Options.AllowPrivilegedRole is set, for single-
// organization tools and tests. The intended deployment has two roles: an
// owner that runs migrations (Options.OwnerDSN, or Migrate) and an
// application role without privileges of its own, to which migrations
// grant exactly what the store needs: plans, rosters and records SELECT
// and INSERT (the log is append-only for it, and plan and roster versions
// are only ever added: no UPDATE, no DELETE), events, chain heads,
// deliveries and checkpoints SELECT, INSERT and UPDATE.
//
// # One chain per tenant
//
// Appends serialise per tenant on the tenant's chain-head row: the append
// locks it (INSERT … ON CONFLICT DO UPDATE, which takes the row lock and
// returns the current head in one statement), inserts the record after
// it, moves the head and commits. Appends of one tenant, from any
// connection of any application server, queue on that row lock and form
// one gap-free chain; appends of different tenants lock different rows and
// run in parallel. A chain-head row was chosen over an advisory lock keyed
// by tenant because the row also carries the head's sequence number and
// hash (so an append reads no record and Verify detects the deletion of
// the newest records), because it is subject to row-level security like
// every other row, and because a row lock cannot collide between tenants
// the way two tenants' hashed advisory-lock keys can. Appends and plan
// saves run at READ COMMITTED whatever the database's default, which makes
// a row lock sufficient; Verify reads one REPEATABLE READ snapshot. Should
// a serialization failure or deadlock (SQLSTATE 40001, 40P01) occur — a
// database whose default isolation is SERIALIZABLE can fail the other,
// single-round-trip operations so — the transaction is retried a bounded
// number of times (Options.Retries) with jittered backoff.
//
// # Reading only
//
// Options.ReadOnly opens the store for commands that only read: Open then
// never migrates (ErrSchemaMissing for an absent schema, ErrSchemaTooOld
// for one behind this package, ErrSchemaTooNew for one ahead), every
// transaction the store runs is READ ONLY (set at its start, and as the
// session default of the pools Open makes), so the server refuses any
// write in it, and the write methods fail with store.ErrReadOnly. Reads
// never wait for writers (MVCC): a read-only store reads while appends of
// the same tenant hold its chain head.
//
// # Integrity
//
// Verify checks every record's hash, link and the copies of its fields
// kept in columns to query by (see the store package's "What is
// tamper-evident"). The store does not implement store.IntegrityChecker:
// checking PostgreSQL's indexes against their tables takes the amcheck
// extension (bt_index_check), which a database administrator installs and
// runs.
//
// # Round trips
//
// Every operation is one transaction sent in pipelined batches: a read or
// an event save is one round trip ([set_config, statement], run by the
// server as one implicit transaction), an append or plan save two ([BEGIN,
// set_config, lock or read] and [insert, COMMIT]; a keyed append looks
// its key up in the first), Verify one.
//
// # Idempotency keys
//
// A keyed append looks its key up after it has locked the tenant's chain
// head, so that of concurrent retries of one record, on any connection of
// any server, the first appends it and the others, which waited for the
// lock, find it and return it. A partial unique index on tenant and key
// (rows with a key only, so that keyless appends do not maintain it)
// backs the lookup, and refuses with store.ErrConflict a second record
// under a key should anything write one past the lock. Keys are hashed
// with their record (record format v2); a schema migrated from version 1
// keeps its records, format v1, as they were.
//
// # Errors
//
// Errors are translated by SQLSTATE, never by message text: unique
// violations are store.ErrConflict, data exceptions and integrity
// violations (a NUL byte in a text field, say) store.ErrInvalid,
// insufficient privilege ErrPermission, connection failures ErrUnavailable.
// A connection string's password never appears in an error.
//
// # Rosters
//
// Schema version 3 adds the rosters table (store.RosterStore), under the
// same row-level security as the others: rosters are personal data, and
// a transaction sees only the rosters of the tenant it set.
//
// # Delivery log
//
// Schema version 4 adds the delivery log and the jobs' checkpoints
// (store.DeliveryLog), under the same row-level security. A claim is one
// statement, INSERT … ON CONFLICT DO UPDATE … WHERE the row is released
// or its lease ran out … RETURNING: the conflict locks the key's row, so
// of concurrent claims of a key, on any connection of any server, one
// takes it and the others find it held (TestDeliveryLogEightServers: 8
// stores with pools of their own on one database). The application role
// may SELECT, INSERT and UPDATE the two tables, not DELETE; they are
// operational state, not evidence, outside the record chain.
//
// # Acknowledgements read fast
//
// Schema version 5 adds copies of an acknowledgement's person_id, digest
// and channel to its row (NULL for other records), written in the
// append's statement, and the partial covering index records_by_ack.
// Acks (store.AckReader) reads the index, no body, in one round trip;
// Verify checks the copies against the hashed bodies. Migrating a schema
// of version 4 copies them from the bodies of the acknowledgements it
// holds (jsonb of the v3 encoding), as the owner, with FORCE ROW LEVEL
// SECURITY lifted for that statement inside the migrating transaction.
//
// A Store is safe for concurrent use by multiple goroutines. It
// implements store.BatchAppender, store.RosterStore, store.DeliveryLog,
// store.AckReader, store.TreeReader, store.TreeNotes, store.LeafVerifier,
// store.Pinger (the server answers on a pooled connection) and io.Closer.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ismscomms/ismscomms/store"
	migrationlist "github.com/ismscomms/ismscomms/store/internal/migrations"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configures Open. The zero value gives the defaults.
type Options struct {
	// Schema is the PostgreSQL schema that holds the store's tables;
	// empty means "ismscomms". Lower-case letters, digits and underscores.
	Schema string
	// OwnerDSN, when set, is a connection string for the role that owns
	// (or is to own) the schema: Open connects with it once to apply
	// pending migrations and grant the application role (the role of
	// Open's dsn) what the store needs. Empty: Open migrates through dsn
	// itself, which works only if that role may create the schema.
	OwnerDSN string
	// AllowPrivilegedRole lets Open use a role that row-level security
	// does not bind (a superuser, a role with BYPASSRLS, the tables'
	// owner). Isolation then rests on the store's WHERE clauses alone.
	// For single-organization tools and tests.
	AllowPrivilegedRole bool
	// Now is the clock for SavedAt and RecordedAt; nil means time.Now.
	Now func() time.Time
	// MaxConns bounds the connection pool; 0 means pgxpool's default
	// (the larger of 4 and the number of CPUs).
	MaxConns int32
	// Retries is how many times a transaction that failed with a
	// serialization failure or deadlock is retried; 0 means 5.
	Retries int
	// LockTimeout, when positive, bounds how long a statement waits for a
	// lock (PostgreSQL's lock_timeout), such as an append waiting for
	// another transaction of the same tenant; such a wait fails with
	// ErrUnavailable. 0 leaves the server's setting. RebuildTrees, which
	// locks the log's tables, waits at most LockTimeout for each lock, 10 s
	// when it is 0.
	LockTimeout time.Duration
	// ReadOnly opens the store for reading only: Open never migrates
	// (ErrSchemaMissing if the schema is absent, ErrSchemaTooOld if it is
	// behind this package), every transaction is READ ONLY (the server
	// refuses any write in it), and the store's write methods fail with
	// store.ErrReadOnly. OwnerDSN must be empty. For commands that only
	// read, and for replicas.
	ReadOnly bool
}

// Errors of this package; the store.Err… categories apply as well.
var (
	// ErrSchemaTooNew: the database was migrated by a newer version of
	// this module; upgrade before opening it.
	ErrSchemaTooNew = errors.New("postgres: database schema is newer than this program")
	// ErrSchemaMissing: the schema is absent or behind, and the role
	// cannot migrate it (or, with Options.ReadOnly, the schema is absent);
	// migrate with the owner (Options.OwnerDSN or Migrate).
	ErrSchemaMissing = errors.New("postgres: schema not migrated")
	// ErrSchemaTooOld: opened with Options.ReadOnly, the schema is behind
	// this package. A read-only open never migrates: migrate it (Migrate,
	// or Open with Options.OwnerDSN), then read it.
	ErrSchemaTooOld = errors.New("postgres: database schema is older than this program")
	// ErrPrivilegedRole: the role is not bound by row-level security.
	ErrPrivilegedRole = errors.New("postgres: role bypasses row-level security")
	// ErrPermission: the role lacks a privilege (SQLSTATE 42501), or a
	// row-level security policy refused a row.
	ErrPermission = errors.New("postgres: permission denied")
	// ErrUnavailable: the server cannot be reached, refused the
	// connection or is shutting down, or a lock wait exceeded
	// Options.LockTimeout (SQLSTATE 55P03).
	ErrUnavailable = errors.New("postgres: database unavailable")
)

// Store is a store.Store on PostgreSQL.
type Store struct {
	pool     *pgxpool.Pool
	ownPool  bool
	schema   string
	now      func() time.Time
	retries  int
	secret   string // the password, scrubbed from errors
	readOnly bool
	closed   atomic.Bool
	q        queries
	rq       rosterQueries
	dq       deliveryQueries
	tq       treeQueries
	// unbuilt are the tenants whose tree the migration of this open left
	// unbuilt (store.TreeNotes).
	unbuilt []*store.TreeError
	// ownerDSN is Options.OwnerDSN, and lockTimeout Options.LockTimeout,
	// for RebuildTrees.
	ownerDSN    string
	lockTimeout time.Duration
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.Pinger        = (*Store)(nil)
	_ store.BatchAppender = (*Store)(nil)
	_ store.TreeNotes     = (*Store)(nil)
	_ io.Closer           = (*Store)(nil)
)

// UnbuiltTrees implements store.TreeNotes: the tenants whose log was
// broken when this open migrated the schema to version 7, whose tree was
// left unbuilt (noted in the schema: their appends fail naming the
// break). Only an open that migrated (Options.OwnerDSN, or Migrate's
// store) can say.
func (s *Store) UnbuiltTrees() []*store.TreeError { return s.unbuilt }

// queries are the store's statements, qualified with its schema.
type queries struct {
	latestVersion, insertPlan, planLatest, planVersion, plans, versions,
	saveEvent, event, lockHead, recordByKey, insertRecord, moveHead, head, verifyRecords,
	recordsByKeys, insertRecords string
}

const setTenantSQL = `SELECT set_config('ismscomms.tenant', $1, true)`

// setTenantReadOnlySQL also makes the transaction READ ONLY, which
// PostgreSQL allows at any point of a transaction (unlike the reverse).
const setTenantReadOnlySQL = `SELECT set_config('ismscomms.tenant', $1, true), set_config('transaction_read_only', 'on', true)`

// setTenant is the statement that starts each of the store's transactions.
func (s *Store) setTenant() string {
	if s.readOnly {
		return setTenantReadOnlySQL
	}
	return setTenantSQL
}

// storedColumns are the columns of a record that Verify and the key
// lookup read: all of them but the tenant.
const storedColumns = `seq, body, hash, plan_id, activity_id, event_id, sent_at, idempotency_key, person_id, digest, channel`

func newQueries(schema string) queries {
	t := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	const versionColumns = `id, version, body, saved_at, saved_by, note`
	return queries{
		latestVersion: `SELECT COALESCE(MAX(version), 0) FROM ` + t("plans") + ` WHERE tenant = $1 AND id = $2`,
		insertPlan:    `INSERT INTO ` + t("plans") + ` (tenant, id, version, body, saved_at, saved_by, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		planLatest:    `SELECT ` + versionColumns + ` FROM ` + t("plans") + ` WHERE tenant = $1 AND id = $2 ORDER BY version DESC LIMIT 1`,
		planVersion:   `SELECT ` + versionColumns + ` FROM ` + t("plans") + ` WHERE tenant = $1 AND id = $2 AND version = $3`,
		plans:         `SELECT DISTINCT ON (id) ` + versionColumns + ` FROM ` + t("plans") + ` WHERE tenant = $1 ORDER BY id, version DESC`,
		versions:      `SELECT ` + versionColumns + ` FROM ` + t("plans") + ` WHERE tenant = $1 AND id = $2 ORDER BY version`,
		saveEvent: `INSERT INTO ` + t("events") + ` (tenant, id, kind, start, body) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant, id) DO UPDATE SET kind = excluded.kind, start = excluded.start, body = excluded.body`,
		event: `SELECT id, body FROM ` + t("events") + ` WHERE tenant = $1 AND id = $2`,
		// Takes the tenant's row lock and returns the head, creating it at
		// zero for the first append.
		lockHead: `INSERT INTO ` + t("chain_heads") + ` AS h (tenant, seq, hash) VALUES ($1, 0, '')
			ON CONFLICT (tenant) DO UPDATE SET seq = h.seq RETURNING seq, hash`,
		recordByKey:   `SELECT ` + storedColumns + ` FROM ` + t("records") + ` WHERE tenant = $1 AND idempotency_key = $2`,
		insertRecord:  `INSERT INTO ` + t("records") + ` (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash, idempotency_key, person_id, digest, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		recordsByKeys: `SELECT ` + storedColumns + ` FROM ` + t("records") + ` WHERE tenant = $1 AND idempotency_key = ANY($2)`,
		insertRecords: `INSERT INTO ` + t("records") + ` (tenant, seq, plan_id, activity_id, event_id, sent_at, body, hash, idempotency_key, person_id, digest, channel)
			SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bytea[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])`,
		moveHead:      `UPDATE ` + t("chain_heads") + ` SET seq = $2, hash = $3 WHERE tenant = $1`,
		head:          `SELECT seq, hash FROM ` + t("chain_heads") + ` WHERE tenant = $1`,
		verifyRecords: `SELECT ` + storedColumns + ` FROM ` + t("records") + ` WHERE tenant = $1 ORDER BY seq`,
	}
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func (o *Options) defaults() error {
	if o.Schema == "" {
		o.Schema = "ismscomms"
	}
	if !schemaName.MatchString(o.Schema) {
		return fmt.Errorf("postgres: schema %q: use lower-case letters, digits and underscores", o.Schema)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retries == 0 {
		o.Retries = 5
	}
	if o.MaxConns < 0 || o.Retries < 0 || o.LockTimeout < 0 {
		return errors.New("postgres: negative MaxConns, Retries or LockTimeout")
	}
	if o.ReadOnly && o.OwnerDSN != "" {
		return errors.New("postgres: Options.ReadOnly never migrates; leave Options.OwnerDSN empty")
	}
	return nil
}

// Open connects to the database dsn names (a URL or key=value connection
// string) as the application role, migrates the schema (through
// o.OwnerDSN when set), checks that row-level security binds the role, and
// returns the store. A nil o means the defaults.
func Open(ctx context.Context, dsn string, o *Options) (*Store, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err == nil {
		err = ambiguous(dsn, cfg.ConnConfig.Password)
	}
	if err != nil {
		return nil, parseError("connection string", dsn, err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if opt.LockTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = strconv.FormatInt(max(opt.LockTimeout.Milliseconds(), 1), 10)
	}
	if opt.ReadOnly {
		// Besides every transaction the store runs: the pool's sessions.
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", scrubbed(err, cfg.ConnConfig.Password))
	}
	s, err := newStore(ctx, pool, opt, cfg.ConnConfig.Password)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// New returns a store on an existing pool, migrating and checking as Open
// does. Close does not close a pool New was given. Options.MaxConns and
// Options.LockTimeout apply to pools Open makes; set them in the pool's
// configuration (MaxConns, RuntimeParams["lock_timeout"]) instead
// (RebuildTrees uses Options.LockTimeout either way).
func New(ctx context.Context, pool *pgxpool.Pool, o *Options) (*Store, error) {
	var opt Options
	if o != nil {
		opt = *o
	}
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	return newStore(ctx, pool, opt, pool.Config().ConnConfig.Password)
}

func newStore(ctx context.Context, pool *pgxpool.Pool, opt Options, secret string) (*Store, error) {
	s := &Store{pool: pool, schema: opt.Schema, now: opt.Now, retries: opt.Retries, secret: secret, readOnly: opt.ReadOnly, lockTimeout: opt.LockTimeout,
		q: newQueries(opt.Schema), rq: newRosterQueries(opt.Schema), dq: newDeliveryQueries(opt.Schema), tq: newTreeQueries(opt.Schema)}
	var role string
	if err := pool.QueryRow(ctx, `SELECT current_user`).Scan(&role); err != nil {
		return nil, s.translate(ctx, err)
	}
	// A superuser or BYPASSRLS role is refused before it creates anything;
	// the tables' owner once they exist.
	if !opt.AllowPrivilegedRole {
		if err := s.checkRole(ctx, role); err != nil {
			return nil, err
		}
	}
	switch {
	case opt.ReadOnly:
		if err := s.checkSchema(ctx); err != nil {
			return nil, err
		}
	case opt.OwnerDSN != "":
		unbuilt, err := migrateOwner(ctx, opt.OwnerDSN, opt.Schema, role)
		if err != nil {
			return nil, err
		}
		s.unbuilt, s.ownerDSN = unbuilt, opt.OwnerDSN
	default:
		if err := s.migrateSelf(ctx, opt.AllowPrivilegedRole); err != nil {
			return nil, err
		}
	}
	if !opt.AllowPrivilegedRole {
		if err := s.checkRole(ctx, role); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkRole refuses a role that row-level security does not bind: a
// superuser, a role with BYPASSRLS, or one that owns (or may become the
// owner of) one of the store's tables.
func (s *Store) checkRole(ctx context.Context, role string) error {
	var super, bypass, owns bool
	err := s.pool.QueryRow(ctx, `SELECT r.rolsuper, r.rolbypassrls,
		EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		         WHERE n.nspname = $1 AND c.relkind = 'r' AND pg_has_role(current_user, c.relowner, 'MEMBER'))
		FROM pg_roles r WHERE r.rolname = current_user`, s.schema).Scan(&super, &bypass, &owns)
	if err != nil {
		return s.translate(ctx, err)
	}
	var why string
	switch {
	case super:
		why = "is a superuser"
	case bypass:
		why = "has BYPASSRLS"
	case owns:
		why = "owns the store's tables (or is a member of their owner)"
	default:
		return nil
	}
	return fmt.Errorf("%w: role %q %s, so it could read every tenant's rows; connect as an application role without those privileges (Options.OwnerDSN migrates as the owner), or set Options.AllowPrivilegedRole", ErrPrivilegedRole, role, why)
}

// Close closes the pool Open made (io.Closer); a pool given to New stays
// open. After Close, every method fails with store.ErrClosed; Close again
// returns nil.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.ownPool {
		s.pool.Close()
	}
	return nil
}

// Ping implements store.Pinger: it acquires a pooled connection and has
// the server answer, as the application role.
func (s *Store) Ping(ctx context.Context) error {
	return s.withRetry(ctx, func() error {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		return conn.Ping(ctx)
	})
}

// Schema returns the PostgreSQL schema the store's tables are in.
func (s *Store) Schema() string { return s.schema }

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	names, _ := migrationList()
	return len(names)
}

func migrationList() ([]string, error) {
	return migrationlist.List(migrations, "migrations")
}

// migrationLockKey is the advisory lock migrations hold, with the schema
// name hashed in by the server.
const migrationLockKey = `hashtextextended('ismscomms.migrate.' || $1, 0)`

// Migrate applies the pending migrations of schema (empty: "ismscomms")
// as the role dsn names, which becomes the owner of what it creates, in
// one transaction under an advisory lock; and, when appRole is not empty,
// grants appRole what the store needs. It is what Open does with
// Options.OwnerDSN, for deployments that migrate in a job of their own.
func Migrate(ctx context.Context, dsn, schema, appRole string) error {
	_, err := migrateOwner(ctx, dsn, schema, appRole)
	return err
}

// migrateOwner is Migrate, returning the tenants whose tree the migration
// to schema 7 left unbuilt (store.TreeNotes).
func migrateOwner(ctx context.Context, dsn, schema, appRole string) ([]*store.TreeError, error) {
	opt := Options{Schema: schema}
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err == nil {
		err = ambiguous(dsn, cfg.Password)
	}
	if err != nil {
		return nil, parseError("owner connection string", dsn, err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: owner connection: %w", translate(ctx, scrubbed(err, cfg.Password)))
	}
	defer conn.Close(context.Background())
	s := &Store{schema: opt.Schema, secret: cfg.Password, retries: opt.Retries}
	err = s.migrate(ctx, conn, appRole)
	return s.unbuilt, err
}

// migrateSelf migrates through the store's own pool when the schema is not
// current; a current schema needs no privilege but reading its version.
// Unless mayOwn, it does not migrate: the role would own the tables it
// creates, Open would then refuse it, and the schema would stay owned by
// it.
func (s *Store) migrateSelf(ctx context.Context, mayOwn bool) error {
	names, err := migrationList()
	if err != nil {
		return err
	}
	var current int
	err = s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+pgx.Identifier{s.schema, "schema_migrations"}.Sanitize()).Scan(&current)
	switch {
	case err == nil && current == len(names):
		return nil
	case err == nil && current > len(names):
		return fmt.Errorf("%w: schema %s is at version %d; this program knows up to %d", ErrSchemaTooNew, s.schema, current, len(names))
	}
	if !mayOwn {
		return fmt.Errorf("%w: %s is not at version %d; migrate it as the schema's owner with Options.OwnerDSN or Migrate (or set Options.AllowPrivilegedRole to let this role create and own it)", ErrSchemaMissing, s.schema, len(names))
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.translate(ctx, err)
	}
	defer conn.Release()
	err = s.migrate(ctx, conn.Conn(), "")
	if errors.Is(err, ErrPermission) {
		return fmt.Errorf("%w: %s is not at version %d and this role cannot migrate it (%v); migrate as the schema's owner with Options.OwnerDSN or Migrate", ErrSchemaMissing, s.schema, len(names), err)
	}
	return err
}

// checkSchema checks, for a read-only store, that the schema is at this
// package's version, without changing anything.
func (s *Store) checkSchema(ctx context.Context) error {
	names, err := migrationList()
	if err != nil {
		return err
	}
	var current int
	err = s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+pgx.Identifier{s.schema, "schema_migrations"}.Sanitize()).Scan(&current)
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "3F000"): // undefined table, schema
		return fmt.Errorf("%w: schema %s does not exist; a read-only open does not create it: migrate it as the schema's owner with Migrate or Options.OwnerDSN", ErrSchemaMissing, s.schema)
	case err != nil:
		return s.translate(ctx, err)
	case current < len(names):
		return fmt.Errorf("%w: schema %s is at version %d, this program's is %d; a read-only open does not migrate: migrate it as the schema's owner with Migrate or Options.OwnerDSN, then read it", ErrSchemaTooOld, s.schema, current, len(names))
	case current > len(names):
		return fmt.Errorf("%w: schema %s is at version %d; this program knows up to %d", ErrSchemaTooNew, s.schema, current, len(names))
	}
	return nil
}

// migrate applies pending migrations on conn, in one transaction holding
// the schema's advisory lock, and grants appRole the store's privileges.
func (s *Store) migrate(ctx context.Context, conn *pgx.Conn, appRole string) error {
	names, err := migrationList()
	if err != nil {
		return err
	}
	schema := pgx.Identifier{s.schema}.Sanitize()
	table := pgx.Identifier{s.schema, "schema_migrations"}.Sanitize()
	return s.withRetry(ctx, func() error {
		var unbuilt []*store.TreeError
		tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+migrationLockKey+`)`, s.schema); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+table).Scan(&current); err != nil {
			return err
		}
		if current > len(names) {
			return fmt.Errorf("%w: schema %s is at version %d; this program knows up to %d", ErrSchemaTooNew, s.schema, current, len(names))
		}
		if current < len(names) {
			if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+schema); err != nil {
				return err
			}
			for i := current; i < len(names); i++ {
				sqlText, err := migrations.ReadFile(path.Join("migrations", names[i]))
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, string(sqlText)); err != nil {
					return fmt.Errorf("migration %s: %w", names[i], err)
				}
				if names[i] == treeMigration {
					if unbuilt, err = buildTrees(ctx, tx); err != nil {
						return fmt.Errorf("migration %s: %w", names[i], err)
					}
				}
				if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (version, name) VALUES ($1, $2)`, i+1, names[i]); err != nil {
					return err
				}
			}
		}
		if appRole != "" {
			role := pgx.Identifier{appRole}.Sanitize()
			t := func(name string) string { return pgx.Identifier{s.schema, name}.Sanitize() }
			for _, grant := range []string{
				`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role,
				`GRANT SELECT ON ` + table + `, ` + t("tree_unbuilt") + ` TO ` + role,
				`GRANT SELECT, INSERT ON ` + t("plans") + `, ` + t("records") + `, ` + t("rosters") + `, ` + t("tree_hashes") + ` TO ` + role,
				`GRANT SELECT, INSERT, UPDATE ON ` + t("events") + `, ` + t("chain_heads") + `, ` + t("deliveries") + `, ` + t("checkpoints") + ` TO ` + role,
			} {
				if _, err := tx.Exec(ctx, grant); err != nil {
					return err
				}
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		s.unbuilt = unbuilt
		return nil
	})
}

// translate maps an error to the store's categories by SQLSTATE and
// scrubs the password from it; an error of a store closed meanwhile is
// store.ErrClosed.
func (s *Store) translate(ctx context.Context, err error) error {
	if err != nil && ctx.Err() == nil && s.closed.Load() && !errors.Is(err, store.ErrClosed) {
		return fmt.Errorf("postgres: %w: %w", store.ErrClosed, scrubbed(err, s.secret))
	}
	return translate(ctx, scrubbed(err, s.secret))
}

func translate(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && cancellation(err) {
		return ctxErr
	}
	for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict, store.ErrInvalid, store.ErrChainBroken,
		store.ErrCorrupt, store.ErrReadOnly, store.ErrClosed, ErrSchemaTooNew, ErrSchemaTooOld, ErrSchemaMissing, ErrPrivilegedRole, ErrPermission, ErrUnavailable, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		class := pe.Code[:min(2, len(pe.Code))]
		switch {
		case pe.Code == "23505":
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		case class == "22" || class == "23":
			return fmt.Errorf("%w: %w", store.ErrInvalid, err)
		case pe.Code == "42501":
			return fmt.Errorf("%w: %w", ErrPermission, err)
		case pe.Code == "25006": // read_only_sql_transaction
			return fmt.Errorf("%w: %w", store.ErrReadOnly, err)
		case class == "08" || class == "53" || class == "57" && pe.Code != "57014" || pe.Code == "55P03":
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return fmt.Errorf("postgres: %w", err)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return fmt.Errorf("postgres: %w", err)
}

// cancellation reports an error a cancelled or expired context causes: the
// context's own, a timeout, or a cancelled statement (57014).
func cancellation(err error) bool {
	var pe *pgconn.PgError
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) ||
		errors.As(err, &pe) && pe.Code == "57014"
}

// parseError reports a connection string that does not parse. pgx's
// message may quote part of the string, so it is left out whenever the
// string holds a password.
func parseError(what, dsn string, err error) error {
	if passwordOf(dsn) == "" {
		return fmt.Errorf("postgres: %s %s: %w", what, RedactDSN(dsn), err)
	}
	return fmt.Errorf("postgres: %s %s does not parse (in a URL, percent-encode reserved characters of the password such as @ : / ? #)", what, RedactDSN(dsn))
}

// ambiguous refuses a URL whose password pgx reads otherwise than
// RedactDSN and passwordOf do (everything between the first colon after
// "://" and the last @): a reserved character such as @ left unencoded in
// the password moves the rest of it into the host, where pgx's connection
// errors would show it.
func ambiguous(dsn, parsed string) error {
	if !isURL(dsn) {
		return nil
	}
	if want := passwordOf(dsn); want != "" && want != parsed {
		return errors.New("the password is ambiguous")
	}
	return nil
}

// scrubbed returns err with every occurrence of secret in its text
// replaced; errors.Is and errors.As see through it.
func scrubbed(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &scrubbedError{err: err, secret: secret}
}

type scrubbedError struct {
	err    error
	secret string
}

func (e *scrubbedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.secret, "xxxxx") }
func (e *scrubbedError) Unwrap() error { return e.err }

var (
	kvPassword  = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
	urlPassword = regexp.MustCompile(`(?i)([?&]password=)([^&]*)`)
)

// RedactDSN returns a connection string fit for messages: the password of
// a URL (in its user information or its query), or of a key=value string,
// replaced by "xxxxx". A string is a URL when it starts with postgres://
// or postgresql://, as pgx decides; a key=value password may hold "://".
// It works on strings that do not parse too, erring on the side of hiding
// more: in a URL, everything between the first colon after "://" and the
// last @ counts as the password, and a key=value string that still holds
// "://" once its password is hidden is redacted as a URL as well.
func RedactDSN(dsn string) string {
	if !isURL(dsn) {
		dsn = kvPassword.ReplaceAllString(dsn, "${1}xxxxx")
		if !strings.Contains(dsn, "://") {
			return dsn
		}
	}
	if prefix, _, rest, ok := urlParts(dsn); ok {
		dsn = prefix + "xxxxx" + rest
	}
	return urlPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

// isURL reports whether pgx parses dsn as a URL.
func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// urlParts splits a scheme://user:password@rest string that may not parse
// as a URL at the password: everything between the first colon after
// "://" and the last @.
func urlParts(dsn string) (prefix, password, rest string, ok bool) {
	i := strings.Index(dsn, "://")
	if i < 0 {
		return "", "", "", false
	}
	at := strings.LastIndex(dsn, "@")
	if at < i {
		return "", "", "", false
	}
	colon := strings.Index(dsn[i+3:at], ":")
	if colon < 0 {
		return "", "", "", false
	}
	colon += i + 3
	return dsn[:colon+1], dsn[colon+1 : at], dsn[at:], true
}

// passwordOf extracts the password of a connection string, best effort, to
// scrub it from errors and to know whether a parser's message may quote it.
func passwordOf(dsn string) string {
	if !isURL(dsn) {
		if m := kvPassword.FindStringSubmatch(dsn); m != nil {
			return strings.Trim(m[2], "'")
		}
		if !strings.Contains(dsn, "://") {
			return ""
		}
	}
	if _, pw, _, ok := urlParts(dsn); ok {
		if dec, err := url.PathUnescape(pw); err == nil {
			return dec
		}
		return pw
	}
	if m := urlPassword.FindStringSubmatch(dsn); m != nil {
		if dec, err := url.QueryUnescape(m[2]); err == nil {
			return dec
		}
		return m[2]
	}
	return ""
}
