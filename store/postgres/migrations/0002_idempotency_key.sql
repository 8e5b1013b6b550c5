-- Schema version 2: idempotency keys. Runs with search_path set to the
-- store's schema, in the migrating transaction.
--
-- A record appended with a key keeps it here, a copy of the key in its
-- hashed body (store/driver.Seal, record format v2) that Verify checks
-- against the body; NULL for a record without one, such as every record
-- written under schema 1 (adding a nullable column without a default
-- rewrites no row). The partial unique index makes a key name one record
-- per tenant and is how an append finds the record a retry repeats; rows
-- without a key stay out of it, so keyless appends do not maintain it.
-- The grants of schema 1 (SELECT, INSERT on records) and its row-level
-- security policy cover the new column.
ALTER TABLE records ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX records_by_idempotency_key ON records (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
