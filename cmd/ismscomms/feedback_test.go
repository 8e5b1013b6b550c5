package main

import (
	"testing"
)

// TestRecordFeedback records feedback from the command line: received
// open, closed by a second record that repeats the first, refused where
// it does not fit; the report counts it as feedback, never as a
// communication sent.
func TestRecordFeedback(t *testing.T) {
	c := newCLI(t)
	c.must(0, "plan", "save", starterPlan)
	fb := []string{"record", "--feedback", "--from", "employees", "--channel", "feedback-survey", "--activity", "awareness-training",
		"--sent", "2026-11-02T09:30:00Z", "--score", "2"}
	out, _ := c.must(0, fb...)
	wantIn(t, "feedback recorded", out, "record 1 appended for tenant", "feedback from employees received 2026-11-02", "open")
	out, _ = c.must(0, "record", "--feedback", "--corrects", "1", "--handled", "2026-11-04T10:00:00Z")
	wantIn(t, "feedback closed", out, "record 2 appended", "feedback from employees received 2026-11-02", "handled 2026-11-04")

	// Correcting the score of handled feedback keeps it handled, and a
	// correction is safe to run again under a key (review 5, defects 4-5).
	fix := []string{"record", "--feedback", "--corrects", "2", "--score", "3", "--key", "fix-1"}
	out, _ = c.must(0, fix...)
	wantIn(t, "a correction keeps it handled", out, "record 3 in the log of tenant", "under key fix-1")
	out, _ = c.must(0, fix...)
	wantIn(t, "the correction again", out, "record 3 in the log of tenant")
	_, stderr := c.must(2, "record", "--feedback", "--corrects", "-1", "--handled", "2026-11-04T10:00:00Z")
	wantIn(t, "--corrects -1", stderr, "1 or more")
	_, stderr = c.must(2, "record", "--feedback", "--corrects", "9", "--handled", "2026-11-04T10:00:00Z")
	wantIn(t, "closing a record that is not there", stderr, "has no record 9")
	_, stderr = c.must(2, "record", "--activity", "awareness-training", "--score", "3")
	wantIn(t, "--score without --feedback", stderr, "are for --feedback")
	_, stderr = c.must(2, append(fb[:len(fb)-1], "9")...)
	wantIn(t, "a score off the scale", stderr, "not on the plan's feedback scale")
	_, stderr = c.must(2, "record", "--feedback", "--channel", "feedback-survey", "--score", "3")
	wantIn(t, "feedback from no one", stderr, "feedback names the stakeholder it came from")

	out, _ = c.must(0, "report", "--format", "md", "--from", "2026-11-01", "--to", "2026-12-01")
	wantIn(t, "the report's feedback", out, "## Feedback received",
		"| #1 (#3) | 2026-11-02 10:30 CET | All Employees | awareness-training | 3 | handled | 2026-11-09 23:59 CET | 2026-11-04 11:00 CET | 2d30m |",
		// Two feedback records, no communication sent: nothing ad hoc.
		"| 0% | 0% | 0 | 0 | 1 | 1 | 0 | 0 | 0 | 0 |")
}
