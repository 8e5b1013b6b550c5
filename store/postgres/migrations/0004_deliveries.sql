-- Schema version 4: the delivery log (store.DeliveryLog) and the jobs'
-- checkpoints. Runs with search_path set to the store's schema, in the
-- migrating transaction.
--
-- Operational state of the senders of reminders, not evidence: outside
-- the hash chain, rows updated as keys are claimed, released and marked
-- sent (the application role gets SELECT, INSERT and UPDATE, no DELETE).
-- Isolated by tenant under the same row-level security as every other
-- table, forced on the owner too. Keys compare as bytes (COLLATE "C"), so
-- that listings are in byte order and a prefix's keys sort together.
CREATE TABLE deliveries (
	tenant      text COLLATE "C" NOT NULL,
	key         text COLLATE "C" NOT NULL,
	state       text        NOT NULL CHECK (state IN ('claimed', 'released', 'sent')),
	attempts    integer     NOT NULL CHECK (attempts > 0),
	token       text        NOT NULL, -- the current claim's
	claimed_at  timestamptz NOT NULL,
	lease_until timestamptz NOT NULL,
	sent_at     timestamptz,          -- NULL until sent
	last_error  text        NOT NULL,
	PRIMARY KEY (tenant, key)
);

CREATE TABLE checkpoints (
	tenant text        NOT NULL,
	job    text        NOT NULL,
	at     timestamptz NOT NULL,
	PRIMARY KEY (tenant, job)
);

ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deliveries
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));

ALTER TABLE checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON checkpoints
	USING (tenant = current_setting('ismscomms.tenant', true))
	WITH CHECK (tenant = current_setting('ismscomms.tenant', true));
