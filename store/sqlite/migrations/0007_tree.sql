-- Schema 7: the Merkle tree over each tenant's log (store.TreeReader):
-- golang.org/x/mod/sumdb/tlog's stored hashes, one row per hash, at
-- level and node of the tree (tlog.StoredHashIndex(level, node) is its
-- place in tlog's order). Leaf i (level 0, node i) is record i+1, its
-- hash tlog.RecordHash of the record's body. Rows are only ever
-- inserted, in the transaction that appends the records they cover.
-- The hashes of the records already stored are computed from their
-- bodies by the Go code that runs this migration, in its transaction
-- (SQL has no SHA-256 here).
CREATE TABLE tree_hashes (
	tenant TEXT    NOT NULL,
	level  INTEGER NOT NULL CHECK (level >= 0 AND level < 63),
	node   INTEGER NOT NULL CHECK (node >= 0),
	hash   BLOB    NOT NULL CHECK (length(hash) = 32),
	PRIMARY KEY (tenant, level, node)
) WITHOUT ROWID;

-- A tenant whose log was broken when this migration ran (a gap in its
-- sequence numbers, or a log that ends before its head) gets no tree:
-- the record where its log breaks and why are noted here, so that its
-- appends fail naming the break; the other tenants' trees are built.
CREATE TABLE tree_unbuilt (
	tenant TEXT    NOT NULL PRIMARY KEY,
	seq    INTEGER NOT NULL,
	reason TEXT    NOT NULL
) WITHOUT ROWID;
