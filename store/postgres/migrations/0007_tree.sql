-- Schema version 7: the Merkle tree over each tenant's log
-- (store.TreeReader): golang.org/x/mod/sumdb/tlog's stored hashes, one
-- row per hash, at level and node of the tree
-- (tlog.StoredHashIndex(level, node) is its place in tlog's order). Leaf
-- i (level 0, node i) is record i+1, its hash tlog.RecordHash of the
-- record's body. Rows are only ever inserted, in the transaction that
-- appends the records they cover. The hashes of the records already
-- stored are computed from their bodies by the Go code that runs this
-- migration, in the migrating transaction. Runs with search_path set to
-- the store's schema.
CREATE TABLE tree_hashes (
	tenant text     NOT NULL,
	level  smallint NOT NULL CHECK (level >= 0 AND level < 63),
	node   bigint   NOT NULL CHECK (node >= 0),
	hash   bytea    NOT NULL CHECK (length(hash) = 32),
	PRIMARY KEY (tenant, level, node)
);

ALTER TABLE tree_hashes ENABLE ROW LEVEL SECURITY;
ALTER TABLE tree_hashes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tree_hashes
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));

-- A tenant whose log was broken when this migration ran (a gap in its
-- sequence numbers, or a log that ends before its head) gets no tree:
-- the record where its log breaks and why are noted here, so that its
-- appends fail naming the break; the other tenants' trees are built.
-- The application role only reads it.
CREATE TABLE tree_unbuilt (
	tenant text   NOT NULL PRIMARY KEY,
	seq    bigint NOT NULL,
	reason text   NOT NULL
);

ALTER TABLE tree_unbuilt ENABLE ROW LEVEL SECURITY;
ALTER TABLE tree_unbuilt FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tree_unbuilt
	USING (tenant = current_setting('ismscomms.tenant', true));
