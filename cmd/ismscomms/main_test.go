package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver the tests use to lock and tamper with a store

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) {
	// A test that needs the command in a process of its own (as another
	// user, see TestOutReadOnlyDir) runs this binary with the variable set.
	if os.Getenv("ISMSCOMMS_TEST_AS_COMMAND") == "1" {
		main()
	}
	// Times given without an offset are read in the local zone; pin it.
	time.Local = time.UTC
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}

// cleanups run after all tests, for what they share (a copy of the test
// binary).
var cleanups []func()

const testNow = "2026-11-27T10:00:00Z"

// cli runs commands against one temporary directory and store, as a user
// would in a shell session.
type cli struct {
	t   *testing.T
	dir string
	// clock is the store's clock: it advances a minute per write.
	clock time.Time
	// transcript collects every command with its output and exit status.
	transcript bytes.Buffer
	// quiet keeps the commands out of the transcript (output that varies
	// between machines, such as a network error).
	quiet bool
	// env is the environment the command sees (getenv); tlsConfig its
	// TLS configuration (app.tlsConfig); hide maps text that varies
	// between runs (a server's port) to what the transcript shows.
	env       map[string]string
	tlsConfig *tls.Config
	hide      map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, dir: t.TempDir(), clock: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
}

// path returns name inside the session's directory.
func (c *cli) path(name string) string { return filepath.Join(c.dir, name) }

// run runs ismscomms with the session's store and reference time (unless
// args set their own) and returns its output and exit status.
func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	return c.runTo(nil, nil, args...)
}

// runTo is run with standard output and error going to w and ew, where
// they are not nil, instead of being collected (what reaches them is not
// in the transcript: "(standard output lost)" is).
func (c *cli) runTo(w, ew io.Writer, args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	full := []string{"--db", c.path("ismscomms.db"), "--now", testNow}
	full = append(full, args...)
	var out, errOut bytes.Buffer
	a := &app{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv:    func(k string) string { return c.env[k] },
		tlsConfig: c.tlsConfig,
		storeNow: func() time.Time {
			c.clock = c.clock.Add(time.Minute)
			return c.clock
		},
	}
	if w != nil {
		a.stdout = w
		out.WriteString("(standard output lost)\n")
	}
	if ew != nil {
		a.stderr = ew
		errOut.WriteString("(standard error lost)\n")
	}
	code = a.run(full)
	stdout, stderr = c.scrub(out.String()), c.scrub(errOut.String())
	if c.quiet {
		return stdout, stderr, code
	}
	quoted := make([]string, len(args))
	for i, arg := range args {
		quoted[i] = safetext.Line(arg) // a golden file is read in a terminal too
		if strings.ContainsAny(arg, " '") {
			quoted[i] = "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
		}
	}
	fmt.Fprintf(&c.transcript, "$ ismscomms %s\n", c.scrub(strings.Join(quoted, " ")))
	c.transcript.WriteString(stdout)
	if stderr != "" {
		for _, line := range strings.SplitAfter(strings.TrimSuffix(stderr, "\n"), "\n") {
			c.transcript.WriteString("stderr: " + line)
		}
		c.transcript.WriteString("\n")
	}
	fmt.Fprintf(&c.transcript, "[exit %d]\n\n", code)
	return stdout, stderr, code
}

