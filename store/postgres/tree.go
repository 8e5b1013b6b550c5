package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var (
	_ store.TreeReader   = (*Store)(nil)
	_ store.LeafVerifier = (*Store)(nil)
)

// treeMigration is the migration that adds the tree; migrate builds the
// tree of the records already stored after it.
const treeMigration = "0007_tree.sql"

// treeQueries are the statements of the tree, qualified with the schema.
type treeQueries struct {
	frontier, insert, hashes, extent, unbuilt string
}

func newTreeQueries(schema string) treeQueries {
	t := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	return treeQueries{
		// The right edge of the tree at the head (driver.FrontierIndexes):
		// for each level l, node (seq >> l) - 1. Queued after lockHead, so
		// it sees the head the lock returned (READ COMMITTED: each
		// statement sees what was committed before it began).
		frontier: `SELECT l.level, t.node, t.hash FROM ` + t("chain_heads") + ` h
			CROSS JOIN generate_series(0, 62) AS l(level)
			JOIN ` + t("tree_hashes") + ` t ON t.tenant = h.tenant AND t.level = l.level AND t.node = (h.seq >> l.level) - 1
			WHERE h.tenant = $1 AND (h.seq >> l.level) > 0`,
		insert: `INSERT INTO ` + t("tree_hashes") + ` (tenant, level, node, hash)
			SELECT $1, * FROM unnest($2::smallint[], $3::bigint[], $4::bytea[])`,
		// A stored hash past the head's size, if any: one index probe per
		// level (store.TreeReader.TreeExtent).
		extent: `SELECT l.level, x.node FROM generate_series(0, 62) AS l(level)
			CROSS JOIN LATERAL (SELECT t.node FROM ` + t("tree_hashes") + ` t
				WHERE t.tenant = $1 AND t.level = l.level
				AND t.node >= (COALESCE((SELECT seq FROM ` + t("chain_heads") + ` WHERE tenant = $1), 0) >> l.level)
				ORDER BY t.node LIMIT 1) x
			ORDER BY l.level LIMIT 1`,
		unbuilt: `SELECT seq, reason FROM ` + t("tree_unbuilt") + ` WHERE tenant = $1`,
		// The stored hashes of runs of consecutive nodes of a level
		// (driver.HashRuns): one index range scan per run, so that a
		// verifier reading every hash of a level reads them in order.
		hashes: `SELECT t.level, t.node, t.hash FROM unnest($2::smallint[], $3::bigint[], $4::bigint[]) AS r(level, first, last)
			JOIN ` + t("tree_hashes") + ` t ON t.tenant = $1 AND t.level = r.level AND t.node BETWEEN r.first AND r.last`,
	}
}

// frontier is the tree's right edge as the frontier query read it:
// stored hash index → hash.
type frontier map[int64]tlog.Hash

// scan reads the rows of the frontier query.
func (f frontier) scan(rows pgx.Rows) error {
	for rows.Next() {
		var level int
		var node int64
		var hash []byte
		if err := rows.Scan(&level, &node, &hash); err != nil {
			return err
		}
		if len(hash) == tlog.HashSize {
			f[tlog.StoredHashIndex(level, node)] = tlog.Hash(hash)
		}
	}
	return rows.Err()
}

// treeRows are the arrays of the insert statement for the stored hashes
// of tenant's tree of n leaves that adding bodies writes, built from the
// tree's right edge f read at n.
func treeRows(tenant string, n int64, f frontier, bodies [][]byte) (levels []int16, nodes []int64, hashes [][]byte, err error) {
	b, err := driver.NewTreeBuilder(n, tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			h, ok := f[x]
			if !ok {
				return nil, driver.MissingHash(tenant, n, x)
			}
			out[i] = h
		}
		return out, nil
	}))
	if err != nil {
		return nil, nil, nil, err
	}
	next := tlog.StoredHashCount(n)
	for _, body := range bodies {
		hs, err := b.Add(body)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, h := range hs {
			level, node := tlog.SplitStoredHashIndex(next)
			levels, nodes, hashes = append(levels, int16(level)), append(nodes, node), append(hashes, h[:])
			next++
		}
	}
	return levels, nodes, hashes, nil
}

