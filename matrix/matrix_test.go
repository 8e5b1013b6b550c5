package matrix_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// The published copies in examples/plans are the embedded starter plans
// byte for byte, and Starter and StarterGDPRNIS2 are those files decoded.
func TestStarterFilesArePublished(t *testing.T) {
	for name, want := range map[string]comms.Plan{
		"starter.yaml":           matrix.Starter(),
		"starter-gdpr-nis2.yaml": matrix.StarterGDPRNIS2(),
	} {
		embedded, err := fs.ReadFile(matrix.StarterFiles(), name)
		if err != nil {
			t.Fatal(err)
		}
		published, err := os.ReadFile("../examples/plans/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(embedded, published) {
			t.Errorf("examples/plans/%s differs from matrix/starters/%s, its source; copy it: cp matrix/starters/%s examples/plans/", name, name, name)
		}
		p, err := comms.LoadPlan("../examples/plans/" + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("examples/plans/%s and the matrix's starter differ:\nfile:    %+v\nStarter: %+v", name, p, want)
		}
	}
	// Each call returns a fresh copy.
	a, b := matrix.Starter(), matrix.Starter()
	a.Activities[0].Whom[0] = "changed"
	if b.Activities[0].Whom[0] == "changed" || matrix.Starter().Activities[0].Whom[0] == "changed" {
		t.Error("Starter returns shared slices")
	}
}

// The starter keeps the reference's 14 rows, in its order, first; the
// programme's rows (a drill, post-incident communication, media
// inquiries, the management-review input) come after them.
func TestStarterKeepsThe14Rows(t *testing.T) {
	p := matrix.Starter()
	if err := p.Validate(); err != nil {
		t.Fatalf("Starter is invalid: %v", err)
	}
	m := matrix.Build(p)
	want := []string{"policy", "policy-changes", "awareness-training", "incident-response", "risk-results",
		"internal-audits", "third-party-audits", "regulatory-updates", "regulator-incident-reports",
		"customer-supplier-assurance", "continuous-improvement", "crisis", "security-metrics", "employee-recognition",
		"incident-drill", "lessons-learned", "media-inquiries", "management-review"}
	if len(m.Rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(m.Rows), len(want))
	}
	for i, id := range want {
		if m.Rows[i].ActivityID != id {
			t.Errorf("row %d is %s, want %s", i+1, m.Rows[i].ActivityID, id)
		}
	}
	for _, r := range m.Rows {
		for i, c := range r.Cells() {
			if c == "" {
				t.Errorf("row %s: empty %q", r.ActivityID, matrix.Columns[i])
			}
		}
	}
}

func TestStarterIsFreshCopy(t *testing.T) {
	a := matrix.Starter()
	a.Channels[0].Reach[0] = "mutated"
	a.Activities[0].Whom[0] = "mutated"
	if b := matrix.Starter(); b.Channels[0].Reach[0] == "mutated" || b.Activities[0].Whom[0] == "mutated" {
		t.Error("Starter shares state between calls")
	}
}

func TestRenderStarter(t *testing.T) {
	m := matrix.Build(matrix.Starter())
	for _, r := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/starter.md", func(b *bytes.Buffer) error { return m.WriteMarkdown(b) }},
		{"testdata/starter.csv", func(b *bytes.Buffer) error { return m.WriteCSV(b) }},
		{"testdata/starter.html", func(b *bytes.Buffer) error { return m.WriteHTML(b) }},
	} {
		var buf bytes.Buffer
		if err := r.write(&buf); err != nil {
			t.Fatal(err)
		}
		golden(t, r.file, buf.Bytes())
	}
}

func TestCSVParsesBack(t *testing.T) {
	p := matrix.Starter()
	p.Activities[0].Name = "Quotes \"and\", commas\nand a newline"
	p.Activities[1].What.Message = "=HYPERLINK(\"http://evil\")"
	m := matrix.Build(p)
	var buf bytes.Buffer
	if err := m.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV: %v", err)
	}
	if len(records) != 19 || len(records[0]) != 6 || records[0][0] != "Communication activity" {
		t.Fatalf("got %d records, header %v", len(records), records[0])
	}
	if records[1][0] != p.Activities[0].Name {
		t.Errorf("cell = %q", records[1][0])
	}
	if records[2][1] != "'=HYPERLINK(\"http://evil\")" {
		t.Errorf("formula not neutralised: %q", records[2][1])
	}
}

func TestHTMLEscapes(t *testing.T) {
	p := matrix.Starter()
	p.Organization = "<script>alert(1)</script>"
	p.Activities[0].Name = "<img src=x onerror=alert(1)>"
	var buf bytes.Buffer
	if err := matrix.Build(p).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "<script>alert") || strings.Contains(out, "<img src=x") {
		t.Errorf("unescaped markup in HTML output")
	}
	if !strings.Contains(out, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("escaped name missing")
	}
}

func TestMarkdownEscapes(t *testing.T) {
	p := comms.Plan{ID: "p", Activities: []comms.Activity{{ID: "a", Name: "a | b\nc *d*"}}}
	var buf bytes.Buffer
	if err := matrix.Build(p).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], `| a \| b c \*d\* |`) {
		t.Errorf("got %q", lines)
	}
}

