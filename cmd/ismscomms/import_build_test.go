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
