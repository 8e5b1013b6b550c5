package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

const starterPlan = "../../examples/plans/starter.yaml"

// exitRow is a row of the README's exit-status table.
type exitRow struct {
	status int
	when   string
}

// readmeExitRows returns the rows of the table that follows "**Exit
// status.**" in the README.
func readmeExitRows(t *testing.T) []exitRow {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "**Exit status.**")
	if !ok {
		t.Fatal(`README.md has no "**Exit status.**" table`)
	}
	var rows []exitRow
	inTable := false
	for _, line := range strings.Split(after, "\n") {
		switch {
		case strings.HasPrefix(line, "| status | when |"):
			inTable = true
		case !inTable, strings.HasPrefix(line, "|---"):
		case !strings.HasPrefix(line, "| `"):
			return rows
		default:
			status, when, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(line, "| `"), " |"), "` | ")
			n, err := strconv.Atoi(status)
			if !ok || err != nil {
				t.Fatalf("README exit-status row %q: want | `N` | when |", line)
			}
			rows = append(rows, exitRow{n, when})
		}
	}
	return rows
}

// exitCase runs, in a session of its own, the commands that give one row
// of the table its status, and checks what they say.
type exitCase struct {
	status int
	when   string // the start of the row's "when"
	run    func(t *testing.T, c *cli)
}

// wantIn fails unless s holds every one of want.
func wantIn(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, s)
		}
	}
}

// savePlanWithRecords saves the starter plan and appends n records.
func savePlanWithRecords(c *cli, n int) {
	c.must(0, "plan", "save", starterPlan)
	for i := range n {
		c.must(0, "record", "--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00",
			"--sent", "2026-01-15T10:00:00+01:00", "--subject", fmt.Sprintf("Policy %d", 2026+i))
	}
}

// fixedKey writes to path the signer key file of a fixed key of the log
// isms.example.com/comms.
func fixedKey(t *testing.T, path string) {
	t.Helper()
	skey, _, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 32)), "isms.example.com/comms")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sqlExec runs SQL on the session's SQLite store behind the store's back.