// TreeSize implements store.TreeReader: the tree has a leaf for each
// record, written with it, so its size is the head's sequence number.
func (s *Store) TreeSize(ctx context.Context, tenant string) (int64, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, err
	}
	var seq int64
	err := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.q.head, tenant).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&seq, new(string)); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
	})
	return seq, err
}

// TreeExtent implements store.TreeReader, in one REPEATABLE READ round
// trip: the head, then one index probe per level for a node past it.
func (s *Store) TreeExtent(ctx context.Context, tenant string) (int64, int64, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, -1, err
	}
	var size int64
	stray := int64(-1)
	err := s.snapshot(ctx, tenant, func(b *pgx.Batch) {
		size, stray = 0, -1
		b.Queue(s.q.head, tenant).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&size, new(string)); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		b.Queue(s.tq.extent, tenant).QueryRow(func(row pgx.Row) error {
			var level int
			var node int64
			switch err := row.Scan(&level, &node); {
			case errors.Is(err, pgx.ErrNoRows):
				return nil
			case err != nil:
				return err
			}
			stray = tlog.StoredHashIndex(level, node)
			return nil
		})
	})
	if err != nil {
		return 0, -1, err
	}
	return size, stray, nil
}

// appendTreeErr turns the error of an append to tenant's tree of n
// leaves into what it means: a right edge missing from a tenant whose
// tree the migration left unbuilt, the *store.TreeError it noted; hashes
// already stored where the append writes (a unique violation on
// tree_hashes), the log was cut (driver.CutTree).
func (s *Store) appendTreeErr(ctx context.Context, tenant string, n int64, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.TableName == "tree_hashes" {
		return driver.CutTree(tenant, n)
	}
	var te *store.TreeError
	if !errors.As(err, &te) {
		return err
	}
	var u *store.TreeError
	if lerr := s.batch(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.tq.unbuilt, tenant).QueryRow(func(row pgx.Row) error {
			var seq int64
			var reason string
			switch err := row.Scan(&seq, &reason); {
			case errors.Is(err, pgx.ErrNoRows):
				return nil
			case err != nil:
				return err
			}
			u = driver.UnbuiltTree(tenant, seq, reason)
			return nil
		})
	}); lerr != nil {
		return err
	}
	if u != nil {
		return u
	}
	return err
}

// TreeHashes implements store.TreeReader, in one REPEATABLE READ round
// trip: the tree's size, then the hashes, in one statement.
func (s *Store) TreeHashes(ctx context.Context, tenant string, size int64, indexes []int64) ([]tlog.Hash, error) {
	if err := driver.CheckTenant(tenant); err != nil {
		return nil, err
	}
	valid := make([]int64, 0, len(indexes))
	for _, x := range indexes {
		if x >= 0 && x < tlog.StoredHashCount(max(size, 0)) {
			valid = append(valid, x) // the others: refused by CheckTreeHashes below
		}
	}
	runs := driver.HashRuns(valid)
	levels, firsts, lasts := make([]int16, len(runs)), make([]int64, len(runs)), make([]int64, len(runs))
	for i, r := range runs {
		levels[i], firsts[i], lasts[i] = int16(r.Level), r.First, r.Last
	}
	var treeSize int64
	got := make(map[int64]tlog.Hash, len(valid))
	err := s.snapshot(ctx, tenant, func(b *pgx.Batch) {
		b.Queue(s.q.head, tenant).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&treeSize, new(string)); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		b.Queue(s.tq.hashes, tenant, levels, firsts, lasts).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var level int16
				var node int64
				var hash []byte
				if err := rows.Scan(&level, &node, &hash); err != nil {
					return err
				}
				if len(hash) == tlog.HashSize {
					got[tlog.StoredHashIndex(int(level), node)] = tlog.Hash(hash)
				}
			}
			return rows.Err()
		})
	})
	if err != nil {
		return nil, err
	}
	if err := driver.CheckTreeHashes(size, treeSize, indexes); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := got[x]
		if !ok {
			// A tree the migration never built is not a damaged one: the
			// note, if there is one.
			return nil, s.appendTreeErr(ctx, tenant, size, driver.MissingHash(tenant, size, x))
		}
		out[i] = h
	}
	return out, nil
}

