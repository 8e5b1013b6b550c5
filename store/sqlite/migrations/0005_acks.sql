-- Schema 5: copies of an acknowledgement's person_id, digest and channel
-- in columns of their own (store.AckReader reads them instead of decoding
-- bodies); NULL for every other record. Verify checks them against the
-- hashed bodies like the other copies.
ALTER TABLE records ADD COLUMN person_id TEXT;
ALTER TABLE records ADD COLUMN digest TEXT;
ALTER TABLE records ADD COLUMN channel TEXT;

-- The acknowledgements already in the log (record format v3, type ack):
-- their copies from the body, a JSON array (store/driver.Seal: channel
-- is element 11, digest 16, person_id 24).
UPDATE records SET
	person_id = json_extract(CAST(body AS TEXT), '$[24]'),
	digest    = json_extract(CAST(body AS TEXT), '$[16]'),
	channel   = json_extract(CAST(body AS TEXT), '$[11]')
WHERE substr(body, 1, 23) = CAST('["ismscomms/record/v3",' AS BLOB)
  AND json_valid(CAST(body AS TEXT))
  AND json_extract(CAST(body AS TEXT), '$[3]') = 'ack';

-- Covering: Acks reads the index alone. Not partial (WHERE person_id IS
-- NOT NULL), so that CheckIntegrity's comparison of each index with its
-- table covers it like the others; other records hold NULLs in it.
CREATE INDEX records_by_ack ON records (tenant, activity_id, digest, seq, sent_at, person_id, channel, plan_id);

-- The communications of a whole tenant (AckReader.Communications without
-- an activity) are the range digest IS NULL of this index, in sequence
-- order: not a walk of the table past every acknowledgement.
CREATE INDEX records_by_kind ON records (tenant, digest, seq);
