package main

import (
	"strings"
	"testing"
)

// TestDrill runs a drill end to end from the command line (the review's
// defect 4): incident open --exercises opens it, its milestones are the
// exercised kind's, record --drill records its notification (and is
// refused against a real incident, as a record without it is against the
// drill), and incident clock, incident list and remind say "DRILL" where a
// real incident's say nothing of drills.
func TestDrill(t *testing.T) {
	c := newCLI(t)
	c.must(0, "plan", "save", starterPlan)

	// A drill must say what it exercises: not a hint to --force.
	_, stderr := c.must(2, "incident", "open", "D0", "--kind", "drill", "--milestone", "aware")
	wantIn(t, "a drill without --exercises", stderr, "give --exercises (such as incident) and --scenario")
	if strings.Contains(stderr, "--force") {
		t.Errorf("a drill without --exercises is sent to --force: %s", stderr)
	}
	_, stderr = c.must(2, "incident", "open", "D0", "--exercises", "incident", "--milestone", "aware")
	wantIn(t, "a drill without --scenario", stderr, "--scenario")
	_, stderr = c.must(2, "incident", "open", "I0", "--kind", "incident", "--exercises", "incident", "--scenario", "x")
	wantIn(t, "--exercises on a real incident", stderr, "are for a drill")

	// --exercises implies --kind drill; aware is the exercised kind's milestone.
	out, _ := c.must(0, "incident", "open", "DRILL-1", "--exercises", "incident", "--scenario", "ransomware on the file servers",
		"--milestone", "aware", "--at", "2026-11-24T08:00:00Z")
	wantIn(t, "drill opened", out, "opened drill DRILL-1: drill.aware at", "DRILL (exercising incident): ransomware on the file servers", "not a real incident")
	c.must(0, "incident", "milestone", "DRILL-1", "detected", "--at", "2026-11-24T07:30:00Z")
	c.must(0, "incident", "open", "INC-1", "--milestone", "aware", "--at", "2026-11-24T08:00:00Z")

	// The clock says DRILL for the drill, nothing of drills for the incident.
	out, _ = c.must(0, "incident", "clock", "DRILL-1")
	wantIn(t, "drill clock", out, "DRILL (exercising incident): ransomware on the file servers", "the real incident would have")
	real, _ := c.must(0, "incident", "clock", "INC-1")
	if strings.Contains(strings.ToLower(real), "drill") {
		t.Errorf("a real incident's clock speaks of a drill:\n%s", real)
	}
	out, _ = c.must(0, "incident", "list")
	wantIn(t, "incident list", out, "DRILL-1  DRILL (exercising incident)", "[scenario: ransomware on the file servers]")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "INC-1") && strings.Contains(strings.ToLower(line), "drill") {
			t.Errorf("incident list marks a real incident as a drill: %s", line)
		}
	}

	// record --drill: for the drill only; the drill only takes --drill.
	notify := []string{"record", "--activity", "regulator-incident-reports", "--channel", "formal-reports", "--audience", "regulators",
		"--sent", "2026-11-25T10:00:00Z"}
	_, stderr = c.must(2, append(notify, "--event", "DRILL-1")...)
	wantIn(t, "a drill's record without --drill", stderr, "DRILL-1 is a drill")
	_, stderr = c.must(2, append(notify, "--event", "INC-1", "--drill")...)
	wantIn(t, "--drill against a real incident", stderr, "marked as a drill, but event INC-1 is a real incident")
	_, stderr = c.must(2, append(notify, "--drill")...)
	wantIn(t, "--drill naming no event", stderr, "name its event")
	out, _ = c.must(0, append(notify, "--event", "DRILL-1", "--drill")...)
	wantIn(t, "drill record", out, "a DRILL record of drill DRILL-1")
	out, _ = c.must(0, "incident", "clock", "DRILL-1", "--format", "json")
	wantIn(t, "drill clock after the record", out, `"drill": true`, `"status": "done"`)
}
