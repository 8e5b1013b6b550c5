// Package matrixtest lets a product's own test suite assert that its
// communication plan is complete, with failure output that lists each
// finding readably in go test's output:
//
//	func TestPlanIsComplete(t *testing.T) {
//		plan, err := comms.LoadPlan("isms/communication-plan.yaml")
//		if err != nil {
//			t.Fatal(err)
//		}
//		matrixtest.RequireComplete(t, plan)
//	}
//
// The helpers accept *testing.T, *testing.B and testify's TestingT (any
// value with Errorf; the Require variants also need FailNow). Pass
// matrix.CheckOption values (matrix.At, matrix.Waive, ...) to configure the
// check; without matrix.At the check runs at the present time, so a plan
// whose approval lapses fails the next run.
package matrixtest

import (
	"fmt"
	"strings"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

// TestingT is the part of *testing.T the assertions use; testify's
// assert.TestingT satisfies it.
type TestingT interface {
	Errorf(format string, args ...any)
}

// RequireT adds FailNow, for the Require variants; testify's
// require.TestingT satisfies it.
type RequireT interface {
	TestingT
	FailNow()
}

type helper interface{ Helper() }

func markHelper(t TestingT) {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
}

// AssertComplete checks p and reports every unwaived error or warning. It
// returns true when there is none.
func AssertComplete(t TestingT, p comms.Plan, opts ...matrix.CheckOption) bool {
	markHelper(t)
	r := matrix.Check(p, opts...)
	var bad []matrix.Finding
	for _, f := range r.Findings {
		if !f.Waived && f.Severity != matrix.SeverityInfo {
			bad = append(bad, f)
		}
	}
	if len(bad) == 0 {
		return true
	}
	t.Errorf("communication plan %q is not complete: %d errors, %d warnings\n%s",
		p.ID, r.Count(matrix.SeverityError), r.Count(matrix.SeverityWarning), list(bad))
	return false
}

// RequireComplete is AssertComplete that stops the test on failure.
func RequireComplete(t RequireT, p comms.Plan, opts ...matrix.CheckOption) {
	markHelper(t)
	if !AssertComplete(t, p, opts...) {
		t.FailNow()
	}
}

// AssertOK checks p and reports every unwaived error; warnings are allowed.
func AssertOK(t TestingT, p comms.Plan, opts ...matrix.CheckOption) bool {
	markHelper(t)
	r := matrix.Check(p, opts...)
	if r.OK() {
		return true
	}
	var bad []matrix.Finding
	for _, f := range r.Findings {
		if !f.Waived && f.Severity == matrix.SeverityError {
			bad = append(bad, f)
		}
	}
	t.Errorf("communication plan %q has %d errors\n%s", p.ID, len(bad), list(bad))
	return false
}

// RequireOK is AssertOK that stops the test on failure.
func RequireOK(t RequireT, p comms.Plan, opts ...matrix.CheckOption) {
	markHelper(t)
	if !AssertOK(t, p, opts...) {
		t.FailNow()
	}
}

// AssertFinding reports an error unless the check of p has an unwaived
// finding of rule. It returns the rule's findings.
func AssertFinding(t TestingT, p comms.Plan, rule string, opts ...matrix.CheckOption) []matrix.Finding {
	markHelper(t)
	r := matrix.Check(p, opts...)
	var got []matrix.Finding
	for _, f := range r.Findings {
		if f.Rule == rule && !f.Waived {
			got = append(got, f)
		}
	}
	if len(got) == 0 {
		t.Errorf("communication plan %q: expected a %s finding, got none; the findings were:\n%s", p.ID, rule, list(r.Findings))
	}
	return got
}

// AssertNoFinding reports an error if the check of p has an unwaived
// finding of rule.
func AssertNoFinding(t TestingT, p comms.Plan, rule string, opts ...matrix.CheckOption) bool {
	markHelper(t)
	r := matrix.Check(p, opts...)
	var got []matrix.Finding
	for _, f := range r.Findings {
		if f.Rule == rule && !f.Waived {
			got = append(got, f)
		}
	}
	if len(got) == 0 {
		return true
	}
	t.Errorf("communication plan %q: expected no %s finding, got %d:\n%s", p.ID, rule, len(got), list(got))
	return false
}

// list formats findings one per block: severity, rule, subject, message,
// hint, and the position when known.
func list(fs []matrix.Finding) string {
	if len(fs) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %-7s %s  %s", f.Severity, f.Rule, f.Subject)
		if f.Pos.IsValid() {
			fmt.Fprintf(&b, " (line %d, column %d)", f.Pos.Line, f.Pos.Column)
		}
		fmt.Fprintf(&b, "\n          %s\n", f.Message)
		if f.Waived {
			fmt.Fprintf(&b, "          waived: %s\n", f.WaiverReason)
		} else if f.Hint != "" {
			fmt.Fprintf(&b, "          hint: %s\n", f.Hint)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
