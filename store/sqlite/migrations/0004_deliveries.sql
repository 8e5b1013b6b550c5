-- Schema 4: the delivery log (store.DeliveryLog), operational state of
-- the senders of reminders, outside the hash chain: one row per
-- idempotency key, updated as it is claimed, released and marked sent;
-- and each job's checkpoint (the time of its last run).
CREATE TABLE deliveries (
	tenant      TEXT    NOT NULL,
	key         TEXT    NOT NULL,
	state       TEXT    NOT NULL CHECK (state IN ('claimed', 'released', 'sent')),
	attempts    INTEGER NOT NULL CHECK (attempts > 0),
	token       TEXT    NOT NULL, -- the current claim's
	claimed_at  INTEGER NOT NULL, -- Unix microseconds, UTC
	lease_until INTEGER NOT NULL,
	sent_at     INTEGER NOT NULL, -- 0 until sent
	last_error  TEXT    NOT NULL,
	PRIMARY KEY (tenant, key)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
	tenant TEXT    NOT NULL,
	job    TEXT    NOT NULL,
	at     INTEGER NOT NULL, -- Unix microseconds, UTC
	PRIMARY KEY (tenant, job)
) WITHOUT ROWID;
