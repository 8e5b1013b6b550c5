// Package plancheck shows how a product repository asserts, in its own
// test suite, that its communication plan is complete: a change to
// communication-plan.yaml that breaks ISO/IEC 27001 Clause 7.4 fails CI.
package plancheck

import (
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/matrix/matrixtest"
)

func loadPlan(t *testing.T) comms.Plan {
	t.Helper()
	plan, err := comms.LoadPlan("communication-plan.yaml")
	if err != nil {
		t.Fatal(err) // every problem, as file:line:col: path: message
	}
	return plan
}

// In a real repository, leave out matrix.At: the check then runs at the
// present time and fails once the plan's approval is older than its review
// cadence. The fixed date keeps this example's result stable.
var asOf = matrix.At(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))

func TestPlanIsComplete(t *testing.T) {
	matrixtest.RequireComplete(t, loadPlan(t), asOf)
}

func TestCrisisHasASpokesperson(t *testing.T) {
	matrixtest.AssertNoFinding(t, loadPlan(t), "CRISIS", asOf)
}

func TestRemovingTheRegulatorReportIsCaught(t *testing.T) {
	plan := loadPlan(t)
	var kept []comms.Activity
	for _, a := range plan.Activities {
		if a.ID != "regulator-incident-reports" {
			kept = append(kept, a)
		}
	}
	plan.Activities = kept
	matrixtest.AssertFinding(t, plan, "REGULATOR", asOf)
}
