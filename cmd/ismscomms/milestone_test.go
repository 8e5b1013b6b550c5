package main

import (
	"strings"
	"testing"
)

// TestMilestoneChecks: a milestone that starts nothing is refused unless
// forced; aware before detected is recorded with a warning.
func TestMilestoneChecks(t *testing.T) {
	c := newCLI(t)
	// Without a plan there is nothing to check against: --force, or a plan.
	_, stderr := c.must(2, "incident", "open", "INC-0", "--at", "2026-11-26T08:00:00Z")
	wantIn(t, "open without a plan", stderr, "has no plan in the store", "--force")
	c.must(0, "incident", "open", "INC-0", "--at", "2026-11-26T08:00:00Z", "--force")
	_, stderr = c.must(2, "incident", "milestone", "INC-0", "aware")
	wantIn(t, "milestone without a plan", stderr, "has no plan in the store")
	c.must(0, "incident", "milestone", "INC-0", "aware", "--force")
	c.must(0, "incident", "milestone", "INC-0", "aware", "--plan", starterPlan)

	c.must(0, "plan", "save", starterPlan)
	// incident open checks the kind and its milestone as milestone does
	// (the review's D15: both were accepted).
	_, stderr = c.must(2, "incident", "open", "INC-2", "--milestone", "foo")
	wantIn(t, "open with a milestone that starts nothing", stderr, "incident.foo starts no communication of plan starter; the milestones that do are: detected, aware, closed", "--force")
	_, stderr = c.must(2, "incident", "open", "INC-3", "--kind", "nosuchkind")
	wantIn(t, "open of a kind that starts nothing", stderr, "nosuchkind.detected starts no communication of plan starter: none of its activities is triggered by nosuchkind events")
	_, stderr = c.must(0, "incident", "open", "INC-4", "--kind", "nosuchkind", "--force")
	wantIn(t, "a forced open", stderr, "warning: nosuchkind.detected starts no communication of plan starter; recorded as --force asks")
	c.must(0, "incident", "open", "INC-1", "--at", "2026-11-26T08:00:00Z")
	c.must(2, "incident", "open", "INC-1", "--at", "2026-11-26T08:00:00Z") // already open
	_, stderr = c.must(0, "incident", "milestone", "INC-1", "awre", "--force", "--at", "2026-11-26T09:00:00Z")
	wantIn(t, "a forced milestone", stderr, "warning: incident.awre starts no communication of plan starter; recorded as --force asks")
	// high-risk starts GDPR Art. 34 in the GDPR + NIS2 plan, nothing in the starter.
	c.must(2, "incident", "milestone", "INC-1", "high-risk")
	c.must(0, "incident", "milestone", "INC-1", "high-risk", "--plan", "../../examples/plans/starter-gdpr-nis2.yaml")

	stdout, stderr := c.must(0, "incident", "milestone", "INC-1", "aware", "--at", "2026-11-26T07:00:00Z")
	// Times are shown in the plan's zone (Berlin), whatever zone --at gave.
	wantIn(t, "aware before detected", stdout, "INC-1: incident.aware at 2026-11-26T08:00:00+01:00")
	wantIn(t, "aware before detected", stderr, "warning: INC-1 became aware at 2026-11-26T08:00:00+01:00, before it was detected at 2026-11-26T09:00:00+01:00")
	// Corrected: the latest time counts, and no warning.
	_, stderr = c.must(0, "incident", "milestone", "INC-1", "aware", "--at", "2026-11-26T10:00:00Z")
	if stderr != "" {
		t.Errorf("a corrected aware after detected still warns: %s", stderr)
	}
	out, _ := c.must(0, "incident", "list")
	wantIn(t, "incident list", out, "INC-1  incident", "detected Thu 26 Nov 09:00, awre Thu 26 Nov 10:00", "aware Thu 26 Nov 11:00")
	out, _ = c.must(0, "incident", "list", "--format", "json", "--kind", "crisis")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("incident list --kind crisis: %s, want []", out)
	}
	golden(t, "milestone.golden", c.transcript.String())
}
