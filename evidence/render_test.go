package evidence_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
)

func writeAll(t *testing.T, rep *evidence.Assessment) (md, html, js string) {
	t.Helper()
	var m, h, j bytes.Buffer
	if err := rep.WriteMarkdown(&m); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	return m.String(), h.String(), j.String()
}

// The JSON form: durations in seconds, unknown rates null, the zone named;
// it reads back into the same report.
func TestJSONForm(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	_, _, js := writeAll(t, rep)
	var doc struct {
		TimeZone    string           `json:"timezone"`
		Now         string           `json:"now"`
		Occurrences []map[string]any `json:"occurrences"`
		Monthly     []map[string]any `json:"monthly"`
		KPIs        struct {
			OnTimeRate    *float64         `json:"on_time_rate"`
			Audiences     []map[string]any `json:"audiences"`
			Notifications []map[string]any `json:"notifications"`
			Timeliness    []map[string]any `json:"timeliness"`
		} `json:"kpis"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.TimeZone != "Europe/Berlin" || doc.Now != "2026-12-03T12:00:00+01:00" {
		t.Errorf("zone %q, now %q", doc.TimeZone, doc.Now)
	}
	if doc.KPIs.OnTimeRate == nil || *doc.KPIs.OnTimeRate != 6.0/19 {
		t.Errorf("on_time_rate %v", doc.KPIs.OnTimeRate)
	}
	for _, o := range doc.Occurrences {
		d, has := o["delay_seconds"]
		switch {
		case o["status"] == "late" && d != 118801.0: // due 6 Feb 23:59:59, sent 8 Feb 09:00
			t.Errorf("late occurrence: delay_seconds %v", d)
		case o["status"] != "late" && has:
			t.Errorf("%v occurrence has delay_seconds", o["status"])
		}
	}
	dec := doc.Monthly[len(doc.Monthly)-1]
	if v, ok := dec["on_time_rate"]; !ok || v != nil || dec["coverage"] != nil {
		t.Errorf("December (nothing judged): on_time_rate %v coverage %v, want null", v, dec["coverage"])
	}
	for _, a := range doc.KPIs.Audiences {
		if a["stakeholder_id"] == "dpa" && (a["reach_rate"] != nil || a["ack_rate"] != nil) {
			t.Errorf("dpa has no size: reach_rate %v ack_rate %v, want null", a["reach_rate"], a["ack_rate"])
		}
	}
	n := doc.KPIs.Notifications
	if len(n) != 2 || n[0]["elapsed_seconds"] != 201600.0 || n[0]["allowed_seconds"] != 259200.0 || n[1]["elapsed_seconds"] != nil {
		t.Errorf("notifications %v", n)
	}
	if tl := doc.KPIs.Timeliness[0]; tl["slowest_seconds"] != 201600.0 || tl["pending"] != 0.0 {
		t.Errorf("timeliness %v", tl)
	}
	for _, old := range []string{`"delay"`, `"elapsed"`, `"allowed"`, `"slowest"`, `: -1`} {
		if strings.Contains(js, old) {
			t.Errorf("JSON still has %s", old)
		}
	}

	// It reads back into the report that was written.
	var back evidence.Assessment
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	md, html, js2 := writeAll(t, &back)
	md0, html0, _ := writeAll(t, rep)
	if js2 != js || md != md0 || html != html0 {
		t.Error("the report read back from JSON differs from the one written")
	}
	if back.Monthly[11].OnTimeRate >= 0 || back.KPIs.Audiences[0].ReachRate >= 0 {
		t.Error("unknown rates read back as known")
	}
}

// A notification not sent yet, its deadline ahead, is pending; one the law
// gives no deadline has no allowed time.
func TestPendingNotification(t *testing.T) {
	in := input()
	p := plan(false)
	p.Activities = append(p.Activities, comms.Activity{ID: "tell-subjects", Name: "Tell the data subjects",
		What: comms.Message{Topic: comms.TopicIncident, Message: "Your data"}, Whom: []string{"employees"}, How: []string{"email"}, Owner: "dpo",
		Obligations: []string{"gdpr-art34"}, When: comms.Timing{Trigger: "incident.high-risk"}})
	in.Versions = nil
	in.Plan = p
	in.Events = []comms.Event{{ID: "inc-3", Kind: "incident", Milestones: []comms.Milestone{
		{Name: "aware", At: at("2026-12-03 02:00")}, {Name: "high-risk", At: at("2026-12-03 04:00")}}}}
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]evidence.Timeliness{
		"gdpr-art33": {Obligation: "gdpr-art33", Law: "primary", Count: 1, Pending: 1},
		"gdpr-art34": {Obligation: "gdpr-art34", Law: "primary", Count: 1, Pending: 1},
	}
	for _, tl := range rep.KPIs.Timeliness {
		if tl != want[tl.Obligation] {
			t.Errorf("timeliness %+v, want %+v", tl, want[tl.Obligation])
		}
	}
	md, html, js := writeAll(t, rep)
	for _, row := range []string{"| gdpr-art33 | primary | 1 | 0 | 0 | 0 | 1 | pending |", "| gdpr-art34 | primary | 1 | 0 | 0 | 0 | 1 | pending |"} {
		if !strings.Contains(md, row) {
			t.Errorf("Markdown lacks %q", row)
		}
	}
	if strings.Contains(md, "| 0m |") || strings.Count(html, `<td class="num nw">pending</td>`) != 2 {
		t.Error("a pending notification is not shown as pending")
	}
	var doc struct {
		KPIs struct {
			Notifications []map[string]any `json:"notifications"`
			Timeliness    []map[string]any `json:"timeliness"`
		} `json:"kpis"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	for _, n := range doc.KPIs.Notifications {
		if n["status"] != "due" || n["elapsed_seconds"] != nil || (n["obligation"] == "gdpr-art34") != (n["allowed_seconds"] == nil) {
			t.Errorf("notification %v", n)
		}
	}
	for _, tl := range doc.KPIs.Timeliness {
		if v, ok := tl["slowest_seconds"]; !ok || v != nil {
			t.Errorf("timeliness %v: slowest_seconds should be null", tl)
		}
	}
}

// Every time shows its zone; in HTML, no date, time or ID breaks across
// lines.
func TestTimesShowTheirZone(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	md, html, _ := writeAll(t, rep)
	times := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d(\S*)( ?)(\S*)`)
	all := times.FindAllStringSubmatch(md, -1)
	if len(all) < 50 {
		t.Fatalf("only %d times in the Markdown", len(all))
	}
	for _, m := range all {
		if m[1] != "" || m[2] != " " || !regexp.MustCompile(`^CES?T[.,]?$`).MatchString(m[3]) {
			t.Errorf("Markdown time without its zone: %q", m[0])
		}
	}
	// The page's CSS (its running header and footer) is no text that wraps.
	html = regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(html, "<style></style>")
	clocks := regexp.MustCompile(`\b\d\d:\d\d\b[^<]*`)
	for _, c := range clocks.FindAllStringIndex(html, -1) {
		if !strings.HasSuffix(html[:c[0]], `<span class="nw">`) || !regexp.MustCompile(`^\d\d:\d\d (CET|CEST)$`).MatchString(html[c[0]:c[1]]) {
			t.Errorf("HTML time not kept on one line with its zone: …%s…", html[max(0, c[0]-40):c[1]+10])
		}
	}
	dates := regexp.MustCompile(`\d{4}-\d\d-\d\d`)
	for _, d := range dates.FindAllStringIndex(html, -1) {
		before := html[:d[0]]
		if !strings.HasSuffix(before, `<span class="nw">`) && !strings.HasSuffix(before, `class="nw">`) {
			t.Errorf("HTML date may break: …%s…", html[max(0, d[0]-40):d[1]])
		}
	}
	if !strings.Contains(html, `times in <span class="nw">Europe/Berlin</span>`) || !strings.Contains(html, "<h2>On-time rate by month due</h2>") || !strings.Contains(html, `id="month-basis"`) {
		t.Error("the HTML does not say its zone and what the monthly chart counts")
	}
	_, page, _ := writeAll(t, rep)
	for _, css := range []string{"@page {\n    margin: 18mm 12mm 16mm;", ".nw, code { white-space: nowrap; }", "max-width: 100%; height: auto;",
		`@bottom-right { content: "Page " counter(page) " of " counter(pages);`, "thead { display: table-header-group; }",
		"tr, .card, svg, table.control { break-inside: avoid;", "td, td code, h1, p.meta { overflow-wrap: anywhere;",
	} {
		if !strings.Contains(page, css) {
			t.Errorf("the page lacks %s", css)
		}
	}
	if regexp.MustCompile(`@page[^}]*size`).MatchString(page) {
		t.Error("the report must not force a paper size")
	}
}

// A paper asked for is the page's @page size, upright, for the report
// and the review input alike; an unknown one is refused.
func TestPageRuleSetsThePaperAskedFor(t *testing.T) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	review := rep.ManagementReview(evidence.ReviewOptions{})
	for _, tc := range []struct {
		paper matrix.Paper
		want  string
	}{{matrix.PaperA4, "size: A4; margin: 18mm 12mm 16mm;"}, {matrix.PaperLetter, "size: letter; margin: 18mm 12mm 16mm;"}} {
		for name, write := range map[string]func(*bytes.Buffer) error{
			"report": func(b *bytes.Buffer) error { return rep.WriteHTMLPage(b, evidence.HTMLOptions{Paper: tc.paper}) },
			"review": func(b *bytes.Buffer) error { return review.WriteHTMLPage(b, evidence.HTMLOptions{Paper: tc.paper}) },
		} {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				t.Fatal(err)
			}
			if got := regexp.MustCompile(`\ssize: [^;]*; margin[^;]*;`).FindAllString(b.String(), -1); len(got) != 1 || strings.TrimSpace(got[0]) != tc.want {
				t.Errorf("%s on %s: @page sizes %q, want [%q]", name, tc.paper, got, tc.want)
			}
		}
	}
	var b bytes.Buffer
	if err := rep.WriteHTMLPage(&b, evidence.HTMLOptions{Paper: "A5"}); !errors.Is(err, matrix.ErrPaper) {
		t.Errorf("paper A5: %v, want ErrPaper", err)
	}
}

// A record that does not count its reach (Reached 0) adds nothing to the
// people expected: it does not make the reach rate look low.
func TestReachNotCounted(t *testing.T) {
	in := input()
	in.Records[4].Reached, in.Records[4].Acknowledged = 0, 0 // June's newsletter
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range rep.KPIs.Audiences {
		if a.StakeholderID == "employees" && (a.Records != 3 || a.Expected != 200 || a.Reached != 170 || a.ReachRate != 0.85) {
			t.Errorf("employees: %+v", a)
		}
	}
}

// TestJSONEmptyLists: a list with nothing in it is [] in the JSON form,
// at every depth, never null (deviations and ad hoc records were null
// while other lists were []); only unknown rates, durations,
// satisfaction and objective values are null.
func TestJSONEmptyLists(t *testing.T) {
	in := input()
	in.Records, in.Events = nil, nil
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deviations != nil || rep.AdHoc != nil {
		t.Fatalf("the test needs nil lists: %v %v", rep.Deviations, rep.AdHoc)
	}
	_, _, js := writeAll(t, rep)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			if !strings.HasSuffix(path, "rate") && !strings.HasSuffix(path, "coverage") && !strings.HasSuffix(path, "seconds") &&
				!strings.HasSuffix(path, "satisfaction") && !strings.HasSuffix(path, ".value") {
				t.Errorf("%s is null", path)
			}
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	var doc any
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	walk("$", doc)
	if rep.Deviations != nil {
		t.Errorf("WriteJSON changed the report it wrote")
	}
}
