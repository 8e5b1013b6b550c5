package main

import (
	"strings"
	"testing"
)

// TestIncidentClockLaw: an incident that triggers a secondary obligation
// (SEC Form 8-K) and a proposed one (CIRCIA) shows both labels, in the
// table and in JSON, with EDGAR's filing cut-off before the legal
// deadline and CIRCIA's ransom payment follow-up.
func TestIncidentClockLaw(t *testing.T) {
	c := newCLI(t)
	plan := "testdata/us-law.yaml"
	c.must(0, "plan", "save", plan)
	// CIRCIA's clock starts at a reasonable belief that a covered incident occurred.
	c.must(0, "incident", "open", "INC-1", "--title", "Ransomware", "--at", "2026-11-23T14:00:00Z", "--milestone", "believed")
	c.must(0, "incident", "milestone", "INC-1", "material", "--at", "2026-11-24T15:00:00Z")
	c.must(0, "incident", "milestone", "INC-1", "ransom-paid", "--at", "2026-11-26T20:00:00Z") // starts CIRCIA's ransom-payment report, a follow-up
	out, _ := c.must(0, "incident", "clock", "INC-1")
	wantIn(t, "incident clock", out,
		"secondary sources only",
		"proposed, not law; secondary sources only",
		"ransom payment report (follow-up; no activity in the plan)",
		"Tue 01 Dec 17:30 (filing cut-off; legal Tue 01 Dec 23:59)",
		"incident.material")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "circia") && !strings.Contains(line, "proposed, not law") {
			t.Errorf("a CIRCIA line without its label: %s", line)
		}
	}
	js, _ := c.must(0, "incident", "clock", "--format", "json", "INC-1")
	wantIn(t, "incident clock --format json", js,
		`"standing": "proposed, not law; secondary sources only"`,
		`"legal_status": "proposed"`,
		`"evidence": "secondary"`,
		`"practical_due": "2026-12-01T17:30:00-05:00"`,
		`"legal_due": "2026-12-01T23:59:59-05:00"`)
	golden(t, "law.golden", c.transcript.String())
}
