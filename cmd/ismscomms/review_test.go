package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// TestReportManagementReview writes the management-review input of a
// store with a plan, its records and an incident, in Markdown to standard
// output and in HTML to a file, and compares the transcript with
// testdata/review.golden; --for takes audit and management-review only,
// and the review has no JSON.
func TestReportManagementReview(t *testing.T) {
	c := newCLI(t)
	plan := c.path("plan.yaml")
	c.quiet = true
	c.must(0, "init", plan)
	c.must(0, "plan", "save", "--by", "ina@example.com", "--note", "first approved plan", plan)
	c.must(0, "migrate")
	c.quiet = false
	c.must(0, "record", "--activity", "security-metrics", "--occurrence", "2026-11-02T09:00:00+01:00",
		"--sent", "2026-11-02T09:40:00+01:00", "--channel", "dashboards", "--audience", "management",
		"--sender", "ina@example.com", "--role", "iso", "--subject", "Security metrics, November")
	c.must(0, "incident", "open", "INC-7", "--title", "Phishing wave", "--at", "2026-11-26T08:00:00Z")
	c.must(0, "incident", "milestone", "INC-7", "aware", "--at", "2026-11-26T12:00:00Z")
	c.must(0, "record", "--activity", "incident-response", "--event", "INC-7", "--sent", "2026-11-26T09:30:00Z",
		"--channel", "email", "--audience", "employees", "--role", "irt", "--subject", "Do not open the invoice mails")
	c.must(0, "report", "--for", "management-review", "--format", "md", "--from", "2026-10-01")
	c.must(0, "report", "--for", "management-review", "--from", "2026-10-01", "--out", c.path("review.html"))
	c.must(2, "report", "--for", "board")
	c.must(2, "report", "--for", "management-review", "--format", "json")
	c.must(0, "report", "--for", "audit", "--format", "md", "--from", "2026-10-01", "--out", c.path("report.md"))
	golden(t, "review.golden", c.transcript.String())

	html, err := os.ReadFile(c.path("review.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
		"<h1>Management review input", `id="review-objectives"`, `id="review-incidents"`, "INC-7",
	} {
		if !strings.Contains(string(html), want) {
			t.Errorf("review.html lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<script") {
		t.Error("review.html holds a script")
	}
	audit, err := os.ReadFile(c.path("report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(audit), "# Communication evidence") {
		t.Errorf("--for audit wrote no evidence report:\n%.200s", audit)
	}
}

// TestRecordReview records the management-review input (--record): the
// record carries the digest of the file written, answers the plan's
// management-review activity, and the next review's changes count from
// it; without --record nothing is written to the store, and --since
// overrides where the changes count from.
func TestRecordReview(t *testing.T) {
	c := newCLI(t)
	c.quiet = true
	c.must(0, "plan", "save", starterPlan)
	c.quiet = false
	c.must(2, "report", "--record")
	c.must(2, "report", "--for", "management-review", "--activity", "management-review")
	_, stderr := c.must(2, "report", "--for", "management-review", "--record", "--activity", "policy")
	wantIn(t, "--activity of another topic", stderr, "not management-review")

	out := c.path("review.md")
	_, stderr = c.must(0, "report", "--for", "management-review", "--format", "md", "--out", out, "--record")
	wantIn(t, "recorded", stderr, "recorded the input as record 1 of activity management-review (digest sha256:", "plan versions saved since")
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	records := func() []comms.Record {
		t.Helper()
		st, err := sqlite.Open(c.path("ismscomms.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var out []comms.Record
		for r, err := range st.Records(context.Background(), "default", store.RecordQuery{}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	got := records()
	if len(got) != 1 || got[0].ActivityID != "management-review" || got[0].Digest != comms.Digest(body) || !strings.HasPrefix(got[0].Subject, evidence.ReviewSubject) {
		t.Fatalf("records after --record: %+v, want one of management-review with the digest of the file, %s", got, comms.Digest(body))
	}

	// Written again in the occurrence's window (20 November to 4
	// December), the input is the same review's: its changes count from
	// where the recorded one's did. After the window, the next review
	// counts its changes from the recorded one.
	_, first := c.must(0, "report", "--for", "management-review", "--format", "md", "--out", c.path("again.md"))
	wantIn(t, "the same review again", first, "(the start of the period)")
	_, stderr = c.must(0, "--now", "2026-12-10T10:00:00Z", "report", "--for", "management-review", "--format", "md", "--out", c.path("next.md"))
	wantIn(t, "the next review", stderr, "(the last review recorded)")
	_, stderr = c.must(0, "report", "--for", "management-review", "--format", "md", "--out", c.path("since.md"), "--since", "2026-01-01")
	wantIn(t, "--since", stderr, "since 2026-01-01 (--since)")
	_, stderr = c.must(2, "report", "--for", "management-review", "--since", "2027-01-01")
	wantIn(t, "--since after now", stderr, "is after --now")
	// Without --record, nothing was appended.
	if n := len(records()); n != 1 {
		t.Errorf("%d records, want only the one --record appended", n)
	}
}
