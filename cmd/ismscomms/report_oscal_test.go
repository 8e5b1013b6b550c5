package main

import (
	"encoding/json"
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
