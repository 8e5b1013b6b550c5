package main

import (
	"os"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// TestImport: the reference matrix imports with exit 1 (deadlines it does
// not state were given defaults, each listed to review) into a plan check
// passes; a sheet with a missing column and an unknown phrase is written
// with exit 1 and located messages; unreadable input is exit 2 and
// writes nothing; an existing file is not replaced without --force.
func TestImport(t *testing.T) {
	c := newCLI(t)
	out := c.path("plan.yaml")
	_, stderr := c.must(1, "import", "../../matrix/sheet/testdata/reference.csv", "--out", out, "--id", "acme")
	for _, want := range []string{
		`sheet "reference.csv", row 2, column E: inferred activities[0].when.rrule = FREQ=YEARLY`,
		`to review: sheet "reference.csv", row 3, column E: activities[1].when.within: "As needed" states no deadline: within 7d is a default`,
		`to review: sheet "reference.csv", row 10, column E: activities[8].when.within: "Immediately (as required by law)" names no law: within 24h`,
		": 14 activities from sheet \"reference.csv\"",
		"6 cells to review",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	p, err := comms.LoadPlan(out)
	if err != nil || p.ID != "acme" {
		t.Fatalf("the plan written: %v (ID %q)", err, p.ID)
	}
	c.must(0, "check", out)
	c.must(2, "import", "../../matrix/sheet/testdata/reference.csv", "--out", out)
	c.must(1, "import", "../../matrix/sheet/testdata/reference.csv", "--out", out, "--force")

	messy := c.path("messy.csv")
	os.WriteFile(messy, []byte("Activity,Message,Audience,Timing\nPolicy,The policy,Staff,Fortnightly-ish\n"), 0o644)
	stdout, stderr := c.must(1, "import", messy)
	if !strings.Contains(stderr, `to review: sheet "messy.csv", row 2, column D: activities[0].when: "Fortnightly-ish" is not a timing phrase`) ||
		!strings.Contains(stderr, `to review: sheet "messy.csv", row 1: no "Communication method" column`) {
		t.Errorf("stderr:\n%s", stderr)
	}
	if _, err := comms.DecodePlan(strings.NewReader(stdout)); err != nil {
		t.Errorf("the plan on standard output does not decode: %v", err)
	}

	// A kind that cannot be read is a cell to review: exit 1.
	kinds := c.path("kinds.csv")
	os.WriteFile(kinds, []byte("Activity,Key message,Target audience,Communication method,Timing,Responsible party\n"+
		"Policy communication,The policy,Zorblax,Carrier pigeon,Annually,CISO\n"), 0o644)
	_, stderr = c.must(1, "import", kinds)
	if !strings.Contains(stderr, `to review: sheet "kinds.csv", row 2, column C: stakeholders[0].kind: no kind could be read from "Zorblax"`) {
		t.Errorf("stderr:\n%s", stderr)
	}

	bad := c.path("bad.csv")
	os.WriteFile(bad, []byte("just text\n"), 0o644)
	none := c.path("none.yaml")
	c.must(2, "import", bad, "--out", none)
	if _, err := os.Stat(none); err == nil {
		t.Error("unreadable input wrote a plan")
	}
	c.must(2, "import", messy, "--out", c.path("plan.txt"))
	c.must(2, "import", messy, "--start", "June")
}
