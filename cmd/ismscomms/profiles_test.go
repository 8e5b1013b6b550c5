package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestPlanProfiles: check and report apply the profiles a plan declares
// without --profile; --profile adds to them; an unknown name in the plan is
// a finding at its line (exit 1), an unknown --profile a usage error (exit
// 2).
func TestPlanProfiles(t *testing.T) {
	c := newCLI(t)
	starter, err := os.ReadFile(starterPlan)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, profiles string) string {
		text := strings.Replace(string(starter), "\nroles:", "\nprofiles: ["+profiles+"]\nroles:", 1)
		if text == string(starter) {
			t.Fatal("the starter plan has no roles section to put profiles before")
		}
		path := c.path(name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The starter plan has no legal activities: declaring gdpr fails it.
	c.must(0, "check", starterPlan)
	gdpr := write("gdpr.yaml", "gdpr")
	out, _ := c.must(1, "check", gdpr)
	wantIn(t, "check of a plan that declares gdpr", out, "REG-MISSING", "gdpr-art33", "gdpr-art34")
	if strings.Contains(out, "nis2") {
		t.Errorf("nis2 checked unasked:\n%s", out)
	}
	// --profile adds nis2 to the plan's gdpr.
	out, _ = c.must(1, "check", "--profile", "nis2", gdpr)
	wantIn(t, "check --profile nis2 of a plan that declares gdpr", out, "gdpr-art33", "nis2-early-warning")
	// The GDPR + NIS2 starter declares both and passes them.
	out, _ = c.must(0, "check", "--fail-on", "warning", "../../examples/plans/starter-gdpr-nis2.yaml")
	if strings.Contains(out, "REG-") {
		t.Errorf("the GDPR + NIS2 starter fails its profiles:\n%s", out)
	}
	// An unknown name in the plan is an error finding at its place.
	typo := write("typo.yaml", "gdrp")
	out, _ = c.must(1, "check", typo)
	text, _ := os.ReadFile(typo)
	line := 1 + strings.Count(string(text[:strings.Index(string(text), "profiles: [gdrp]")]), "\n")
	wantIn(t, "a plan that declares gdrp", out, "REG-UNKNOWN", `"gdrp"`, "typo.yaml:"+strconv.Itoa(line)+":12")
	// An unknown --profile stays a usage error.
	c.must(2, "check", "--profile", "nis3", gdpr)

	// report: the plan's profiles are in the findings unasked.
	c.must(0, "plan", "save", gdpr)
	out, _ = c.must(0, "report", "--format", "json")
	wantIn(t, "report of a plan that declares gdpr", out, `"rule": "REG-MISSING"`, "gdpr-art34")
	if strings.Contains(out, "nis2-early-warning") {
		t.Error("the report checked nis2 unasked")
	}
	out, _ = c.must(0, "report", "--format", "json", "--profile", "nis2")
	wantIn(t, "report --profile nis2", out, "gdpr-art34", "nis2-early-warning")
}
