-- Schema version 3: rosters, the people of a tenant's stakeholder groups.
-- Runs with search_path set to the store's schema, in the migrating
-- transaction.
--
-- Kept as plans are: every version, rows only ever inserted (the
-- application role gets SELECT and INSERT, no UPDATE, no DELETE), and
-- isolated by tenant under the same row-level security as every other
-- table, forced on the owner too. Rosters are personal data: a query
-- with no tenant set sees no row.
CREATE TABLE rosters (
	tenant   text        NOT NULL,
	id       text        NOT NULL,
	version  integer     NOT NULL CHECK (version > 0),
	body     text        NOT NULL, -- the roster as store/driver.EncodeRoster writes it
	saved_at timestamptz NOT NULL,
	saved_by text        NOT NULL,
	note     text        NOT NULL,
	PRIMARY KEY (tenant, id, version)
);

ALTER TABLE rosters ENABLE ROW LEVEL SECURITY;
ALTER TABLE rosters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rosters
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));
