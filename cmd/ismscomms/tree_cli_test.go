package main

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
)

// execDB runs statements on the CLI session's SQLite file behind the
// store's back.
func execDB(t *testing.T, c *cli, qs ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", c.path("ismscomms.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A tenant whose tree the migration to schema 7 left unbuilt (its log was
// broken then) is told apart from a damaged tree, and is not locked out
// for good: once its log is repaired, migrate builds the tree, and the
// tenant is checkpointed and appended to again.
func TestMigrateRepairedTenant(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	execDB(t, c, `DROP TABLE tree_hashes`, `DROP TABLE tree_unbuilt`, `PRAGMA user_version = 6`,
		`CREATE TABLE saved AS SELECT * FROM records WHERE tenant = 'default' AND seq = 3`,
		`DELETE FROM records WHERE tenant = 'default' AND seq = 3`)
	if out, _ := c.must(0, "migrate"); !strings.Contains(out, "tenant default: its log is broken at record 3") {
		t.Errorf("migrate said:\n%s", out)
	}
	// Migrate again, still broken: still said, nothing built.
	if out, _ := c.must(0, "migrate"); !strings.Contains(out, "tenant default: its log is broken at record 3") || strings.Contains(out, "now verifies") {
		t.Errorf("migrate of a log still broken said:\n%s", out)
	}
	// The operator restores record 3.
	execDB(t, c, `INSERT INTO records SELECT * FROM saved`)
	out, _ := c.must(1, "verify")
	if !strings.Contains(out, "verified: 5 records") || !strings.Contains(out, "NO Merkle tree") || !strings.Contains(out, "ismscomms migrate") {
		t.Errorf("verify of a repaired log without a tree said:\n%s", out)
	}
	out, errOut := c.must(1, "checkpoint", "--key", c.path("log.key"))
	if said := out + errOut; !strings.Contains(said, "no Merkle tree was built") || strings.Contains(said, "behind its back") || strings.Contains(said, "DAMAGED") {
		t.Errorf("checkpoint of a repaired log without a tree said:\n%s", said)
	}
	_, errOut, code := c.run("record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "Policy 6")
	if code == 0 || !strings.Contains(errOut, "ismscomms migrate") {
		t.Errorf("record before the rebuild: exit %d\n%s", code, errOut)
	}
	if out, _ := c.must(0, "migrate"); !strings.Contains(out, "tenant default: its log now verifies; Merkle tree built") || strings.Contains(out, "broken") {
		t.Errorf("migrate of the repaired log said:\n%s", out)
	}
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))
	c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "Policy 6")
	if out, _ := c.must(0, "verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub")); !strings.Contains(out, "extends the checkpoint of 5 records") {
		t.Errorf("verify --checkpoint after the rebuild said:\n%s", out)
	}
	if out, _ := c.must(0, "migrate"); strings.Contains(out, "tenant default") {
		t.Errorf("migrate with nothing to rebuild said:\n%s", out)
	}
}

// Plain verify checks the store's Merkle tree too: a log cut behind the
// store's back (its chain still intact) and a damaged tree hash each exit
// 1 in their own words, as checkpoint refuses them.
func TestVerifyChecksTree(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	out, _ := c.must(0, "verify")
	if !strings.Contains(out, "Merkle tree: every hash recomputed from the records matches the store's (tree size 5") {
		t.Errorf("verify of an intact log said:\n%s", out)
	}
	out, _ = c.must(0, "verify", "--format", "json")
	var res struct {
		Tree struct{ Status string } `json:"tree"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Tree.Status != "intact" {
		t.Errorf("verify --format json of an intact log: %v\n%s", err, out)
	}

	t.Run("tree hash changed", func(t *testing.T) {
		c := logSession(t, logSubjects...)
		execDB(t, c, `UPDATE tree_hashes SET hash = zeroblob(32) WHERE level = 0 AND node = 2`)
		out, _ := c.must(1, "verify")
		if !strings.Contains(out, "Merkle tree the store keeps for tenant default is DAMAGED") || !strings.Contains(out, "at record 3") {
			t.Errorf("verify with record 3's leaf changed said:\n%s", out)
		}
	})
	t.Run("log cut", func(t *testing.T) {
		c := logSession(t, logSubjects...)
		execDB(t, c, `DELETE FROM records WHERE tenant = 'default' AND seq > 3`,
			`UPDATE chain_heads SET seq = 3, hash = (SELECT hash FROM records WHERE tenant = 'default' AND seq = 3) WHERE tenant = 'default'`)
		out, _ := c.must(1, "verify")
		if !strings.Contains(out, "verified: 3 records") || !strings.Contains(out, "does NOT match its log") || !strings.Contains(out, "the log was cut") {
			t.Errorf("verify of a cut log said:\n%s", out)
		}
		out, _ = c.must(1, "verify", "--format", "json")
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Tree.Status != "inconsistent" {
			t.Errorf("verify --format json of a cut log: %v\n%s", err, out)
		}
	})
}

// A chain head deleted behind the store's back (so that no head bounds the
// log any more): the records still verify as a chain, and the tree, whose
// hashes outlive the head, says the head was removed, not that the log
// has no records.
func TestVerifyHeadDeleted(t *testing.T) {
	c := logSession(t, logSubjects...)
	execDB(t, c, `DELETE FROM chain_heads WHERE tenant = 'default'`)
	out, _ := c.must(1, "verify")
	if !strings.Contains(out, "keeps no chain head for the log") || strings.Contains(out, "the log has 0 records") || !strings.Contains(out, "does NOT match its log") {
		t.Errorf("verify with the chain head deleted said:\n%s", out)
	}
}
