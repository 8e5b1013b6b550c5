package main

import (
	"os"
	"strings"
	"testing"
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