func TestBuildUnresolved(t *testing.T) {
	// A plan built in Go and never validated: unknown IDs show as they are.
	p := comms.Plan{ID: "p", Activities: []comms.Activity{{ID: "a", Whom: []string{"ghost"}, How: []string{"fax"}, Owner: "nobody"}}}
	r := matrix.Build(p).Rows[0]
	if r.Activity != "a" || r.Audience[0] != "ghost" || r.Methods[0] != "fax" || r.Responsible[0] != "nobody" {
		t.Errorf("row = %+v", r)
	}
}

func TestTimingPhrases(t *testing.T) {
	start := func(s string) comms.DateTime {
		dt, err := comms.ParseDateTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return dt
	}
	tests := []struct {
		when comms.Timing
		want string
	}{
		{comms.Timing{RRule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15", Start: start("2026-01-15T09:00")}, "Annually on 15 January"},
		{comms.Timing{RRule: "FREQ=YEARLY", Start: start("2026-10-05T09:00")}, "Annually on 5 October"},
		{comms.Timing{RRule: "FREQ=YEARLY;INTERVAL=2", Start: start("2026-10-05T09:00")}, "Every 2 years on 5 October"},
		{comms.Timing{RRule: "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1", Start: start("2026-01-01T09:00")}, "Twice a year, on 1 January and 1 July"},
		{comms.Timing{RRule: "FREQ=YEARLY;BYMONTH=3;BYDAY=-1FR", Start: start("2026-03-27T09:00")}, "Annually on the last Friday of March"},
		{comms.Timing{RRule: "FREQ=MONTHLY;INTERVAL=6", Start: start("2026-06-15T09:00")}, "Every 6 months"},
		{comms.Timing{RRule: "FREQ=MONTHLY;INTERVAL=3", Start: start("2026-01-20T09:00")}, "Quarterly"},
		{comms.Timing{RRule: "FREQ=MONTHLY", Start: start("2026-01-20T09:00")}, "Monthly on the 20th"},
		{comms.Timing{RRule: "FREQ=MONTHLY;BYMONTHDAY=-1", Start: start("2026-01-31T09:00")}, "Monthly on the last day"},
		{comms.Timing{RRule: "FREQ=MONTHLY;BYDAY=1MO", Start: start("2026-01-05T09:00")}, "Monthly on the first Monday"},
		{comms.Timing{RRule: "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", Start: start("2026-01-13T09:00")}, "Quarterly on the second Tuesday"},
		{comms.Timing{RRule: "FREQ=WEEKLY;BYDAY=MO,WE,FR", Start: start("2026-01-05T09:00")}, "Weekly on Monday, Wednesday and Friday"},
		{comms.Timing{RRule: "FREQ=WEEKLY;INTERVAL=2", Start: start("2026-01-06T09:00")}, "Every 2 weeks on Tuesday"},
		{comms.Timing{RRule: "FREQ=DAILY", Start: start("2026-01-06T09:00")}, "Daily"},
		{comms.Timing{RRule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", Start: start("2026-01-06T09:00")}, "Every weekday"},
		{comms.Timing{RRule: "FREQ=MONTHLY;COUNT=3", Start: start("2026-01-06T09:00")}, "Monthly on the 6th, 3 times"},
		{comms.Timing{RRule: "FREQ=YEARLY", Start: start("2026-01-06T09:00"), Until: start("2030-12-31")}, "Annually on 6 January, until 31 December 2030"},
		{comms.Timing{RRule: "FREQ=YEARLY;BYWEEKNO=20", Start: start("2026-05-11T09:00")}, "FREQ=YEARLY;BYWEEKNO=20"},
		{comms.Timing{RRule: "FREQ=MONTHLY;BYDAY=MO,TU", Start: start("2026-01-05T09:00")}, "FREQ=MONTHLY;BYDAY=MO,TU"},
		{comms.Timing{Trigger: "incident.aware", Within: "72h"}, "Within 72 hours of incident.aware"},
		{comms.Timing{Trigger: "incident.detected", Within: "1h"}, "Within 1 hour of incident.detected"},
		{comms.Timing{Trigger: "incident.material", Within: "4bd"}, "Within 4 business days of incident.material"},
		{comms.Timing{Trigger: "policy.changed"}, "On policy.changed"},
		{comms.Timing{RRule: "FREQ=YEARLY", Start: start("2026-01-06T09:00"), Trigger: "policy.changed", Within: "1mo"}, "Annually on 6 January; within 1 month of policy.changed"},
	}
	for _, tc := range tests {
		p := comms.Plan{ID: "p", Activities: []comms.Activity{{ID: "a", When: tc.when}}}
		if got := matrix.Build(p).Rows[0].Timing; got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.when, got, tc.want)
		}
	}
	// An activity trigger names the activity.
	p := comms.Plan{ID: "p", Activities: []comms.Activity{
		{ID: "n", Name: "NIS2 notification"},
		{ID: "f", When: comms.Timing{Trigger: "activity:n", Within: "1mo"}},
	}}
	if got := matrix.Build(p).Rows[1].Timing; got != `Within 1 month of "NIS2 notification" being sent` {
		t.Errorf("activity trigger: %q", got)
	}
}
