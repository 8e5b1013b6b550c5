package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// TestPeopleSession runs the people commands a user would: roster import
// (CSV and SCIM, a bad file, a second snapshot), ack (one by one, a file,
// an unknown person, an unknown version, a rerun), outstanding and the
// report's acknowledgement figures, and compares the transcript with
// testdata/people.golden.
func TestPeopleSession(t *testing.T) {
	c := newCLI(t)
	data := func(name string) string {
		src, err := os.ReadFile(filepath.Join("testdata", "people", name))
		if err != nil {
			t.Fatal(err)
		}
		dst := c.path(name)
		if err := os.WriteFile(dst, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	plan, staff, december, bad := data("plan.yaml"), data("staff.csv"), data("staff-december.csv"), data("bad.csv")
	users, groups := data("users.json"), data("groups.yaml")

	c.must(3, "roster", "import", staff) // no store: a write never creates one
	c.must(0, "plan", "save", plan)
	c.must(2, "outstanding", "--at", "2026-10-01")   // the plan was saved later
	c.must(0, "outstanding")                         // no roster yet: no one due, and it says so
	c.must(1, "outstanding", "--fail-on", "overdue") // and nothing was checked
	c.must(2, "roster", "import", bad)               // every problem, located; nothing saved
	c.must(2, "roster", "import", users)             // SCIM needs --groups
	c.must(0, "roster", "import", "--roster", "idp", "--groups", groups, users)
	c.must(0, "roster", "import", "--now", "2026-11-20T09:00:00Z", staff)
	c.must(0, "roster", "import", "--now", "2026-11-20T09:00:00Z", staff) // unchanged: no new version
	c.must(0, "roster", "list")
	c.must(0, "outstanding")
	c.must(0, "ack", "--activity", "policy", "--person", "E1,E2", "--at", "2026-11-05T10:00:00+01:00", "--channel", "intranet")
	c.must(2, "ack", "--activity", "policy", "--person", "E3,E9")                                             // E9 is no one: nothing recorded
	c.must(2, "ack", "--activity", "policy", "--person", "E3", "--digest", "sha256:"+strings.Repeat("a", 64)) // a version that never was
	c.must(0, "ack", "--activity", "policy", "--person", "E1")                                                // again: the first stands
	acks := c.path("acks.csv")
	if err := os.WriteFile(acks, []byte("person,at,evidence_kind,evidence_ref\nE3,2026-11-26T08:00:00+01:00,signature,env-77\nE4,2026-13-01,,\nE77,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.must(2, "ack", "--activity", "policy", "--file", acks)
	if err := os.WriteFile(acks, []byte("person,at,evidence_kind,evidence_ref\nE3,2026-11-26T08:00:00+01:00,signature,env-77\n2819c223-7f76-453a-919d-413861904646,2026-11-26T09:00:00+01:00,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.must(0, "ack", "--activity", "policy", "--file", acks)
	c.must(0, "outstanding", "--all")
	c.must(1, "outstanding", "--fail-on", "overdue")
	c.must(0, "outstanding", "--format", "json", "--activity", "policy")
	// December's snapshot: Bob has left (not due, not chased), Eve joined.
	c.must(0, "roster", "import", "--now", "2026-12-01T09:00:00Z", december)
	c.must(0, "outstanding", "--now", "2026-12-20T09:00:00Z")
	c.must(2, "roster", "import", "--now", "2026-11-25T09:00:00Z", staff) // older than the snapshot it would follow
	c.quiet = true                                                        // the report is tested elsewhere; here, what it names
	out, _ := c.must(0, "report", "--format", "md")
	if strings.Contains(out, "Alice") {
		t.Error("the report names people without --names")
	}
	out, _ = c.must(0, "report", "--format", "md", "--names")
	if !strings.Contains(out, "Alice Adams") {
		t.Error("report --names does not name Alice")
	}
	golden(t, "people.golden", c.transcript.String())
}

// TestReadAcksHostile: an acknowledgement file over the size limit is
// refused, not cut short (a cut row once acknowledged E2 for E23), and a
// record of a million fields is refused before encoding/csv reads it.
func TestReadAcksHostile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	loc := time.UTC
	big := []byte("person,evidence_ref\nE1,r1," + strings.Repeat(" ", maxAckFile-20) + "\nE23,r23\n")
	if len(big) <= maxAckFile {
		t.Fatalf("the file is %d bytes, not over %d", len(big), maxAckFile)
	}
	if _, _, err := readAcks(write("big.csv", big), comms.Record{}, loc); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("a file over the limit: %v", err)
	}
	wide := write("wide.csv", []byte("person\nE1"+strings.Repeat(",", 1_000_000)+"\n"))
	if _, _, err := readAcks(wide, comms.Record{}, loc); err == nil || !strings.Contains(err.Error(), "wide.csv:2: more than") {
		t.Errorf("a record of a million fields: %v", err)
	}
	// One row with more fields than the columns it names is not read either.
	if n := testing.AllocsPerRun(1, func() { readAcks(wide, comms.Record{}, loc) }); n > 100 {
		t.Errorf("refusing a wide record allocates %v times", n)
	}
}

// FuzzReadAcks: an acknowledgement file never panics the reader; what it
// accepts holds one entry per line it names; what it refuses is said in
// words that hold no character a terminal obeys once printed.
func FuzzReadAcks(f *testing.F) {
	for _, s := range []string{
		"person,at,digest,channel,evidence_kind,evidence_ref\nE1,2026-11-05T10:00:00+01:00,,intranet,click,ct-1\n",
		"\ufeffPerson ID;At\nE1;2026-11-05\n",
		"person\n\"E\n1\"\n,,\n",
		"person,person\nE1,E2\n",
		"nobody\nE1\n",
		"person,at\nE1,2026-13-01\n\x1b[2J,\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "acks.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		acks, lines, err := readAcks(path, comms.Record{ActivityID: "policy"}, time.UTC)
		if err != nil {
			var b strings.Builder
			printErr(&b, err)
			for _, r := range b.String() {
				if r < ' ' && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
					t.Fatalf("the error prints %U:\n%q", r, b.String())
				}
			}
			return
		}
		if len(acks) == 0 || len(acks) != len(lines) {
			t.Fatalf("%d entries, %d lines", len(acks), len(lines))
		}
		for _, a := range acks {
			if a.ActivityID != "policy" {
				t.Fatalf("an entry lost what the flags gave it: %+v", a)
			}
		}
	})
}