// treeChunk is how many records the migration to schema 7 reads at a
// time to build the trees of the records already stored.
const treeChunk = 4096

// buildTrees computes, in the migrating transaction, the tree of every
// tenant's records already stored, from their bodies: leaf i is record
// i+1. The owner runs it under FORCE ROW LEVEL SECURITY, which would show
// it no row: lifted for it, within the transaction, and put back. A log
// with a gap in its sequence numbers, or that does not end at its head,
// is broken: its tree is left unbuilt and noted in tree_unbuilt (the
// record where it breaks, and why), so that its appends fail naming the
// break and its verify reports it, and the migration goes on with the
// other tenants. It returns the notes.
func buildTrees(ctx context.Context, tx pgx.Tx) ([]*store.TreeError, error) {
	for _, q := range []string{
		`ALTER TABLE records NO FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE chain_heads NO FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE tree_hashes NO FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE tree_unbuilt NO FORCE ROW LEVEL SECURITY`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return nil, err
		}
	}
	rows, err := tx.Query(ctx, `SELECT tenant, seq FROM chain_heads ORDER BY tenant`)
	if err != nil {
		return nil, err
	}
	var tenants []string
	var heads []int64
	for rows.Next() {
		var tenant string
		var seq int64
		if err := rows.Scan(&tenant, &seq); err != nil {
			rows.Close()
			return nil, err
		}
		tenants, heads = append(tenants, tenant), append(heads, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var notes []*store.TreeError
	for i, tenant := range tenants {
		// Each tenant in a savepoint: a broken log's partial tree is
		// rolled back, and the migration goes on.
		if _, err := tx.Exec(ctx, `SAVEPOINT build_tree`); err != nil {
			return nil, err
		}
		err := buildTree(ctx, tx, tenant, heads[i])
		var ce *store.ChainError
		switch {
		case errors.As(err, &ce):
			if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT build_tree`); err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO tree_unbuilt (tenant, seq, reason) VALUES ($1, $2, $3)`, tenant, ce.Seq, ce.Reason); err != nil {
				return nil, err
			}
			notes = append(notes, driver.UnbuiltTree(tenant, ce.Seq, ce.Reason))
		case err != nil:
			return nil, fmt.Errorf("build the Merkle tree of tenant %q: %w", tenant, err)
		}
		if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT build_tree`); err != nil {
			return nil, err
		}
	}
	for _, q := range []string{
		`ALTER TABLE records FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE chain_heads FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE tree_hashes FORCE ROW LEVEL SECURITY`,
		`ALTER TABLE tree_unbuilt FORCE ROW LEVEL SECURITY`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return nil, err
		}
	}
	return notes, nil
}

func buildTree(ctx context.Context, tx pgx.Tx, tenant string, head int64) error {
	b, err := driver.NewTreeBuilder(0, nil)
	if err != nil {
		return err
	}
	for b.Size() < head {
		rows, err := tx.Query(ctx, `SELECT seq, body FROM records WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3`, tenant, b.Size(), treeChunk)
		if err != nil {
			return err
		}
		next := tlog.StoredHashCount(b.Size())
		var levels []int16
		var nodes []int64
		var hashes [][]byte
		read := 0
		for rows.Next() {
			var seq int64
			var body []byte
			if err := rows.Scan(&seq, &body); err != nil {
				rows.Close()
				return err
			}
			if seq != b.Size()+1 {
				rows.Close()
				return &store.ChainError{Tenant: tenant, Seq: b.Size() + 1, Reason: fmt.Sprintf("record %d is missing (the next stored record is %d)", b.Size()+1, seq)}
			}
			hs, err := b.Add(body)
			if err != nil {
				rows.Close()
				return err
			}
			for _, h := range hs {
				level, node := tlog.SplitStoredHashIndex(next)
				levels, nodes, hashes = append(levels, int16(level)), append(nodes, node), append(hashes, h[:])
				next++
			}
			read++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if read == 0 {
			return &store.ChainError{Tenant: tenant, Seq: b.Size() + 1, Reason: fmt.Sprintf("the log ends at record %d but record %d was appended", b.Size(), head)}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO tree_hashes (tenant, level, node, hash) SELECT $1, * FROM unnest($2::smallint[], $3::bigint[], $4::bytea[])`,
			tenant, levels, nodes, hashes); err != nil {
			return err
		}
	}
	return nil
}

