-- Schema version 1. Runs with search_path set to the store's schema, in
-- the migrating transaction.

-- Plan versions: rows are only ever inserted.
CREATE TABLE plans (
	tenant   text        NOT NULL,
	id       text        NOT NULL,
	version  integer     NOT NULL CHECK (version > 0),
	body     text        NOT NULL, -- the plan as store.EncodePlan writes it (earlier: comms.EncodeJSON)
	saved_at timestamptz NOT NULL,
	saved_by text        NOT NULL,
	note     text        NOT NULL,
	PRIMARY KEY (tenant, id, version)
);

-- Events (incidents and other triggers), replaced as milestones are added.
CREATE TABLE events (
	tenant text        NOT NULL,
	id     text        NOT NULL,
	kind   text        NOT NULL,
	start  timestamptz,          -- the first milestone
	body   text        NOT NULL, -- the event as JSON
	PRIMARY KEY (tenant, id)
);
CREATE INDEX events_by_start ON events (tenant, start, id);

-- The append-only log. body is the canonical encoding (store.Seal) and
-- hash its SHA-256; the other columns are copies for querying, which
-- Verify checks against body (store.VerifyChain).
CREATE TABLE records (
	tenant      text        NOT NULL,
	seq         bigint      NOT NULL CHECK (seq > 0),
	plan_id     text        NOT NULL,
	activity_id text        NOT NULL,
	event_id    text        NOT NULL,
	sent_at     timestamptz NOT NULL,
	body        bytea       NOT NULL,
	hash        text        NOT NULL,
	PRIMARY KEY (tenant, seq)
);
CREATE INDEX records_by_plan ON records (tenant, plan_id, seq);
CREATE INDEX records_by_activity ON records (tenant, activity_id, seq);
CREATE INDEX records_by_event ON records (tenant, event_id, seq);
CREATE INDEX records_by_sent ON records (tenant, sent_at, seq);

-- The last record appended per tenant. Appends lock this row (FOR UPDATE)
-- to serialise per tenant; Verify checks that the log ends here, so that
-- deleting the newest records is detected too.
CREATE TABLE chain_heads (
	tenant text   NOT NULL PRIMARY KEY,
	seq    bigint NOT NULL,
	hash   text   NOT NULL
);

-- Tenant isolation by the database: every row is visible and writable only
-- while the transaction's ismscomms.tenant setting names its tenant. With
-- the setting absent, current_setting(..., true) is NULL or '' and no row
-- matches. FORCE applies the policies to the tables' owner too.
ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON plans
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON records
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));

ALTER TABLE chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE chain_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON chain_heads
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));
