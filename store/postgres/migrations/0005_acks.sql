-- Schema version 5: copies of an acknowledgement's person_id, digest and
-- channel in columns of their own (store.AckReader reads them instead of
-- decoding bodies); NULL for every other record. Verify checks them
-- against the hashed bodies like the other copies. Runs with search_path
-- set to the store's schema, in the migrating transaction.
ALTER TABLE records ADD COLUMN person_id text;
ALTER TABLE records ADD COLUMN digest text;
ALTER TABLE records ADD COLUMN channel text;

-- The acknowledgements already in the log (record format v3, type ack):
-- their copies from the body, a JSON array (store/driver.Seal: channel is
-- element 11, digest 16, person_id 24). The owner runs this under FORCE
-- ROW LEVEL SECURITY, which would show it no row: lifted for the update,
-- within this transaction, and put back.
ALTER TABLE records NO FORCE ROW LEVEL SECURITY;
UPDATE records SET person_id = b->>24, digest = b->>16, channel = b->>11
FROM (SELECT tenant AS t, seq AS s, convert_from(body, 'UTF8')::jsonb AS b FROM records
      WHERE substring(body FROM 1 FOR 23) = convert_to('["ismscomms/record/v3",', 'UTF8')) AS v3
WHERE tenant = v3.t AND seq = v3.s AND v3.b->>3 = 'ack';
ALTER TABLE records FORCE ROW LEVEL SECURITY;

-- Covering: Acks reads the index alone (tenant, activity and digest to
-- select; seq to order; the rest to return).
CREATE INDEX records_by_ack ON records (tenant, activity_id, digest, seq) INCLUDE (sent_at, person_id, channel, plan_id)
	WHERE person_id IS NOT NULL;

-- The communications of a whole tenant (AckReader.Communications without
-- an activity): the records that are not acknowledgements, in sequence
-- order, without a walk past the acknowledgements.
CREATE INDEX records_communications ON records (tenant, seq) WHERE digest IS NULL;