// must runs a command that must exit with want.
func (c *cli) must(want int, args ...string) (stdout, stderr string) {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != want {
		c.t.Fatalf("ismscomms %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout, stderr
}

// scrub replaces the temporary directory with $DIR.
func (c *cli) scrub(s string) string {
	for from, to := range c.hide {
		s = strings.ReplaceAll(s, from, to)
	}
	return strings.ReplaceAll(s, c.dir+string(filepath.Separator), "$DIR/")
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}

// TestSession runs the plan-to-evidence flow a user would, command by
// command, and compares the whole transcript with testdata/session.golden.
func TestSession(t *testing.T) {
	c := newCLI(t)
	plan := c.path("plan.yaml")

	c.must(0, "init", plan)
	c.must(2, "init", plan) // exists
	c.must(0, "check", plan)
	c.must(1, "check", "--fail-on", "info", plan)
	c.must(0, "matrix", plan)
	c.must(0, "matrix", "--format", "csv", plan)
	c.must(0, "agenda", "--from", "2026-11-27", "--to", "2027-01-31", plan)
	c.must(3, "record", "--activity", "policy") // no store yet: a write never creates one
	if _, err := os.Lstat(c.path("ismscomms.db")); err == nil {
		t.Fatalf("a record refused for want of a store created one")
	}
	c.must(3, "migrate") // nor does migrate
	c.must(0, "plan", "save", "--by", "ina@example.com", "--note", "first approved plan", plan)
	c.must(0, "plan", "list")
	c.must(0, "migrate")
	c.must(0, "record", "--activity", "security-metrics", "--occurrence", "2026-11-02T09:00:00+01:00",
		"--sent", "2026-11-02T09:40:00+01:00", "--channel", "dashboards", "--audience", "management",
		"--sender", "ina@example.com", "--role", "iso", "--subject", "Security metrics, November")
	c.must(0, "record", "--activity", "security-metrics", "--occurrence", "2026-10-05T09:00:00+02:00",
		"--waived", "--note", "replaced by the management review")
	c.must(2, "record", "--activity", "security-metric", "--channel", "fax", "--audience", "martians")
	c.must(2, "record", "--activity", "security-metrics", "--occurrence", "2026-11-03T09:00:00+01:00")
	c.must(0, "incident", "open", "INC-7", "--title", "Phishing wave", "--at", "2026-11-26T08:00:00Z")
	c.must(2, "incident", "open", "INC-7")
	c.must(0, "incident", "milestone", "INC-7", "aware", "--at", "2026-11-26T12:00:00Z")
	c.must(0, "record", "--activity", "incident-response", "--event", "INC-7", "--sent", "2026-11-26T08:45:00Z",
		"--channel", "email", "--audience", "employees", "--role", "irt", "--subject", "Do not open the invoice mails")
	// A retry under an idempotency key appends nothing and prints the
	// record stored the first time; another record under the key is refused.
	update := []string{"record", "--activity", "incident-response", "--event", "INC-7", "--sent", "2026-11-26T09:30:00Z",
		"--channel", "email", "--audience", "employees", "--role", "irt", "--subject", "Update 1", "--key", "msg-4711"}
	c.must(0, update...)
	c.must(0, update...)
	c.must(2, append(update[:len(update)-4:len(update)-4], "--subject", "Update 2", "--key", "msg-4711")...)
	c.must(0, "incident", "clock", "INC-7")
	c.must(0, "incident", "clock", "--format", "json", "INC-7")
	c.must(0, "agenda", "--evidence", "--from", "2026-10-01", "--to", "2026-12-01", plan)
	c.must(0, "agenda", "--format", "json", "--from", "2026-12-01", "--to", "2026-12-10", plan)
	c.must(0, "verify")
	c.must(0, "verify", "--format", "json")
	c.must(0, "--tenant", "acme", "plan", "list")
	c.must(1, "--tenant", "acme", "verify") // nothing stored: nothing verified
	c.must(0, "report", "--format", "md", "--from", "2026-10-01", "--out", c.path("report.md"))
	report, err := os.ReadFile(c.path("report.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "session.golden", c.transcript.String())
	golden(t, "report.md.golden", c.scrub(string(report)))
}

// TestCalendar checks the iCalendar output against a golden file.
func TestCalendar(t *testing.T) {
	c := newCLI(t)
	out, _ := c.must(0, "calendar", "--uid-domain", "example.com", "../../examples/plans/starter.yaml")
	golden(t, "starter.ics.golden", out)
	if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") {
		t.Errorf("calendar does not start with BEGIN:VCALENDAR and CRLF: %q", out[:min(len(out), 40)])
	}
}

// TestExitStatus checks each failure's exit status and that its message
// says what is wrong and where.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"unknown command", []string{"chek"}, 2, []string{`unknown command "chek"`}},
		{"unknown flag", []string{"check", "--colour", "x.yaml"}, 2, []string{"unknown flag: --colour"}},
		{"missing argument", []string{"check"}, 2, []string{"missing argument <plan>", "usage: ismscomms check <plan> [flags]"}},
		{"missing file", []string{"check", "testdata/nothere.yaml"}, 2, []string{"testdata/nothere.yaml", "no such file"}},
		{"broken plan", []string{"check", "testdata/broken.yaml"}, 2, []string{
			`testdata/broken.yaml:3:11: timezone: unknown time zone "Europe/Lundon"`,
			`testdata/broken.yaml:7:12: activities[0].whom[0]: stakeholder "everyone" is not declared`,
			`testdata/broken.yaml:8:19: activities[0].when.rrule: invalid recurrence rule "FREQ=FORTNIGHTLY"`,
		}},
		{"incomplete plan", []string{"check", "testdata/incomplete.yaml"}, 1, nil},
		{"bad format", []string{"check", "--format", "xml", "testdata/incomplete.yaml"}, 2, []string{`--format "xml": use text, json, sarif`}},
		{"bad fail-on", []string{"check", "--fail-on", "notice", "testdata/incomplete.yaml"}, 2, []string{`--fail-on "notice": use error, warning, info`}},
		{"bad now", []string{"--now", "27/11/2026", "agenda", "testdata/incomplete.yaml"}, 2, []string{`--now: "27/11/2026" is not a date`}},
		{"bad from", []string{"agenda", "--from", "tomorrow", "testdata/incomplete.yaml"}, 2, []string{`--from: "tomorrow" is not a date`}},
		{"bad variant", []string{"init", "--variant", "hipaa", "x.yaml"}, 2, []string{`--variant "hipaa"`}},
		{"postgres unreachable, password redacted", []string{"--db", "postgres://app:s3cret@127.0.0.1:1/isms?connect_timeout=2", "verify"}, 3, []string{"database unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			_, stderr, code := c.run(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("stderr shows the password:\n%s", stderr)
			}
		})
	}
}

