-- Schema 2: idempotency keys. A record appended with a key keeps it here,
-- a copy of the key in its hashed body (store/driver.Seal, record format
-- v2) that Verify checks against the body; NULL for a record without a
-- key, such as every record written under schema 1. The unique index
-- makes a key name one record per tenant (NULLs are distinct), and is
-- how AppendRecord finds the record a retry repeats.
ALTER TABLE records ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX records_by_idempotency_key ON records (tenant, idempotency_key);
