package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// TestImportMessages: one activity is "1 activity"; a directory is said
// to be one, once; an error of many lines (a plan's problems) is printed
// a problem a line, not with "\n" spelled out; title rows and cells
// outside the matrix's columns are printed.
func TestImportMessages(t *testing.T) {
	c := newCLI(t)
	one := c.path("one.csv")
	os.WriteFile(one, []byte("ISMS matrix v3\nActivity,Key message,Audience,Method,Timing,Owner\n"+
		"Policy communication,The policy,All staff,Email,Monthly,ISO,IMPORTANT: also CEO\n"), 0o644)
	_, stderr := c.must(1, "import", one, "--out", c.path("one.yaml"))
	for _, want := range []string{
		`: 1 activity from sheet "one.csv"`,
		`one.csv: sheet "one.csv", row 1, column A: "ISMS matrix v3" ignored: a row above the header row (row 2)`,
		`one.csv: to review: sheet "one.csv", row 3, column G: activities[0]: "IMPORTANT: also CEO" is outside the matrix's columns`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	_, stderr = c.must(2, "import", c.dir)
	if strings.Count(stderr, c.dir) != 1 || !strings.Contains(stderr, "it is a directory") {
		t.Errorf("a directory: %s", stderr)
	}

	perr := &comms.PlanError{Problems: []comms.Problem{{Path: "activities[0].when", Message: "one"}, {Path: "activities[1].when", Message: "two"}}}
	var buf bytes.Buffer
	printErr(&buf, importErr(fmt.Errorf("sheet: read x.csv: the plan made does not validate: %w", perr)))
	if out := buf.String(); strings.Contains(out, `\n`) || strings.Count(out, "\n") != 3 || strings.Contains(out, "sheet: ") {
		t.Errorf("printed:\n%s", out)
	}
}

// TestImportSecondColumnAndDelimiter: a second Audience column's names
// are in the plan and said, and a second Key message column's cell is a
// cell to review (exit 1, not 0 with the column ignored); a title row
// above a semicolon-separated header is read, the delimiter said. No
// message spells out a line break ("\n"), though the cells hold some.
func TestImportSecondColumnAndDelimiter(t *testing.T) {
	c := newCLI(t)
	second := c.path("second.csv")
	os.WriteFile(second, []byte("Activity,Key message,Audience,Method,Timing,Owner,Stakeholders,Key message\n"+
		"Policy talk,\"The\npolicy\",All staff,Email,Monthly,CISO,\"Board of directors\nStaff\",\"Other\nmessage\"\n"), 0o644)
	_, stderr := c.must(1, "import", second, "--out", c.path("second.yaml"))
	plan, _ := os.ReadFile(c.path("second.yaml"))
	for _, want := range []string{
		`second.csv: sheet "second.csv", row 2, column G: inferred activities[0].whom = board-of-directors, staff: column G is a second "Target audience" column (the first is C)`,
		`second.csv: to review: sheet "second.csv", row 2, column H: activities[0].what.message: "Other message" is not read: column H is a second "Key message" column (the first is B)`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(string(plan), "whom: [all-staff, board-of-directors, staff]") {
		t.Errorf("plan:\n%s", plan)
	}

	semi := c.path("semi.csv")
	os.WriteFile(semi, []byte("Communication matrix\nActivity;Key message;Audience;Method;Timing;Owner\nPolicy talk;The policy, signed;All staff;Email;Monthly;CISO\n"), 0o644)
	_, stderr2 := c.must(0, "import", semi, "--out", c.path("semi.yaml"))
	if want := `semi.csv: sheet "semi.csv": inferred delimiter ";": the CSV file's delimiter: with semicolons, not commas, row 2 names the matrix's columns`; !strings.Contains(stderr2, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr2)
	}
	if out := stderr + stderr2; strings.Contains(out, `\n`) {
		t.Errorf("a line break spelled out:\n%s", out)
	}
}