// TestCheckFormats checks that json and sarif output parse and carry the
// findings the text output shows.
func TestCheckFormats(t *testing.T) {
	c := newCLI(t)
	out, _ := c.must(1, "check", "--format", "json", "testdata/incomplete.yaml")
	var rep struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("check --format json: %v\n%s", err, out)
	}
	rules := map[string]bool{}
	for _, f := range rep.Findings {
		rules[f.Rule] = true
	}
	for _, r := range []string{"POL-COMMUNICATED", "INCIDENT-COMMS", "PLAN-REVIEW"} {
		if !rules[r] {
			t.Errorf("json findings lack %s: %v", r, rules)
		}
	}

	out, _ = c.must(1, "check", "--format", "sarif", "testdata/incomplete.yaml")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil {
		t.Fatalf("check --format sarif: %v\n%s", err, out)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(rep.Findings) {
		t.Fatalf("sarif: version %q, %d runs, want 2.1.0 with one run of %d results", sarif.Version, len(sarif.Runs), len(rep.Findings))
	}
	if uri := sarif.Runs[0].Results[0].Locations[0].Physical.Artifact.URI; uri != "testdata/incomplete.yaml" {
		t.Errorf("sarif artifact URI = %q, want testdata/incomplete.yaml", uri)
	}

	// A warning-level gate fails the starter plan's notes only at info.
	c.must(0, "check", "--fail-on", "warning", "../../examples/plans/starter.yaml")
	c.must(1, "check", "--fail-on", "info", "../../examples/plans/starter.yaml")
}