// RebuildTrees retries the tenants whose tree the migration to schema 7
// left unbuilt (noted in tree_unbuilt because their log was broken then),
// as store/sqlite's RebuildTrees does: in one transaction under the
// migrations' advisory lock, a tenant whose record chain now verifies
// gets its tree, built from its records, and its note is removed, so that
// it can be appended to and checkpointed again; one still broken keeps
// its note, updated to the break found now. It returns the tenants whose
// tree it built and the notes of those still broken. ismscomms migrate
// calls it.
//
// It runs as the owner of the store's tables, as migrations do (it lifts
// FORCE ROW LEVEL SECURITY for the transaction, to see every tenant's
// rows): through Options.OwnerDSN when the store was opened with it, else
// through the store's own pool, whose role must then be the owner
// (Options.AllowPrivilegedRole, as the CLI opens it); another role's
// RebuildTrees fails with ErrPermission, changing nothing. With no tenant
// to retry (the common case) it locks only the small table of the notes,
// for a moment; otherwise it also locks the records, chain heads and tree
// hashes of every tenant while it rebuilds. It waits at most
// Options.LockTimeout (10 s when not set) for each lock, the migrations'
// advisory lock included, and fails with ErrUnavailable after that,
// changing nothing.
func (s *Store) RebuildTrees(ctx context.Context) (built []string, unbuilt []*store.TreeError, err error) {
	if s.closed.Load() {
		return nil, nil, fmt.Errorf("postgres: %w", store.ErrClosed)
	}
	if err := s.writable(); err != nil {
		return nil, nil, err
	}
	rebuild := func(conn *pgx.Conn) error {
		return s.withRetry(ctx, func() error {
			var err error
			built, unbuilt, err = s.rebuildTrees(ctx, conn)
			return err
		})
	}
	if s.ownerDSN != "" {
		cfg, err := pgx.ParseConfig(s.ownerDSN)
		if err != nil {
			return nil, nil, parseError("owner connection string", s.ownerDSN, err)
		}
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: owner connection: %w", translate(ctx, scrubbed(err, cfg.Password)))
		}
		defer conn.Close(context.Background())
		err = rebuild(conn)
		return built, unbuilt, translate(ctx, scrubbed(err, cfg.Password))
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, s.translate(ctx, err)
	}
	defer c.Release()
	err = rebuild(c.Conn())
	return built, unbuilt, s.translate(ctx, err)
}

