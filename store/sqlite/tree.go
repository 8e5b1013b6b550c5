package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
)

var (
	_ store.TreeReader   = (*Store)(nil)
	_ store.LeafVerifier = (*Store)(nil)
)

// treeMigration is the migration that adds the tree; the Go code of
// migrate builds the tree of the records already stored after it.
const treeMigration = "0007_tree.sql"

// querier is what a transaction and the database share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// readTreeHashes reads the stored hashes at indexes of tenant's tree
// (size leaves, for errors), one range query per run of consecutive
// nodes of a level.
func readTreeHashes(ctx context.Context, q querier, tenant string, size int64, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for _, run := range driver.HashRuns(indexes) {
		rows, err := q.QueryContext(ctx, `SELECT node, hash FROM tree_hashes WHERE tenant = ? AND level = ? AND node BETWEEN ? AND ? ORDER BY node`,
			tenant, run.Level, run.First, run.Last)
		if err != nil {
			return nil, err
		}
		next := run.First
		for rows.Next() {
			var node int64
			var hash sql.RawBytes // copied into out before the next row
			if err := rows.Scan(&node, &hash); err != nil {
				rows.Close()
				return nil, err
			}
			if node != next || len(hash) != tlog.HashSize {
				break
			}
			copy(out[run.At[node-run.First]][:], hash)
			next++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if next <= run.Last {
			return nil, driver.MissingHash(tenant, size, tlog.StoredHashIndex(run.Level, next))
		}
	}
	return out, nil
}

// readFrontier reads the stored hashes at indexes, the right edge of
// tenant's tree of n leaves (one node on each of up to 63 levels), in one
// query: a UNION ALL of point lookups on the full primary key, so that
// every planner reads each by the key (an IN list of (level, node) pairs
// was planned by some SQLite versions as a scan of the tenant's tree).
func readFrontier(ctx context.Context, q querier, tenant string, n int64, indexes []int64) ([]tlog.Hash, error) {
	var b strings.Builder
	args := make([]any, 0, 3*len(indexes))
	at := make(map[int64]int, len(indexes))
	for i, x := range indexes {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString(`SELECT level, node, hash FROM tree_hashes WHERE tenant = ? AND level = ? AND node = ?`)
		level, node := tlog.SplitStoredHashIndex(x)
		args = append(args, tenant, level, node)
		at[x] = i
	}
	rows, err := q.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]tlog.Hash, len(indexes))
	found := make([]bool, len(indexes))
	for rows.Next() {
		var level int
		var node int64
		var hash []byte
		if err := rows.Scan(&level, &node, &hash); err != nil {
			return nil, err
		}
		if i, ok := at[tlog.StoredHashIndex(level, node)]; ok && len(hash) == tlog.HashSize {
			out[i], found[i] = tlog.Hash(hash), true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, ok := range found {
		if !ok {
			return nil, driver.MissingHash(tenant, n, indexes[i])
		}
	}
	return out, nil
}

// treeRows is how many hashes one INSERT into tree_hashes writes.
const treeRows = 128

// writeTreeHashes inserts hashes, the stored hashes of tenant's tree from
// index first on.
func writeTreeHashes(ctx context.Context, q querier, tenant string, first int64, hashes []tlog.Hash) error {
	for len(hashes) > 0 {
		k := min(len(hashes), treeRows)
		args := make([]any, 0, 4*k)
		var b strings.Builder
		b.WriteString(`INSERT INTO tree_hashes (tenant, level, node, hash) VALUES `)
		for i := range k {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?)")
			level, node := tlog.SplitStoredHashIndex(first + int64(i))
			args = append(args, tenant, level, node, hashes[i][:])
		}
		if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		hashes, first = hashes[k:], first+int64(k)
	}
	return nil
}

// appendTree adds the leaves bodies to tenant's tree of n leaves, in the
// append's transaction: it reads the tree's right edge (at most 1 + log₂
// n hashes, one query) and writes the hashes the leaves complete.
func (s *Store) appendTree(ctx context.Context, tx *sql.Tx, tenant string, n int64, bodies [][]byte) error {
	b, err := driver.NewTreeBuilder(n, tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return readFrontier(ctx, tx, tenant, n, indexes)
	}))
	if err != nil {
		var te *store.TreeError
		if errors.As(err, &te) {
			if u, uerr := unbuiltTree(ctx, tx, tenant); uerr != nil {
				return s.wrap(ctx, uerr)
			} else if u != nil {
				return u
			}
		}
		return s.treeErr(ctx, err)
	}
	var hashes []tlog.Hash
	for _, body := range bodies {
		h, err := b.Add(body)
		if err != nil {
			return err
		}
		hashes = append(hashes, h...)
	}
	if err := writeTreeHashes(ctx, tx, tenant, tlog.StoredHashCount(n), hashes); err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
			return driver.CutTree(tenant, n)
		}
		return s.wrap(ctx, err)
	}
	return nil
}

