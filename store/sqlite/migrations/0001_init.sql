-- Schema 1: plans with versions, events, the record log and its chain heads.
CREATE TABLE plans (
	tenant   TEXT    NOT NULL,
	id       TEXT    NOT NULL,
	version  INTEGER NOT NULL,
	body     TEXT    NOT NULL, -- the plan as store.EncodePlan writes it (earlier: comms.EncodeJSON)
	saved_at TEXT    NOT NULL, -- RFC 3339, UTC
	saved_by TEXT    NOT NULL,
	note     TEXT    NOT NULL,
	PRIMARY KEY (tenant, id, version)
) WITHOUT ROWID;

CREATE TABLE events (
	tenant TEXT    NOT NULL,
	id     TEXT    NOT NULL,
	kind   TEXT    NOT NULL,
	start  INTEGER NOT NULL, -- first milestone, Unix microseconds
	body   TEXT    NOT NULL, -- the event as JSON
	PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX events_by_start ON events (tenant, start, id);

-- The append-only log. body is the canonical encoding (store.Seal) and
-- hash its SHA-256; the other columns are copies for querying, which
-- Verify checks against body (store.VerifyChain).
CREATE TABLE records (
	tenant      TEXT    NOT NULL,
	seq         INTEGER NOT NULL,
	plan_id     TEXT    NOT NULL,
	activity_id TEXT    NOT NULL,
	event_id    TEXT    NOT NULL,
	sent_at     INTEGER NOT NULL, -- Unix microseconds
	body        BLOB    NOT NULL,
	hash        TEXT    NOT NULL,
	PRIMARY KEY (tenant, seq)
) WITHOUT ROWID;
CREATE INDEX records_by_plan ON records (tenant, plan_id, seq);
CREATE INDEX records_by_activity ON records (tenant, activity_id, seq);
CREATE INDEX records_by_event ON records (tenant, event_id, seq);
CREATE INDEX records_by_sent ON records (tenant, sent_at, seq);

-- The last record appended per tenant: Verify checks that the log ends
-- there, so that deleting the newest records is detected too.
CREATE TABLE chain_heads (
	tenant TEXT    NOT NULL PRIMARY KEY,
	seq    INTEGER NOT NULL,
	hash   TEXT    NOT NULL
) WITHOUT ROWID;