func sqlExec(t *testing.T, c *cli, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", c.path("ismscomms.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

var exitCases = []exitCase{
	{0, "the command did what was asked", func(t *testing.T, c *cli) {
		plan := c.path("plan.yaml")
		c.must(0, "init", plan)
		c.must(0, "check", plan)
		savePlanWithRecords(c, 1)
		out, _ := c.must(0, "verify")
		wantIn(t, "verify", out, "verified: 1 record,", "head: record 1, hash ")
	}},
	{1, "`check` found a finding", func(t *testing.T, c *cli) {
		c.must(1, "check", "--fail-on", "info", starterPlan)
		out, _ := c.must(1, "check", "testdata/incomplete.yaml")
		wantIn(t, "check", out, "error POL-COMMUNICATED")
	}},
	{1, "`verify` found a broken record chain", func(t *testing.T, c *cli) {
		savePlanWithRecords(c, 2)
		sqlExec(t, c, `DELETE FROM records WHERE seq = 2`)
		out, _ := c.must(1, "verify")
		wantIn(t, "verify after a deletion", out, "BROKEN at record 2")
		sqlExec(t, c, `UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'Policy 2026', 'Policy 2025') AS BLOB) WHERE seq = 1`)
		out, _ = c.must(1, "verify", "--format", "json")
		wantIn(t, "verify after an edit", out, `"status": "broken"`, `"intact": false`, `"broken_at": 1`)
		if strings.Contains(out, `"records"`) {
			t.Errorf("verify of a broken chain claims a count of verified records:\n%s", out)
		}
	}},
	{1, "`verify` found nothing stored", func(t *testing.T, c *cli) {
		c.must(0, "plan", "save", starterPlan)
		out, _ := c.must(1, "--tenant", "acme", "verify")
		wantIn(t, "verify", out, "tenant acme has nothing stored", "nothing was verified")
		if strings.Contains(out, " verified:") {
			t.Errorf("verify of an empty tenant says verified: %s", out)
		}
		out, _ = c.must(1, "--tenant", "acme", "verify", "--format", "json")
		wantIn(t, "verify --format json", out, `"status": "nothing stored"`, `"intact": false`)
		// A plan and no record yet: no chain to verify, said so, not "verified".
		out, _ = c.must(0, "verify")
		wantIn(t, "verify with a plan and no record", out, "no record yet: there is no record chain to verify")
	}},
	{1, "`report` wrote the report, but the record chain it read is broken", func(t *testing.T, c *cli) {
		savePlanWithRecords(c, 2)
		sqlExec(t, c, `UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'Policy 2026', 'Policy 2025') AS BLOB) WHERE seq = 1`)
		_, stderr := c.must(1, "report", "--format", "md", "--out", c.path("broken.md"))
		wantIn(t, "report on a broken chain", stderr, "chain BROKEN", "the record chain is broken at record 1")
		md, err := os.ReadFile(c.path("broken.md"))
		if err != nil || !strings.Contains(string(md), "RECORD CHAIN BROKEN at record 1") {
			t.Errorf("the report on a broken chain was not written, or does not open with it (%v):\n%.300s", err, md)
		}
		c.must(1, "report", "--format", "json", "--out", c.path("broken.json"))
		js, _ := os.ReadFile(c.path("broken.json"))
		wantIn(t, "report --format json on a broken chain", string(js), `"ok": false`)
		// The management-review input too, --record or not; with it,
		// nothing is recorded on a broken chain.
		c.must(1, "report", "--for", "management-review", "--format", "md", "--out", c.path("review.md"))
		_, stderr = c.must(1, "report", "--for", "management-review", "--format", "md", "--out", c.path("review.md"), "--record")
		wantIn(t, "review --record on a broken chain", stderr, "is not recorded as the review's")
	}},
	{1, "`verify` found the store's Merkle tree damaged, cut or unbuilt", func(t *testing.T, c *cli) {
		savePlanWithRecords(c, 3)
		out, _ := c.must(0, "verify")
		wantIn(t, "verify of an intact tree", out, "Merkle tree: every hash recomputed from the records matches the store's (tree size 3")
		sqlExec(t, c, `UPDATE tree_hashes SET hash = zeroblob(32) WHERE tenant = 'default' AND level = 1 AND node = 0`)
		out, _ = c.must(1, "verify")
		wantIn(t, "verify of a damaged tree", out, "3 records, all intact", "is DAMAGED", "records 1 to 2")
		out, _ = c.must(1, "verify", "--format", "json")
		wantIn(t, "verify --format json of a damaged tree", out, `"status": "damaged"`, `"intact": false`, `"records": 3`)
		// The last record cut behind the store's back (the head moved
		// back with it): its leaf hash is left past the log's end.
		sqlExec(t, c, `UPDATE tree_hashes SET hash = (SELECT hash FROM tree_hashes WHERE tenant = 'default' AND level = 0 AND node = 0) WHERE tenant = 'default' AND level = 1 AND node = 0;
DELETE FROM records WHERE tenant = 'default' AND seq = 3;
UPDATE chain_heads SET seq = 2, hash = (SELECT hash FROM records WHERE tenant = 'default' AND seq = 2) WHERE tenant = 'default'`)
		out, _ = c.must(1, "verify")
		wantIn(t, "verify of a cut log", out, "2 records, all intact", "does NOT match its log", "the log was cut")
	}},
	{1, "`report` wrote the report, but the store's Merkle tree does not verify", func(t *testing.T, c *cli) {
		savePlanWithRecords(c, 2)
		fixedKey(t, c.path("log.key")) // not key generate: the transcript is golden
		sqlExec(t, c, `CREATE TABLE saved AS SELECT hash FROM tree_hashes WHERE tenant = 'default' AND level = 0 AND node = 1;
UPDATE tree_hashes SET hash = zeroblob(32) WHERE tenant = 'default' AND level = 0 AND node = 1`)
		_, stderr := c.must(1, "report", "--format", "md", "--out", c.path("tree.md"))
		wantIn(t, "report on a damaged tree", stderr, "no checkpoint in the report (its header says so)", "damaged at record 2")
		md, err := os.ReadFile(c.path("tree.md"))
		if err != nil || !strings.Contains(string(md), "**NO CHECKPOINT: Merkle tree of tenant \"default\" inconsistent at record 2 (tree size 2): the store's Merkle tree is damaged at record 2") || strings.Contains(string(md), "Checkpoint: Merkle tree") {
			t.Errorf("the report on a damaged tree was not written, or does not say in its header that it has no checkpoint (%v):\n%.600s", err, md)
		}
		c.must(1, "report", "--format", "md", "--key", c.path("log.key"), "--out", c.path("tree.md"))
		// The tree repaired, the storage damaged (an index): with --key,
		// nothing is signed, as checkpoint signs nothing of it.
		sqlExec(t, c, `UPDATE tree_hashes SET hash = (SELECT hash FROM saved) WHERE tenant = 'default' AND level = 0 AND node = 1; DROP TABLE saved`)
		c.must(0, "report", "--format", "md", "--key", c.path("log.key"), "--out", c.path("tree.md"))
		damageIndex(t, c)
		_, stderr = c.must(1, "report", "--format", "md", "--key", c.path("log.key"), "--out", c.path("tree.md"))
		wantIn(t, "report --key on damaged storage", stderr, "no checkpoint in the report (its header says so): the store's storage is DAMAGED")
	}},
	{1, "`outstanding --fail-on overdue` found someone overdue", func(t *testing.T, c *cli) {
		peopleStore(t, c, "default")
		out, _ := c.must(1, "outstanding", "--fail-on", "overdue")
		wantIn(t, "outstanding --fail-on overdue", out, "overdue")
		c.must(0, "outstanding")
		c.must(1, "outstanding", "--fail-on", "outstanding")
		// Everyone acknowledges; then a column is edited behind the
		// store's back so that a plan's record reads as an
		// acknowledgement: the gate verifies first, and fails.
		c.must(0, "ack", "--activity", "policy", "--person", "E1,E2,E3", "--at", "2026-11-05T10:00:00+01:00")
		c.must(0, "ack", "--activity", "policy", "--person", "E4", "--at", "2026-11-21T10:00:00+01:00")
		c.must(0, "outstanding", "--fail-on", "outstanding")
		sqlExec(t, c, `UPDATE records SET person_id = 'E1' WHERE seq = 4`)
		_, stderr := c.must(1, "outstanding", "--fail-on", "outstanding")
		wantIn(t, "outstanding --fail-on on a tampered log", stderr, "the record chain of tenant default is broken at record 4")
	}},
	{2, "a usage error", func(t *testing.T, c *cli) {
		for _, args := range [][]string{
			{},
			{"chek"},
			{"plan"},
			{"plan", "sav"},
			{"incident", "opn"},
			{"check"},
			{"incident", "milestone", "INC-1"},
			{"check", "a.yaml", "b.yaml"},
			{"verify", "extra"},
			{"check", "--colour", "x.yaml"},
			{"check", "--profile", "nis3", starterPlan},
			{"report", "--profile", "gdpr,nis3"},
			{"check", "--format", "xml", starterPlan},
			{"init", "--variant", "hipaa", c.path("x.yaml")},
			{"agenda", "--evidence=maybe", starterPlan},
			{"help", "nosuch"},
			{"completion"},
			{"completion", "fish2"},
			{"record", "--activity", "policy", "--key", "k1"}, // --key needs --sent
			{"init", c.path("plan.txt")},                      // a name check would refuse
		} {
			_, stderr := c.must(2, args...)
			wantIn(t, "ismscomms "+strings.Join(args, " "), stderr, "\nusage: ismscomms", "Run 'ismscomms")
		}
		_, stderr := c.must(2, "plan", "sav")
		wantIn(t, "plan sav", stderr, `unknown command "sav" for ismscomms plan; did you mean save?`, "commands: list, save")
		_, stderr = c.must(2, "check", "--profile", "nis3", starterPlan)
		wantIn(t, "--profile nis3", stderr, `--profile "nis3": no such profile; use `, "gdpr", "nis2")
	}},
	{2, "a plan file that cannot be read", func(t *testing.T, c *cli) {
		_, stderr := c.must(2, "check", c.path("nosuch.yaml"))
		wantIn(t, "check nosuch.yaml", stderr, "ismscomms: cannot read $DIR/nosuch.yaml: no such file (create one with: ismscomms init $DIR/nosuch.yaml)\n")
		if err := os.Mkdir(c.path("dir.yaml"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, stderr2 := c.must(2, "matrix", c.path("dir.yaml"))
		wantIn(t, "matrix dir.yaml", stderr2, "ismscomms: cannot read $DIR/dir.yaml: it is a directory\n")
		for _, msg := range []string{" comms:", "load plan", ": open ", ": read "} {
			if strings.Contains(stderr+stderr2, msg) {
				t.Errorf("the message shows the loader's internals (%q): %s%s", msg, stderr, stderr2)
			}
		}
		_, stderr = c.must(2, "calendar", "testdata/broken.yaml")
		wantIn(t, "calendar broken.yaml", stderr, `testdata/broken.yaml:3:11: timezone: unknown time zone "Europe/Lundon"`)
		_, stderr = c.must(2, "agenda", "--from", "tomorrow", starterPlan)
		wantIn(t, "agenda --from tomorrow", stderr, `--from: "tomorrow" is not a date`)
	}},
	{2, "a request the data refuses", func(t *testing.T, c *cli) {
		c.must(0, "plan", "save", starterPlan)
		_, stderr := c.must(2, "record", "--activity", "security-metric", "--channel", "fax")
		wantIn(t, "record", stderr, "the record does not fit plan starter version 1")
		c.must(0, "incident", "open", "INC-1", "--at", "2026-11-26T08:00:00Z")
		_, stderr = c.must(2, "incident", "milestone", "INC-1", "awre")
		wantIn(t, "incident milestone awre", stderr, "incident.awre starts no communication of plan starter; the milestones that do are: detected, aware, closed (use --force to record it anyway)")
		_, stderr = c.must(2, "incident", "clock", "INC-9")
		wantIn(t, "incident clock INC-9", stderr, "tenant default has no incident INC-9 (list them with: ismscomms incident list")
		_, stderr = c.must(2, "plan", "list", "nope")
		wantIn(t, "plan list nope", stderr, "tenant default has no plan nope")
		_, stderr = c.must(2, "report", "--plan-id", "nope")
		wantIn(t, "report --plan-id nope", stderr, "tenant default has no plan nope")
		_, stderr = c.must(2, "record", "--plan-version", "9", "--activity", "policy")
		wantIn(t, "record --plan-version 9", stderr, "--plan-version 9: plan starter of tenant default has no such version")
		_, stderr = c.must(2, "plan", "save", "--expect", "5", starterPlan)
		wantIn(t, "plan save --expect 5", stderr, `ismscomms: the store refused it: plan "starter" is at version 1, not 5`)
		c.must(0, "init", c.path("plan.yaml"))
		_, stderr = c.must(2, "init", c.path("plan.yaml"))
		wantIn(t, "init onto a file", stderr, "$DIR/plan.yaml exists; use --force to overwrite it")
		// People: a roster file with problems, an acknowledgement for
		// someone the rosters do not hold; nothing is stored.
		p := peopleStore(t, c, "people")
		_, stderr = c.must(2, "--tenant", "people", "roster", "import", p("bad.csv"))
		wantIn(t, "roster import bad.csv", stderr, "bad.csv:2:1: people[0].id: missing")
		_, stderr = c.must(2, "--tenant", "people", "ack", "--activity", "policy", "--person", "E1,nobody")
		wantIn(t, "ack nobody", stderr, `person_id: tenant people has no person "nobody" in its rosters`)
		out, _ := c.must(0, "--tenant", "people", "outstanding", "--format", "json")
		wantIn(t, "outstanding after refusals", out, `"acknowledged": 0`)
	}},
	{3, "no store at the `--db` path", func(t *testing.T, c *cli) {
		typo := c.path("typo.db")
		for _, args := range [][]string{
			{"verify"},
			{"report"},
			{"plan", "list"},
			{"incident", "clock", "INC-1"},
			{"incident", "list"},
			{"agenda", "--evidence", starterPlan},
			// Writes to a store that must exist: a mistyped --db is not a
			// new, empty store.
			{"record", "--activity", "policy"},
			{"incident", "milestone", "INC-1", "aware"},
			{"migrate"},
		} {
			_, stderr := c.must(3, append([]string{"--db", typo}, args...)...)
			wantIn(t, strings.Join(args, " "), stderr, "no store at $DIR/typo.db")
			if _, err := os.Lstat(typo); err == nil {
				t.Fatalf("%s created a store at a path where none was", strings.Join(args, " "))
			}
		}
		if err := os.WriteFile(typo, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr := c.must(3, "--db", typo, "verify")
		wantIn(t, "verify of an empty file", stderr, "no store at $DIR/typo.db (the file is empty)")
		if fi, err := os.Stat(typo); err != nil || fi.Size() != 0 {
			t.Errorf("verify wrote to the empty file it only reads (%v)", err)
		}
		_, stderr = c.must(3, "--db", c.path("nodir/ismscomms.db"), "plan", "save", starterPlan)
		wantIn(t, "plan save into a missing directory", stderr, "cannot create the store $DIR/nodir/ismscomms.db: directory $DIR/nodir does not exist")
	}},
	{3, "a store that cannot be used", func(t *testing.T, c *cli) {
		// Locked: another process holds the database.
		c.must(0, "plan", "save", starterPlan)
		db, err := sql.Open("sqlite", c.path("ismscomms.db"))
		if err != nil {
			t.Fatal(err)
		}
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
		_, stderr := c.must(3, "--lock-timeout", "200ms", "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00")
		wantIn(t, "record on a locked store", stderr, "locked")
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()

		// Written by a newer program.
		sqlExec(t, c, "PRAGMA user_version = 999")
		_, stderr = c.must(3, "verify")
		wantIn(t, "verify of a newer store", stderr, "newer", "(upgrade ismscomms)")

		// Not a database; corrupt. Both are left as they were.
		notDB := c.path("not.db")
		garbage := bytes.Repeat([]byte("not a database "), 512)
		if err := os.WriteFile(notDB, garbage, 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr = c.must(3, "--db", notDB, "plan", "save", starterPlan)
		wantIn(t, "plan save into a file that is not a store", stderr, "not an SQLite database")
		if got, _ := os.ReadFile(notDB); !bytes.Equal(got, garbage) {
			t.Errorf("the file that is not a store was changed")
		}
		corrupt := c.path("corrupt.db")
		c.must(0, "--db", corrupt, "plan", "save", starterPlan)
		f, err := os.OpenFile(corrupt, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt(bytes.Repeat([]byte{0xff}, 4096), 4096) // the second page
		f.Close()
		_, stderr = c.must(3, "--db", corrupt, "verify")
		wantIn(t, "verify of a corrupt store", stderr, "corrupt")

		// Unreachable; the password never shows.
		c.quiet = true
		_, stderr = c.must(3, "--db", "postgres://app:s3cret@127.0.0.1:1/isms?connect_timeout=2", "verify")
		c.quiet = false
		wantIn(t, "verify of an unreachable PostgreSQL", stderr, "database unavailable")
		if strings.Contains(stderr, "s3cret") {
			t.Errorf("stderr shows the password: %s", stderr)
		}
	}},
	{4, "`remind --send` could not send a reminder", func(t *testing.T, c *cli) {
		peopleStore(t, c, "default")
		// Nothing listens on port 1: every reminder fails, none is marked
		// sent, and the next run has them again.
		url := "smtp://127.0.0.1:1?from=isms@acme.example&tls=none"
		_, stderr := c.must(4, "--now", "2026-11-30T09:30:00+01:00", "remind", "--send", url)
		wantIn(t, "remind --send to a closed port", stderr, "could not be sent")
		out, _ := c.must(0, "--now", "2026-11-30T09:35:00+01:00", "remind")
		wantIn(t, "remind after a failed send", out, "4 reminders due", "released")
	}},
	{4, "an output that cannot be written", func(t *testing.T, c *cli) {
		c.must(0, "plan", "save", starterPlan)
		// Standard output full: commands that print their result and
		// succeed, or answer no.
		for _, args := range [][]string{
			{"verify"},
			{"--tenant", "nobody", "verify"},
			{"record", "--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00", "--sent", "2026-01-15T10:00:00+01:00"},
			{"check", "--fail-on", "info", starterPlan},
		} {
			_, stderr, code := c.runTo(failingWriter{}, nil, args...)
			if code != 4 {
				t.Errorf("%s to a full disk: exit %d, want 4; stderr:\n%s", strings.Join(args, " "), code, stderr)
			}
			wantIn(t, strings.Join(args, " "), stderr, "cannot write standard output: no space left on device")
			if args[0] == "record" {
				// The record was appended all the same: a script that
				// retries must learn that it would append it twice.
				wantIn(t, "record to a full disk", stderr, "record 1 is in the log of tenant default", "all the same", "--key and --sent")
			}
		}
		// A pipe whose reader has gone.
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		_, stderr, code := c.runTo(w, nil, "verify")
		w.Close()
		if code != 4 || !strings.Contains(stderr, "cannot write standard output") {
			t.Errorf("verify into a closed pipe: exit %d, want 4; stderr:\n%s", code, stderr)
		}
		// Standard error full: the confirmation of a file written.
		if _, _, code := c.runTo(nil, failingWriter{}, "init", c.path("plan.yaml")); code != 4 {
			t.Errorf("init with standard error full: exit %d, want 4", code)
		}
		// A file output: a missing directory, a directory named as the file.
		_, stderr = c.must(4, "report", "--out", c.path("nodir/report.html"))
		wantIn(t, "report --out into a missing directory", stderr, "cannot write $DIR/nodir/report.html: directory $DIR/nodir does not exist")
		if err := os.Mkdir(c.path("out.d"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, stderr = c.must(4, "report", "--out", c.path("out.d"))
		wantIn(t, "report --out a directory", stderr, "it is a directory")
		// A read-only directory, a read-only file (in a process of another
		// user when the tests run as root).
		readOnlyDirCase(t)
		readOnlyFileCase(t)
		// A PDF without a headless Chromium to print it (the tests' PATH
		// is empty unless a test sets it): nothing is written.
		_, stderr = c.must(4, "report", "--format", "pdf", "--out", c.path("report.pdf"))
		wantIn(t, "report --format pdf without Chromium", stderr, "none was found", "apt-get install chromium")
		if _, err := os.Lstat(c.path("report.pdf")); err == nil {
			t.Error("a PDF was written without a Chromium")
		}
	}},
}

// TestExitStatusTable runs every row of the README's exit-status table:
// each row has a case here, and each case a row there. The transcript of
// the commands is testdata/exitstatus.golden.
func TestExitStatusTable(t *testing.T) {
	rows := readmeExitRows(t)
	if len(rows) == 0 {
		t.Fatal("README.md's exit-status table has no rows")
	}
	used := make([]bool, len(exitCases))
	var transcript strings.Builder
	ran := 0
	for _, row := range rows {
		var found []int
		for i, ec := range exitCases {
			if ec.status == row.status && strings.HasPrefix(row.when, ec.when) {
				found = append(found, i)
			}
		}
		if len(found) != 1 {
			t.Errorf("README exit-status row `%d` %q has %d cases here, want 1", row.status, row.when, len(found))
			continue
		}
		ec := exitCases[found[0]]
		used[found[0]] = true
		t.Run(fmt.Sprintf("%d %s", ec.status, ec.when), func(t *testing.T) {
			ran++
			c := newCLI(t)
			ec.run(t, c)
			fmt.Fprintf(&transcript, "### exit %d: %s\n\n%s", ec.status, row.when, c.transcript.String())
		})
	}
	for i, u := range used {
		if !u {
			t.Errorf("case `%d` %q matches no row of the README's exit-status table", exitCases[i].status, exitCases[i].when)
		}
	}
	if ran == len(rows) { // not when -run picked some
		golden(t, "exitstatus.golden", transcript.String())
	}
}

// readOnlyDirCase checks that report --out and init into a directory the
// command may not write to are exit status 4 and leave the directory
// empty; see runInReadOnlyDir for how it is made real when the tests run
// as root.
func readOnlyDirCase(t *testing.T) {
	t.Helper()
	for _, tc := range []struct {
		name string
		args func(dir, db string) []string
	}{
		{"report --out", func(dir, db string) []string {
			return []string{"--db", db, "report", "--format", "md", "--out", filepath.Join(dir, "report.md")}
		}},
		{"init", func(dir, db string) []string { return []string{"init", filepath.Join(dir, "plan.yaml")} }},
	} {
		runInReadOnlyDir(t, tc.name, tc.args)
	}
}

// peopleStore saves the reminder plan and the staff roster for tenant and
// returns where the people test files are.
func peopleStore(t *testing.T, c *cli, tenant string) func(string) string {
	t.Helper()
	p := func(name string) string { return filepath.Join("testdata", "people", name) }
	c.must(0, "--tenant", tenant, "plan", "save", p("remind.yaml"))
	c.must(0, "--tenant", tenant, "roster", "import", "--now", "2026-11-20T09:00:00Z", p("staff.csv"))
	return p
}
