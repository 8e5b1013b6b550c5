package matrixtest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/matrix/matrixtest"
)

// recorder is a TestingT that records instead of failing.
type recorder struct {
	errors []string
	failed bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) FailNow() { r.failed = true }

var at = matrix.At(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))

func broken() comms.Plan {
	p := matrix.Starter()
	p.Activities[0].Owner = ""
	for i := range p.Activities {
		if p.Activities[i].ID == "crisis" {
			p.Activities[i].Spokesperson = ""
		}
	}
	return p
}

func TestRequireComplete(t *testing.T) {
	var ok recorder
	matrixtest.RequireComplete(&ok, matrix.Starter(), at)
	if ok.failed || len(ok.errors) != 0 {
		t.Errorf("the starter plan is complete: %v", ok.errors)
	}
	var bad recorder
	matrixtest.RequireComplete(&bad, broken(), at)
	if !bad.failed || len(bad.errors) != 1 {
		t.Fatalf("RequireComplete on a broken plan: failed=%v errors=%d", bad.failed, len(bad.errors))
	}
	msg := bad.errors[0]
	for _, want := range []string{
		`communication plan "starter" is not complete: 1 errors, 1 warnings`,
		"error   CMX-WHO  activity policy",
		"has no owner: no one is responsible for it.",
		"hint: Set owner to the ID of the responsible role.",
		"warning CRISIS  activity crisis",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure output lacks %q:\n%s", want, msg)
		}
	}
}

func TestAssertOK(t *testing.T) {
	p := matrix.Starter()
	for i := range p.Activities {
		if p.Activities[i].ID == "crisis" {
			p.Activities[i].Spokesperson = "" // a warning only
		}
	}
	var r recorder
	if !matrixtest.AssertOK(&r, p, at) || len(r.errors) != 0 {
		t.Errorf("warnings pass AssertOK: %v", r.errors)
	}
	if matrixtest.AssertOK(&r, broken(), at) || len(r.errors) != 1 || !strings.Contains(r.errors[0], "CMX-WHO") {
		t.Errorf("errors fail AssertOK: %v", r.errors)
	}
	var req recorder
	matrixtest.RequireOK(&req, broken(), at)
	if !req.failed {
		t.Error("RequireOK stops the test")
	}
}

func TestAssertFinding(t *testing.T) {
	var r recorder
	got := matrixtest.AssertFinding(&r, broken(), "CMX-WHO", at)
	if len(got) != 1 || len(r.errors) != 0 || got[0].Subject.ID != "policy" {
		t.Errorf("AssertFinding: %v %v", got, r.errors)
	}
	matrixtest.AssertFinding(&r, matrix.Starter(), "CRISIS", at)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "expected a CRISIS finding, got none; the findings were:") ||
		!strings.Contains(r.errors[0], "info    PLAN-APPROVAL") {
		t.Errorf("missing finding: %v", r.errors)
	}
	var n recorder
	if matrixtest.AssertNoFinding(&n, broken(), "CRISIS", at) || !strings.Contains(n.errors[0], "expected no CRISIS finding, got 1") {
		t.Errorf("AssertNoFinding: %v", n.errors)
	}
	if !matrixtest.AssertNoFinding(&n, broken(), "CRISIS", at, matrix.Waive("CRISIS", "", "group plan")) {
		t.Error("a waived finding does not count")
	}
}

// *testing.T, and testify's assert.TestingT and require.TestingT, fit.
var (
	_ matrixtest.TestingT = (*testing.T)(nil)
	_ matrixtest.RequireT = (*testing.T)(nil)
	_ matrixtest.TestingT = assert.TestingT(nil)
	_ matrixtest.RequireT = require.TestingT(nil)
)

func TestWithTestify(t *testing.T) {
	a := assert.New(t)
	a.True(matrixtest.AssertComplete(t, matrix.Starter(), at))
}