// unbuiltTree returns the *store.TreeError the migration to schema 7
// noted for tenant (its log was broken, and no tree was built), or nil.
func unbuiltTree(ctx context.Context, q querier, tenant string) (*store.TreeError, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, reason FROM tree_unbuilt WHERE tenant = ?`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var seq int64
	var reason string
	if err := rows.Scan(&seq, &reason); err != nil {
		return nil, err
	}
	return driver.UnbuiltTree(tenant, seq, reason), nil
}

// treeErr passes a *store.TreeError on and wraps the rest.
func (s *Store) treeErr(ctx context.Context, err error) error {
	var te *store.TreeError
	if errors.As(err, &te) {
		return err
	}
	return s.wrap(ctx, err)
}

// TreeSize implements store.TreeReader: the tree has a leaf for each
// record, written with it, so its size is the head's sequence number.
func (s *Store) TreeSize(ctx context.Context, tenant string) (int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, err
	}
	var seq int64
	err := s.db.QueryRowContext(ctx, `SELECT seq FROM chain_heads WHERE tenant = ?`, tenant).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, s.wrap(ctx, err)
	}
	return seq, nil
}

// TreeExtent implements store.TreeReader, in one read transaction: the
// head, then one point lookup per level for a node past the size (63
// index seeks, planner-proof).
func (s *Store) TreeExtent(ctx context.Context, tenant string) (int64, int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, -1, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return 0, -1, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, -1, s.wrap(ctx, err)
	}
	defer tx.Rollback()
	var size int64
	err = tx.QueryRowContext(ctx, `SELECT seq FROM chain_heads WHERE tenant = ?`, tenant).Scan(&size)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, -1, s.wrap(ctx, err)
	}
	for level := range 63 {
		var node int64
		err := tx.QueryRowContext(ctx, `SELECT node FROM tree_hashes WHERE tenant = ? AND level = ? AND node >= ? ORDER BY node LIMIT 1`, tenant, level, size>>level).Scan(&node)
		switch {
		case err == nil:
			return size, tlog.StoredHashIndex(level, node), nil
		case !errors.Is(err, sql.ErrNoRows):
			return 0, -1, s.wrap(ctx, err)
		}
	}
	return size, -1, nil
}

// TreeHashes implements store.TreeReader, in one read transaction: the
// tree's size, then the hashes, one range query per run of consecutive
// nodes of a level (so that reading a tree's hashes in order, as a
// verifier does, costs a few queries per thousand).
func (s *Store) TreeHashes(ctx context.Context, tenant string, size int64, indexes []int64) ([]tlog.Hash, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if err := driver.CheckTenant(tenant); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.wrap(ctx, err)
	}
	defer tx.Rollback()
	var treeSize int64
	err = tx.QueryRowContext(ctx, `SELECT seq FROM chain_heads WHERE tenant = ?`, tenant).Scan(&treeSize)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, s.wrap(ctx, err)
	}
	if err := driver.CheckTreeHashes(size, treeSize, indexes); err != nil {
		return nil, err
	}
	hashes, err := readTreeHashes(ctx, tx, tenant, size, indexes)
	if err != nil {
		var te *store.TreeError
		if errors.As(err, &te) {
			// A tree the migration never built is not a damaged one.
			if u, uerr := unbuiltTree(ctx, tx, tenant); uerr != nil {
				return nil, s.wrap(ctx, uerr)
			} else if u != nil {
				return nil, u
			}
		}
		return nil, s.treeErr(ctx, err)
	}
	return hashes, nil
}

// treeChunk is how many records the migration to schema 7 reads at a
// time to build the trees of the records already stored.
const treeChunk = 4096

// buildTrees computes, in the migration's transaction, the tree of every
// tenant's records already stored (those an older schema wrote, without
// a tree), from their bodies: leaf i is record i+1. A log with a gap in
// its sequence numbers, or that does not end at the head kept for it,
// is broken: its tree is left unbuilt and noted in tree_unbuilt (the
// record where it breaks, and why), so that its appends fail naming the
// break and its verify reports it, and the migration goes on with the
// other tenants. It returns the notes.
func buildTrees(ctx context.Context, tx *sql.Tx) ([]*store.TreeError, error) {
	var heads []store.Head
	var tenants []string
	rows, err := tx.QueryContext(ctx, `SELECT tenant, seq FROM chain_heads ORDER BY tenant`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tenant string
		var seq int64
		if err := rows.Scan(&tenant, &seq); err != nil {
			rows.Close()
			return nil, err
		}
		tenants, heads = append(tenants, tenant), append(heads, store.Head{Seq: seq})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var notes []*store.TreeError
	for i, tenant := range tenants {
		err := buildTree(ctx, tx, tenant, heads[i].Seq)
		var ce *store.ChainError
		switch {
		case errors.As(err, &ce):
			if _, err := tx.ExecContext(ctx, `DELETE FROM tree_hashes WHERE tenant = ?`, tenant); err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO tree_unbuilt (tenant, seq, reason) VALUES (?, ?, ?)`, tenant, ce.Seq, ce.Reason); err != nil {
				return nil, err
			}
			notes = append(notes, driver.UnbuiltTree(tenant, ce.Seq, ce.Reason))
		case err != nil:
			return nil, fmt.Errorf("build the Merkle tree of tenant %q: %w", tenant, err)
		}
	}
	return notes, nil
}

