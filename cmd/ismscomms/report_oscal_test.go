package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// report --format oscal-ar and oscal-poam write OSCAL JSON, the same bytes
// each time, to standard output or a file; they are for --for audit only.
func TestReportOSCAL(t *testing.T) {
	c := newCLI(t)
	savePlanWithRecords(c, 2)
	ar, _ := c.must(0, "report", "--format", "oscal-ar")
	again, _ := c.must(0, "report", "--format", "oscal-ar")
	if ar != again {
		t.Error("two exports of the same store differ")
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal([]byte(ar), &doc); err != nil || doc["assessment-results"]["import-ap"] == nil {
		t.Fatalf("report --format oscal-ar: not assessment results with import-ap (%v):\n%.400s", err, ar)
	}
	_, stderr := c.must(0, "report", "--format", "oscal-poam", "--out", c.path("poam.json"))
	wantIn(t, "report --format oscal-poam --out", stderr, "wrote $DIR/poam.json")
	b, err := os.ReadFile(c.path("poam.json"))
	if err != nil || !strings.Contains(string(b), `"plan-of-action-and-milestones"`) || !strings.Contains(string(b), `"poam-items"`) {
		t.Errorf("the POA&M file (%v):\n%.400s", err, b)
	}
	_, stderr = c.must(2, "report", "--for", "management-review", "--format", "oscal-ar")
	wantIn(t, "management-review as OSCAL", stderr, "--format oscal-ar is for --for audit")
}

// With nothing missed or overdue there is no POA&M to write (OSCAL wants
// at least one item): exit 0, so that a CI step does not fail on good
// news, a note on standard error, and nothing written: no file at --out,
// a file already there left as it was, nothing on standard output.
func TestReportOSCALNothingToRemediate(t *testing.T) {
	c := newCLI(t)
	savePlanWithRecords(c, 1)
	window := []string{"--from", "2026-01-15T09:00:00+01:00", "--to", "2026-01-15T09:30:00+01:00"}
	ar, _ := c.must(0, append([]string{"report", "--format", "oscal-ar"}, window...)...)
	if !strings.Contains(ar, `"assessment-results"`) || strings.Contains(ar, `"value": "missed"`) || !strings.Contains(ar, `"value": "on-time"`) {
		t.Fatalf("the window is not one with nothing missed:\n%.600s", ar)
	}
	stdout, stderr := c.must(0, append([]string{"report", "--format", "oscal-poam"}, window...)...)
	if stdout != "" {
		t.Errorf("standard output: %q, want nothing", stdout)
	}
	wantIn(t, "report --format oscal-poam with nothing missed", stderr, "nothing to remediate: no POA&M written", "nothing was written to standard output")
	out := c.path("poam.json")
	_, stderr = c.must(0, append([]string{"report", "--format", "oscal-poam", "--out", out}, window...)...)
	wantIn(t, "report --format oscal-poam --out with nothing missed", stderr, "nothing to remediate: no POA&M written", "$DIR/poam.json was not written")
	if _, err := os.Lstat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--out %s: %v, want no file", out, err)
	}
	const old = "an earlier run's POA&M\n"
	if err := os.WriteFile(out, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	c.must(0, append([]string{"report", "--format", "oscal-poam", "--out", out}, window...)...)
	if b, err := os.ReadFile(out); err != nil || string(b) != old {
		t.Errorf("the file already at --out: %q (%v), want it left as it was", b, err)
	}
}
