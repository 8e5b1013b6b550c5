package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store/checkpoint"
)

// damageIndex edits an entry of the records_by_activity index behind the
// store's back (its table intact): the index now misstates record 2's
// activity, so that reads through it, a report's among them, may not see
// what the log holds. See TestVerifyTampered.
func damageIndex(t *testing.T, c *cli) {
	t.Helper()
	sqlExec(t, c, `PRAGMA writable_schema = ON;
INSERT INTO sqlite_schema SELECT 'table', 'fake', 'fake', rootpage, 'CREATE TABLE fake (tenant TEXT, activity_id TEXT, seq INTEGER, PRIMARY KEY (tenant, activity_id, seq)) WITHOUT ROWID' FROM sqlite_schema WHERE name = 'records_by_activity';
PRAGMA writable_schema = OFF`)
	sqlExec(t, c, `UPDATE fake SET activity_id = 'awareness' WHERE seq = 2;
PRAGMA writable_schema = ON;
DELETE FROM sqlite_schema WHERE name = 'fake';
PRAGMA writable_schema = OFF`)
}

// report --key signs through the same step as checkpoint: of damaged
// storage it signs nothing, says so in the report's header, and exits 1.
func TestReportKeyDamagedStorage(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	damageIndex(t, c)
	out, _ := c.must(1, "checkpoint", "--key", c.path("log.key"))
	wantIn(t, "checkpoint of damaged storage", out, "no checkpoint written: the store's storage is DAMAGED")
	_, stderr := c.must(1, "report", "--format", "md", "--key", c.path("log.key"), "--out", c.path("r.md"))
	wantIn(t, "report --key of damaged storage", stderr, "no checkpoint in the report", "storage is DAMAGED")
	md, err := os.ReadFile(c.path("r.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(md), "Signed checkpoint") || strings.Contains(string(md), "Checkpoint: Merkle tree") ||
		!strings.Contains(string(md), "**NO CHECKPOINT: the store's storage is DAMAGED (integrity check failed).**") {
		t.Errorf("the report of damaged storage signed with --key:\n%s", md)
	}
	c.must(1, "report", "--format", "json", "--key", c.path("log.key"), "--out", c.path("r.json"))
	js, _ := os.ReadFile(c.path("r.json"))
	if strings.Contains(string(js), `"tree": {`) || !strings.Contains(string(js), `"no_checkpoint": "the store's storage is DAMAGED`) {
		t.Errorf("the JSON report of damaged storage with --key:\n%s", js)
	}
	c.must(1, "report", "--key", c.path("log.key"), "--out", c.path("r.html"))
	html, _ := os.ReadFile(c.path("r.html"))
	if strings.Contains(string(html), `id="checkpoint-note"`) || !strings.Contains(string(html), `<div id="no-checkpoint" class="chain broken">NO CHECKPOINT: the store&#39;s storage is DAMAGED`) {
		t.Errorf("the HTML report of damaged storage with --key has a note, or no word of the damage")
	}
}

// The report's checkpoint is of the records it read, not of those
// appended since: reportCheckpoint, given a report that read 5 records of
// a log now of 6, signs (and without a key, states) the checkpoint of 5,
// the one checkpoint took when the log had 5.
func TestReportCheckpointAtItsSize(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp5.txt"))
	signed, err := os.ReadFile(c.path("cp5.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := os.ReadFile(c.path("log.key.pub"))
	v, err := note.NewVerifier(strings.TrimSpace(string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	cp5, err := checkpoint.Open(signed, "default", note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "Policy 6")

	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out, db: c.path("ismscomms.db"), tenant: "default", getenv: func(string) string { return "" }}
	st, err := a.openStore(readStore)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, key := range []string{"", c.path("log.key")} {
		rep := &evidence.Assessment{Chain: evidence.Chain{Checked: true, OK: true, Verified: 5}}
		treeErr, err := a.reportCheckpoint(context.Background(), st, rep, key)
		if treeErr != nil || err != nil || rep.Chain.Tree == nil {
			t.Fatalf("--key %q: reportCheckpoint: %v, %v, %+v", key, treeErr, err, rep.Chain.Tree)
		}
		if tc := rep.Chain.Tree; tc.Size != 5 || tc.RootHash != cp5.Hash.String() {
			t.Errorf("--key %q: the report that read 5 records has the checkpoint of %d, root %s; want 5, root %s", key, tc.Size, tc.RootHash, cp5.Hash)
		}
		if key == "" {
			continue
		}
		got, err := checkpoint.Open([]byte(rep.Chain.Tree.Note), "default", note.VerifierList(v))
		if err != nil || got != cp5 {
			t.Errorf("the report's signed note: %+v, %v; want %+v", got, err, cp5)
		}
	}
}