// TestStoreLocked checks that a store another process holds fails a
// write with exit status 3 once --lock-timeout passes, and loses nothing;
// and that commands that only read work meanwhile, as WAL readers do.
func TestStoreLocked(t *testing.T) {
	c := newCLI(t)
	c.must(0, "plan", "save", "../../examples/plans/starter.yaml")
	c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00")

	ctx := context.Background()
	db, err := sql.Open("sqlite", c.path("ismscomms.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := c.run("--lock-timeout", "200ms", "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00")
	if code != 3 {
		t.Errorf("record on a locked store: exit %d, want 3; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "database is locked") || !strings.Contains(stderr, "--lock-timeout") {
		t.Errorf("record on a locked store: stderr does not say the store is locked and what to do:\n%s", stderr)
	}
	// A write transaction that has written, not yet committed.
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE chain_heads SET seq = seq"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"verify"}, {"plan", "list"}, {"report", "--from", "2027-01-01", "--to", "2027-02-01", "--format", "json", "--out", c.path("r.json")},
	} {
		if _, stderr, code := c.run(append([]string{"--lock-timeout", "200ms"}, args...)...); code != 0 {
			t.Errorf("%s while another process writes: exit %d, want 0; stderr:\n%s", args[0], code, stderr)
		}
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	out, _ := c.must(0, "plan", "list")
	if !strings.Contains(out, "starter  1") {
		t.Errorf("plan list after the lock:\n%s", out)
	}
	c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00")
}

// TestStoreCorrupt checks that a file that is not a store fails with exit
// status 3 and is left as it was.
func TestStoreCorrupt(t *testing.T) {
	c := newCLI(t)
	garbage := bytes.Repeat([]byte("not a database "), 512)
	if err := os.WriteFile(c.path("ismscomms.db"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := c.run("verify")
	if code != 3 {
		t.Errorf("verify on a corrupt store: exit %d, want 3; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "not an SQLite database") {
		t.Errorf("verify on a corrupt store: stderr does not say so:\n%s", stderr)
	}
	after, err := os.ReadFile(c.path("ismscomms.db"))
	if err != nil || !bytes.Equal(after, garbage) {
		t.Errorf("the corrupt file was changed (err %v)", err)
	}
}

// TestVerifyTampered checks that verify finds a record changed behind
// the store's back — in its hashed body, in a column that queries read
// (which would hide it from a report), or in an index that no longer
// matches its table — and exits 1 naming it.
func TestVerifyTampered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper []string // SQL run on the store's file
		want   string   // what verify's output must say
	}{
		{"body", []string{
			`UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'Policy 2027', 'Policy 2025') AS BLOB) WHERE seq = 2`,
		}, "BROKEN at record 2"},
		{"query column", []string{
			`UPDATE records SET activity_id = 'awareness' WHERE seq = 2`,
		}, "BROKEN at record 2: its stored activity_id column"},
		{"index", []string{
			// Declare a table over the index's b-tree (an index b-tree and a
			// WITHOUT ROWID table b-tree store rows alike), edit an entry,
			// and take the declaration away: the index now misstates
			// record 2's activity while the table is intact.
			`PRAGMA writable_schema = ON`,
			`INSERT INTO sqlite_schema SELECT 'table', 'fake', 'fake', rootpage, 'CREATE TABLE fake (tenant TEXT, activity_id TEXT, seq INTEGER, PRIMARY KEY (tenant, activity_id, seq)) WITHOUT ROWID' FROM sqlite_schema WHERE name = 'records_by_activity'`,
			`PRAGMA writable_schema = OFF`,
			"reopen",
			`UPDATE fake SET activity_id = 'awareness' WHERE seq = 2`,
			`PRAGMA writable_schema = ON`,
			`DELETE FROM sqlite_schema WHERE name = 'fake'`,
			`PRAGMA writable_schema = OFF`,
		}, "records of tenant default affected: 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.must(0, "plan", "save", "../../examples/plans/starter.yaml")
			for _, subject := range []string{"Policy 2026", "Policy 2027", "Policy 2028"} {
				c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", subject)
			}
			c.must(0, "verify")
			c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
			c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))

			db, err := sql.Open("sqlite", c.path("ismscomms.db"))
			if err != nil {
				t.Fatal(err)
			}
			db.SetMaxOpenConns(1)
			for _, q := range tc.tamper {
				if q == "reopen" { // a connection that reads the changed schema
					db.Close()
					if db, err = sql.Open("sqlite", c.path("ismscomms.db")); err != nil {
						t.Fatal(err)
					}
					db.SetMaxOpenConns(1)
					continue
				}
				res, err := db.Exec(q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if n, _ := res.RowsAffected(); strings.HasPrefix(q, "UPDATE") && n != 1 {
					t.Fatalf("%s changed %d rows, want 1", q, n)
				}
			}
			db.Close()

			stdout, stderr, code := c.run("verify")
			if code != 1 {
				t.Errorf("verify after tampering: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("verify does not say %q:\n%s%s", tc.want, stdout, stderr)
			}
			if strings.Contains(stdout, "verified") && tc.name != "index" {
				t.Errorf("verify of a broken chain says verified:\n%s", stdout)
			}
			if tc.name == "index" && (strings.Contains(stdout, "verified") || !strings.Contains(stdout, "DAMAGED")) {
				t.Errorf("verify of a damaged store does not say so:\n%s", stdout)
			}
			// verify --checkpoint does all that verify does, then the
			// checkpoint: it never says intact about damaged storage.
			stdout, stderr, code = c.run("verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub"))
			if code != 1 || !strings.Contains(stdout, tc.want) || strings.Contains(stdout, "intact, and it extends") {
				t.Errorf("verify --checkpoint after tampering: exit %d, want 1 saying %q and not intact\nstdout:\n%s\nstderr:\n%s", code, tc.want, stdout, stderr)
			}
			// checkpoint refuses to sign a log verify finds wrong.
			stdout, stderr, code = c.run("checkpoint", "--key", c.path("log.key"), "--out", c.path("cp2.txt"))
			if _, err := os.Stat(c.path("cp2.txt")); code != 1 || err == nil {
				t.Errorf("checkpoint after tampering: exit %d (file written: %v), want 1 and nothing written\nstdout:\n%s\nstderr:\n%s", code, err == nil, stdout, stderr)
			}
			if tc.name != "body" {
				return
			}
			// One edited record keeps neither the report nor the agenda
			// from being made (the review's D22): the report opens with the
			// broken chain and names the record it left out; the agenda
			// warns.
			report, stderr, code := c.run("report", "--format", "md")
			if code != 1 || !strings.Contains(report, "RECORD CHAIN BROKEN at record 2") || !strings.Contains(report, "Left out, as the store would not return them: #2 (its content does not match its hash)") {
				t.Errorf("report after an edited body: exit %d\n%.500s\n%s", code, report, stderr)
			}
			_, stderr, code = c.run("agenda", "--evidence", "--from", "2027-01-01", "--to", "2027-02-01", "../../examples/plans/starter.yaml")
			if code != 0 || !strings.Contains(stderr, "warning: record 2 left out: its content does not match its hash") {
				t.Errorf("agenda --evidence after an edited body: exit %d\n%s", code, stderr)
			}
		})
	}
}

// TestTemplates checks that the plans init writes are the matrix's
// starter plans (matrix/starters, of which examples/plans holds copies),
// byte for byte, and are valid.
func TestTemplates(t *testing.T) {
	for variant, tmpl := range variants {
		c := newCLI(t)
		out := filepath.Join(t.TempDir(), "plan.yaml")
		c.must(0, "init", "--variant", variant, out)
		written, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		example, err := os.ReadFile(filepath.Join("../../examples/plans", tmpl))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(written, example) {
			t.Errorf("%s: init writes other text than examples/plans/%s", variant, tmpl)
		}
		if _, _, err := comms.DecodePlanSource(bytes.NewReader(written), tmpl); err != nil {
			t.Errorf("%s: %v", variant, err)
		}
	}
}

// TestSchemaCommand checks that schema prints the published schema.
func TestSchemaCommand(t *testing.T) {
	c := newCLI(t)
	out, _ := c.must(0, "schema")
	want, err := os.ReadFile("../../docs/plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("schema differs from docs/plan.schema.json")
	}
}

// TestVersion checks --version.
func TestVersion(t *testing.T) {
	c := newCLI(t)
	out, _ := c.must(0, "--version")
	if !strings.HasPrefix(out, "ismscomms ") {
		t.Errorf("--version = %q", out)
	}
}

// TestMatrixFormats checks the matrix's JSON and HTML forms.
func TestMatrixFormats(t *testing.T) {
	c := newCLI(t)
	out, _ := c.must(0, "matrix", "--format", "json", "../../examples/plans/starter.yaml")
	var m struct {
		Rows []json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("matrix --format json: %v\n%s", err, out)
	}
	if len(m.Rows) != 18 {
		t.Errorf("matrix --format json: %d rows, want the reference's 14 and the programme's 4", len(m.Rows))
	}
	out, _ = c.must(0, "matrix", "--format", "html", "../../examples/plans/starter.yaml")
	if n := strings.Count(out, `<tr id="activity-`); n != 18 {
		t.Errorf("matrix --format html: %d activity rows, want the reference's 14 and the programme's 4", n)
	}
	c.must(2, "matrix", "--format", "xlsx", "../../examples/plans/starter.yaml")
}

// TestDemo runs the demo, compares its output with testdata/demo.golden
// and checks its report.
func TestDemo(t *testing.T) {
	c := newCLI(t)
	report := c.path("demo.html")
	out, _ := c.must(0, "demo", "--out", report)
	golden(t, "demo.golden", out)
	// Before the plan's first occurrences there is no history: the demo
	// says so rather than claim the records it meant to make (D18).
	early, _ := c.must(0, "demo", "--now", "2026-01-01T00:00:00Z", "--out", c.path("early.html"))
	wantIn(t, "demo with an early --now", early, "0 records of recurring activities appended (0 late, 0 waived); 0 occurrences left without a record (missed)")
	for _, want := range []string{
		"starter-gdpr-nis2: 0 errors",
		"NIS2 Early Warning",
		"record chain verified",
		"on-time rate 89%",
		"evidence report written to $DIR/demo.html",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("demo coloured output that is not a terminal")
	}
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "Record chain verified", "Demo Corp"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("demo report lacks %q", want)
		}
	}
	if _, err := os.Stat(c.path("ismscomms.db")); !os.IsNotExist(err) {
		t.Errorf("demo touched --db (stat: %v); it must use a temporary store", err)
	}
}

