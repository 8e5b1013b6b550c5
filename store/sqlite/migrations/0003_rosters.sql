-- Schema 3: rosters, the people of a tenant's stakeholder groups, kept
-- as plans are: every version, rows only ever inserted.
CREATE TABLE rosters (
	tenant   TEXT    NOT NULL,
	id       TEXT    NOT NULL,
	version  INTEGER NOT NULL,
	body     TEXT    NOT NULL, -- the roster as store/driver.EncodeRoster writes it
	saved_at TEXT    NOT NULL, -- RFC 3339, UTC
	saved_by TEXT    NOT NULL,
	note     TEXT    NOT NULL,
	PRIMARY KEY (tenant, id, version)
) WITHOUT ROWID;
