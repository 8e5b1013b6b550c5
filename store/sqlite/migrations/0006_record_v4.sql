-- Schema 6: record format ismscomms/record/v4 (feedback received: from,
-- score, handled_at; drill records: drill). It changes no table: the new
-- fields live in the hashed body. The version exists so that a program
-- older than v4 refuses the store (its schema is too new) instead of
-- reading its first v4 record as a broken chain.
SELECT 1;