// TestPostgresStore runs the store commands against the PostgreSQL store
// and the SQLite store and expects the same output from both. It needs
// ISMSCOMMS_TEST_POSTGRES (see store/postgres); CI sets it.
func TestPostgresStore(t *testing.T) {
	dsn := os.Getenv("ISMSCOMMS_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ISMSCOMMS_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
		}
		t.Skip("ISMSCOMMS_TEST_POSTGRES is not set")
	}
	// The database outlives the test: a tenant of its own.
	tenant := fmt.Sprintf("cli-test-%d", time.Now().UnixNano())
	session := func(db string) []string {
		c := newCLI(t)
		var outs []string
		for _, args := range [][]string{
			{"plan", "save", "../../examples/plans/starter.yaml"},
			{"plan", "list"},
			{"record", "--activity", "security-metrics", "--occurrence", "2026-11-02T09:00:00+01:00", "--sent", "2026-11-02T09:40:00+01:00", "--channel", "dashboards"},
			{"incident", "open", "INC-1", "--at", "2026-11-26T08:00:00Z"},
			{"incident", "milestone", "INC-1", "aware", "--at", "2026-11-26T12:00:00Z"},
			{"incident", "clock", "INC-1"},
			{"incident", "list"},
			{"verify"},
			{"report", "--format", "md", "--from", "2026-10-01"},
		} {
			out, _ := c.must(0, append([]string{"--db", db, "--tenant", tenant}, args...)...)
			outs = append(outs, out)
		}
		return outs
	}
	want := session(filepath.Join(t.TempDir(), "ismscomms.db"))
	got := session(dsn)
	// migrate as the owner: RebuildTrees runs, with nothing to rebuild.
	out, _ := newCLI(t).must(0, "--db", dsn, "migrate")
	if !strings.Contains(out, "is at this program's schema") {
		t.Errorf("migrate of the PostgreSQL store: %s", out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d: PostgreSQL store printed\n%s\nthe SQLite store\n%s", i+1, got[i], want[i])
		}
	}
}