// RebuildTrees retries, in one write transaction, the tenants whose
// tree the migration to schema 7 left unbuilt (noted in the file because
// their log was broken then): a tenant whose record chain now verifies
// (Verify) and whose records are in sequence up to its head gets its
// tree, built from its records, and its note is removed, so that it can
// be appended to and checkpointed again; one still broken keeps its
// note, updated to the break found now. It returns the tenants whose
// tree it built and the notes of those still broken. ismscomms migrate
// calls it.
func (s *Store) RebuildTrees(ctx context.Context) (built []string, unbuilt []*store.TreeError, err error) {
	if err := s.usable(ctx); err != nil {
		return nil, nil, err
	}
	if s.readOnly {
		return nil, nil, fmt.Errorf("sqlite: %s was opened read-only: %w", s.path, store.ErrReadOnly)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT tenant FROM tree_unbuilt ORDER BY tenant`)
	if err != nil {
		return nil, nil, s.wrap(ctx, err)
	}
	var tenants []string
	for rows.Next() {
		var tenant string
		if err := rows.Scan(&tenant); err != nil {
			rows.Close()
			return nil, nil, s.wrap(ctx, err)
		}
		tenants = append(tenants, tenant)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, s.wrap(ctx, err)
	}
	if len(tenants) == 0 {
		return nil, nil, nil
	}
	// The chains first, outside the write transaction: nothing can be
	// appended to these tenants meanwhile (their tree is unbuilt).
	broken := make(map[string]*store.ChainError, len(tenants))
	for _, tenant := range tenants {
		_, err := s.Verify(ctx, tenant)
		var ce *store.ChainError
		switch {
		case errors.As(err, &ce):
			broken[tenant] = ce
		case err != nil:
			return nil, nil, err
		}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		built, unbuilt = nil, nil
		for _, tenant := range tenants {
			if _, err := tx.ExecContext(ctx, `DELETE FROM tree_hashes WHERE tenant = ?`, tenant); err != nil {
				return s.wrap(ctx, err)
			}
			ce := broken[tenant]
			if ce == nil {
				var head int64
				err := tx.QueryRowContext(ctx, `SELECT seq FROM chain_heads WHERE tenant = ?`, tenant).Scan(&head)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return s.wrap(ctx, err)
				}
				if err := buildTree(ctx, tx, tenant, head); err != nil && !errors.As(err, &ce) {
					return s.wrap(ctx, fmt.Errorf("build the Merkle tree of tenant %q: %w", tenant, err))
				}
			}
			if ce != nil {
				if _, err := tx.ExecContext(ctx, `DELETE FROM tree_hashes WHERE tenant = ?`, tenant); err != nil {
					return s.wrap(ctx, err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE tree_unbuilt SET seq = ?, reason = ? WHERE tenant = ?`, ce.Seq, ce.Reason, tenant); err != nil {
					return s.wrap(ctx, err)
				}
				unbuilt = append(unbuilt, driver.UnbuiltTree(tenant, ce.Seq, ce.Reason))
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM tree_unbuilt WHERE tenant = ?`, tenant); err != nil {
				return s.wrap(ctx, err)
			}
			built = append(built, tenant)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return built, unbuilt, nil
}

func buildTree(ctx context.Context, tx *sql.Tx, tenant string, head int64) error {
	b, err := driver.NewTreeBuilder(0, nil)
	if err != nil {
		return err
	}
	for b.Size() < head {
		rows, err := tx.QueryContext(ctx, `SELECT seq, body FROM records WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`, tenant, b.Size(), treeChunk)
		if err != nil {
			return err
		}
		first := tlog.StoredHashCount(b.Size())
		var hashes []tlog.Hash
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
			h, err := b.Add(body)
			if err != nil {
				rows.Close()
				return err
			}
			hashes = append(hashes, h...)
			read++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if read == 0 {
			return &store.ChainError{Tenant: tenant, Seq: b.Size() + 1, Reason: fmt.Sprintf("the log ends at record %d but record %d was appended", b.Size(), head)}
		}
		if err := writeTreeHashes(ctx, tx, tenant, first, hashes); err != nil {
			return err
		}
	}
	return nil
}