// rebuildTrees is RebuildTrees' transaction on conn.
func (s *Store) rebuildTrees(ctx context.Context, conn *pgx.Conn) (built []string, unbuilt []*store.TreeError, err error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(context.Background())
	// Every lock it waits for, the migrations' advisory lock first, for
	// at most the lock timeout.
	lockTimeout := s.lockTimeout
	if lockTimeout <= 0 {
		lockTimeout = 10 * time.Second
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, max(lockTimeout.Milliseconds(), 1))); err != nil {
		return nil, nil, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+migrationLockKey+`)`, s.schema); err != nil {
		return nil, nil, err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
		return nil, nil, err
	}
	var role string
	if err := tx.QueryRow(ctx, `SELECT current_user`).Scan(&role); err != nil {
		return nil, nil, err
	}
	// The notes first, alone: with none, no other table is locked.
	tables := []string{"tree_unbuilt", "records", "chain_heads", "tree_hashes"}
	noForce := func(table string) error {
		_, err := tx.Exec(ctx, `ALTER TABLE `+table+` NO FORCE ROW LEVEL SECURITY`)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" {
			return fmt.Errorf("postgres: rebuilding the Merkle trees needs the owner of the store's tables, and role %q is not: %w", role, err)
		}
		return err
	}
	if err := noForce(tables[0]); err != nil {
		return nil, nil, err
	}
	rows, err := tx.Query(ctx, `SELECT tenant FROM tree_unbuilt ORDER BY tenant`)
	if err != nil {
		return nil, nil, err
	}
	tenants, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, nil, err
	}
	if len(tenants) == 0 {
		return nil, nil, nil // rolled back: FORCE stays as it was
	}
	for _, table := range tables[1:] {
		if err := noForce(table); err != nil {
			return nil, nil, err
		}
	}
	for _, tenant := range tenants {
		if _, err := tx.Exec(ctx, `SAVEPOINT rebuild_tree`); err != nil {
			return nil, nil, err
		}
		head, ce, err := verifyInTx(ctx, tx, s.q.verifyRecords, tenant)
		if err != nil {
			return nil, nil, err
		}
		if ce == nil {
			_, err := tx.Exec(ctx, `DELETE FROM tree_hashes WHERE tenant = $1`, tenant)
			if err == nil {
				err = buildTree(ctx, tx, tenant, head.Seq)
			}
			if err != nil && !errors.As(err, &ce) {
				return nil, nil, fmt.Errorf("build the Merkle tree of tenant %q: %w", tenant, err)
			}
		}
		if ce != nil {
			if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT rebuild_tree`); err != nil {
				return nil, nil, err
			}
			if _, err := tx.Exec(ctx, `UPDATE tree_unbuilt SET seq = $1, reason = $2 WHERE tenant = $3`, ce.Seq, ce.Reason, tenant); err != nil {
				return nil, nil, err
			}
			unbuilt = append(unbuilt, driver.UnbuiltTree(tenant, ce.Seq, ce.Reason))
		} else {
			if _, err := tx.Exec(ctx, `DELETE FROM tree_unbuilt WHERE tenant = $1`, tenant); err != nil {
				return nil, nil, err
			}
			built = append(built, tenant)
		}
		if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT rebuild_tree`); err != nil {
			return nil, nil, err
		}
	}
	for _, table := range tables {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+table+` FORCE ROW LEVEL SECURITY`); err != nil {
			return nil, nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, nil, err
	}
	return built, unbuilt, nil
}

// verifyInTx verifies tenant's record chain in tx (a transaction that
// sees its rows), as Verify does: the head it verified, or the
// *store.ChainError of a broken chain.
func verifyInTx(ctx context.Context, tx pgx.Tx, query, tenant string) (store.Head, *store.ChainError, error) {
	var head store.Head
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM chain_heads WHERE tenant = $1`, tenant).Scan(&head.Seq, &head.Hash); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return store.Head{}, nil, err
	}
	rows, err := tx.Query(ctx, query, tenant)
	if err != nil {
		return store.Head{}, nil, err
	}
	defer rows.Close()
	verified, err, readErr := verifyRows(ctx, tenant, rows, head, nil)
	rows.Close()
	if readErr != nil {
		return store.Head{}, nil, readErr
	}
	var ce *store.ChainError
	if errors.As(err, &ce) {
		return store.Head{}, ce, nil
	}
	return verified, nil, err
}