// TestRecordChecks: records that would put a falsehood into the
// append-only log are refused before anything is appended.
func TestRecordChecks(t *testing.T) {
	c := newCLI(t)
	c.must(0, "plan", "save", "../../examples/plans/starter.yaml")
	c.must(0, "incident", "open", "INC-1", "--at", "2026-11-26T08:00:00Z")
	c.must(0, "incident", "open", "CRISIS-1", "--kind", "crisis", "--milestone", "declared", "--at", "2026-11-26T08:00:00Z")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown event", []string{"--activity", "incident-response", "--event", "INC-9", "--sent", "2026-11-26T09:00:00Z"}, "event_id: tenant default has no event INC-9"},
		{"event of another kind", []string{"--activity", "incident-response", "--event", "CRISIS-1", "--sent", "2026-11-26T09:00:00Z"}, "event_id: event CRISIS-1 is of kind crisis; activity incident-response answers incident events"},
		{"malformed digest", []string{"--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00", "--sent", "2026-01-15T09:00:00+01:00", "--digest", "md5:abc"}, `--digest "md5:abc"`},
		{"short digest", []string{"--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00", "--sent", "2026-01-15T09:00:00+01:00", "--digest", "sha256:abc"}, `--digest "sha256:abc"`},
		{"sent in the future", []string{"--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00", "--sent", "2026-12-01"}, "is after the reference time"},
	} {
		_, stderr, code := c.run(append([]string{"record"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tc.name, code, stderr, tc.want)
		}
	}
	out, _ := c.must(0, "verify")
	if !strings.Contains(out, "no record yet") {
		t.Errorf("refused records were appended: %s", out)
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	c.must(0, "record", "--activity", "incident-response", "--event", "INC-1", "--sent", "2026-11-26T09:00:00Z", "--digest", digest)
	c.must(0, "record", "--activity", "crisis", "--event", "CRISIS-1", "--sent", "2026-11-26T09:00:00Z")
}

// TestDatesInThePlanZone: a date without an offset means midnight where
// the plan is (Europe/Berlin for the starter plan), not where the machine
// is (UTC in these tests).
func TestDatesInThePlanZone(t *testing.T) {
	c := newCLI(t)
	c.must(0, "plan", "save", "../../examples/plans/starter.yaml")
	out, _ := c.must(0, "incident", "open", "INC-1", "--at", "2026-03-01")
	if !strings.Contains(out, "at 2026-03-01T00:00:00+01:00") {
		t.Errorf("incident open --at 2026-03-01: %s", out)
	}
	out, _ = c.must(0, "agenda", "--format", "json", "--from", "2026-12-07", "--to", "2026-12-08", "../../examples/plans/starter.yaml")
	if !strings.Contains(out, `"at": "2026-12-07T09:00:00+01:00"`) {
		t.Errorf("agenda of 7 December lacks its 09:00 occurrence:\n%s", out)
	}
	_, stderr, code := c.run("report", "--from", "2026-11-01", "--to", "2026-10-01")
	if code != 2 || !strings.Contains(stderr, "must be after --from") {
		t.Errorf("report with --to before --from: exit %d, %s", code, stderr)
	}
}

// failingWriter fails every write, like a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputFailure: an output that cannot be written is exit status 4
// in every command, and a file output is never left half written.
func TestOutputFailure(t *testing.T) {
	c := newCLI(t)
	c.quiet = true
	c.must(0, "plan", "save", starterPlan)
	c.must(0, "incident", "open", "INC-1", "--at", "2026-11-26T08:00:00Z")
	for _, args := range [][]string{
		{"--help"},
		{"--version"},
		{"init", "-"},
		{"check", starterPlan},
		{"check", "--format", "sarif", starterPlan},
		{"matrix", starterPlan},
		{"calendar", starterPlan},
		{"agenda", starterPlan},
		{"agenda", "--evidence", "--format", "json", starterPlan},
		{"schema"},
		{"plan", "save", starterPlan},
		{"plan", "list"},
		{"record", "--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00", "--sent", "2026-01-15T10:00:00+01:00"},
		{"incident", "open", "INC-2"},
		{"incident", "milestone", "INC-1", "aware"},
		{"incident", "clock", "INC-1"},
		{"incident", "list"},
		{"report"},
		{"report", "--out", "-"},
		{"verify"},
		{"verify", "--format", "json"},
		{"demo", "--out", c.path("demo.html")},
	} {
		_, stderr, code := c.runTo(failingWriter{}, nil, args...)
		if code != exitOther || !strings.Contains(stderr, "cannot write standard output: no space left on device") {
			t.Errorf("%s to a full disk: exit %d, want 4; stderr:\n%s", strings.Join(args, " "), code, stderr)
		}
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("the previous report"), 0o644); err != nil {
		t.Fatal(err)
	}
	halfThenFail := func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("half a report "), 10000)) // past any buffer
		return errors.New("no space left on device")
	}
	for _, exclusive := range []bool{false, true} {
		target := path
		if exclusive {
			target = filepath.Join(dir, "new.yaml")
		}
		err := writeFile(target, exclusive, halfThenFail)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitOther || !strings.Contains(err.Error(), "cannot write "+target+": no space left on device") {
			t.Errorf("writeFile (exclusive %v) with a failing write: %v, want exit status 4 naming the file", exclusive, err)
		}
	}
	got, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if string(got) != "the previous report" || len(entries) != 1 {
		t.Errorf("after failed writes: %q and %d files, want the previous report alone", got, len(entries))
	}
	if err := writeFile(path, false, func(w io.Writer) error { _, err := fmt.Fprint(w, "the new report"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "the new report" {
		t.Errorf("after a write: %q", got)
	}
}

// TestDemoNow: the demo records nothing sent, and nothing recorded, after
// its own "now", whatever the time of day: a reference time just after an
// occurrence (security-metrics, Mondays 09:00) would otherwise get a
// record "sent" two hours later.
func TestDemoNow(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // where the demo keeps its store
	for _, now := range []string{testNow, "2026-12-07T09:30:00+01:00", "2027-03-01T10:59:00+01:00"} {
		c := newCLI(t)
		_, stderr := c.must(0, "--now", now, "demo", "--keep", "--out", c.path("demo.html"))
		_, dir, ok := strings.Cut(strings.TrimSpace(stderr), "keeping the demo's files in ")
		if !ok {
			t.Fatalf("demo --keep does not say where: %s", stderr)
		}
		ref, err := parseTime(now, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		st, err := sqlite.Open(filepath.Join(dir, "ismscomms.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r, err := range st.Records(context.Background(), "demo", store.RecordQuery{}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if r.SentAt.After(ref) || r.RecordedAt.After(ref) {
				t.Errorf("--now %s: record %d (%s) sent %s, recorded %s: after the demo's now", now, r.Seq, r.ActivityID, r.SentAt, r.RecordedAt)
			}
		}
		st.Close()
		if n < 10 {
			t.Errorf("--now %s: the demo recorded %d records", now, n)
		}
	}
}

// TestPostgresLocked: on PostgreSQL too, a record that waits past
// --lock-timeout for another transaction of the tenant is exit status 3.
func TestPostgresLocked(t *testing.T) {
	dsn := os.Getenv("ISMSCOMMS_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ISMSCOMMS_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
		}
		t.Skip("ISMSCOMMS_TEST_POSTGRES is not set")
	}
	c := newCLI(t)
	tenant := fmt.Sprintf("cli-lock-%d", time.Now().UnixNano())
	pg := []string{"--db", dsn, "--tenant", tenant}
	c.must(0, append(pg, "plan", "save", "../../examples/plans/starter.yaml")...)
	record := []string{"record", "--activity", "policy", "--occurrence", "2026-01-15T09:00:00+01:00", "--sent", "2026-01-15T10:00:00+01:00"}
	// The first record with the default lock timeout: 300ms bounds the
	// whole command, which a loaded machine running -race can exceed
	// without any lock held.
	c.must(0, append(slices.Clone(pg), record...)...)
	rec := append(append(slices.Clone(pg), "--lock-timeout", "300ms"), record...)

	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if tag, err := tx.Exec(context.Background(), `SELECT 1 FROM ismscomms.chain_heads WHERE tenant = $1 FOR UPDATE`, tenant); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("locking the chain head: %v (%d rows)", err, tag.RowsAffected())
	}
	_, stderr, code := c.run(rec...)
	if code != 3 || !strings.Contains(stderr, "unavailable") {
		t.Errorf("record while the head is locked: exit %d, %s; want 3", code, stderr)
	}
	if strings.Contains(stderr, "ismscomms_admin:") {
		t.Errorf("stderr shows the DSN's credentials: %s", stderr)
	}
	tx.Rollback(context.Background())
	out, _ := c.must(0, append(pg, "verify")...)
	if !strings.Contains(out, "verified: 1 record,") {
		t.Errorf("after the lock: %s", out)
	}
}

// TestPostgresReadOnly checks that commands that only read never create
// or migrate the PostgreSQL store: on a database without the schema they
// say there is no store, exit 3, and leave the database as it was.
func TestPostgresReadOnly(t *testing.T) {
	dsn := os.Getenv("ISMSCOMMS_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ISMSCOMMS_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
		}
		t.Skip("ISMSCOMMS_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("cli_ro_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)") })
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	empty := strings.Replace(dsn, "/"+cfg.Database+"?", "/"+name+"?", 1)
	if empty == dsn {
		t.Fatalf("cannot derive a DSN for database %s from the test DSN", name)
	}

	c := newCLI(t)
	for _, args := range [][]string{{"verify"}, {"plan", "list"}, {"incident", "list"}} {
		_, stderr, code := c.run(append([]string{"--db", empty}, args...)...)
		if code != 3 || !strings.Contains(stderr, "no store at") {
			t.Errorf("%s on a database without the schema: exit %d, want 3 saying there is no store; stderr:\n%s", args[0], code, stderr)
		}
	}
	db, err := pgx.Connect(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = 'ismscomms'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a read command created the schema (%d, %v)", n, err)
	}
	// A write creates it.
	c.must(0, "--db", empty, "plan", "save", "../../examples/plans/starter.yaml")
	c.must(0, "--db", empty, "verify")
}
