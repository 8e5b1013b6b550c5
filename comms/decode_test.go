package comms_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

var update = flag.Bool("update", false, "rewrite golden files")

func validPlans(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/valid/*")
	if err != nil || len(files) < 4 {
		t.Fatalf("valid plans: %v %v", files, err)
	}
	return append(files, "../examples/plans/starter.yaml")
}

func TestLoadValidPlans(t *testing.T) {
	for _, f := range validPlans(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := comms.LoadPlan(f)
			if err != nil {
				t.Fatalf("LoadPlan: %v", err)
			}
			if p.ID == "" {
				t.Fatal("plan has no ID")
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, f := range validPlans(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := comms.LoadPlan(f)
			if err != nil {
				t.Fatalf("LoadPlan: %v", err)
			}
			for _, enc := range []struct {
				name string
				fn   func(*bytes.Buffer, comms.Plan) error
			}{
				{"yaml", func(b *bytes.Buffer, p comms.Plan) error { return comms.EncodeYAML(b, p) }},
				{"json", func(b *bytes.Buffer, p comms.Plan) error { return comms.EncodeJSON(b, p) }},
			} {
				var buf bytes.Buffer
				if err := enc.fn(&buf, p); err != nil {
					t.Fatalf("encode %s: %v", enc.name, err)
				}
				q, err := comms.DecodePlan(bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatalf("decode %s output: %v\n%s", enc.name, err, buf.String())
				}
				if !reflect.DeepEqual(p, q) {
					t.Errorf("%s round trip changed the plan:\n got %+v\nwant %+v", enc.name, q, p)
				}
			}
		})
	}
}

func TestFeaturesDecoded(t *testing.T) {
	p, err := comms.LoadPlan("testdata/valid/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	policy, _ := p.Activity("policy")
	if policy.Owner != "iso" || !reflect.DeepEqual(policy.How, []string{"email"}) {
		t.Errorf("anchored list not applied: owner %q how %v", policy.Owner, policy.How)
	}
	if got := policy.When.Until; !got.DateOnly || got.String() != "2030-12-31" {
		t.Errorf("until = %v", got)
	}
	if got := policy.When.Rdates[0].String(); got != "2027-01-22T09:00:30" {
		t.Errorf("rdate = %q", got)
	}
	if policy.What.Message != "The policy\nand why it matters" {
		t.Errorf("escaped newline: %q", policy.What.Message)
	}
	follow, _ := p.Activity("follow-up")
	want := comms.Message{Topic: comms.TopicRegulatoryReport, Message: "Amendment", Classification: comms.ClassificationPublic}
	if follow.What != want {
		t.Errorf("merge key: got %+v, want %+v", follow.What, want)
	}
	if p.Approved == nil || p.Approved.Date != (comms.Date{Year: 2026, Month: 1, Day: 5}) {
		t.Errorf("approved = %+v", p.Approved)
	}
	cal, ok := p.Calendar("us-federal")
	if !ok || len(cal.Holidays) != 4 {
		t.Errorf("calendar = %+v", cal)
	}
}

// TestTenDefects: one file with ten different defects gives one error that
// lists all ten, each with its line, column and path.
func TestTenDefects(t *testing.T) {
	_, err := comms.LoadPlan("testdata/invalid/ten-defects.yaml")
	var perr *comms.PlanError
	if !errors.As(err, &perr) {
		t.Fatalf("LoadPlan: got %v, want *PlanError", err)
	}
	if len(perr.Problems) != 10 {
		t.Fatalf("got %d problems, want 10:\n%v", len(perr.Problems), err)
	}
	for _, p := range perr.Problems {
		if !p.Pos.IsValid() || p.Path == "" {
			t.Errorf("problem without line or path: %+v", p)
		}
	}
	golden(t, "testdata/invalid/ten-defects.golden", err.Error())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("output differs from %s:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // "line:col path: message part"
	}{
		{"empty", "", []string{"the plan is empty"}},
		{"not a mapping", "- a\n- b\n", []string{"1:1: expected a mapping, found a list"}},
		{"two documents", "id: a\n---\nid: b\n", []string{"one YAML document"}},
		{"yaml syntax", "id: a\n  b: c\n", []string{"2:4:", "mapping values are not allowed"}},
		{"duplicate key", "id: a\nid: b\n", []string{"2:1: id: \"id\" is given more than once"}},
		{"number for string list", "id: a\nactivities: [{id: x, whom: [1, 2], how: {a: b}}]\n", []string{"2:41: activities[0].how: expected a list, found a mapping", "2:29: activities[0].whom[0]: stakeholder \"1\" is not declared"}},
		{"listed twice", "id: a\nstakeholders: [{id: s}]\nactivities: [{id: x, whom: [s, s]}]\n", []string{"3:32: activities[0].whom[1]: stakeholder \"s\" is listed twice"}},
		{"listed twice in a long list", "id: a\nstakeholders: [{id: s}, {id: t}]\nactivities: [{id: x, whom: [s, t, t, t, t, t, t, t, t, s]}]\n", []string{"activities[0].whom[9]: stakeholder \"s\" is listed twice", "activities[0].whom[2]: stakeholder \"t\" is listed twice"}},
		{"int field", "id: a\nstakeholders: [{id: s, size: many}]\n", []string{"2:30: stakeholders[0].size: expected a whole number, found \"many\""}},
		{"bad date", "id: a\napproved: {date: 2026-02-30}\n", []string{"2:18: approved.date:", "not a date"}},
		{"bad datetime", "id: a\nactivities: [{id: x, when: {rrule: FREQ=DAILY, start: 2026-01-01 09:00}}]\n", []string{"activities[0].when.start:", "not a date-time"}},
		{"missing id", "id: a\nroles: [{name: ISO}]\n", []string{"2:9: roles[0].id: missing"}},
		{"bad id", "id: 'a b'\n", []string{"1:5: id:", "not a valid id"}},
		{"format", "format: ismscomms/v9\nid: a\n", []string{"1:9: format: unsupported format"}},
		{"rrule without start", "id: a\nactivities: [{id: x, when: {rrule: FREQ=DAILY}}]\n", []string{"activities[0].when.start: missing"}},
		{"impossible rule", "id: a\nactivities: [{id: x, when: {rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', start: 2026-01-01T09:00}}]\n", []string{"never matches a date"}},
		{"hourly", "id: a\nactivities: [{id: x, when: {rrule: FREQ=HOURLY, start: 2026-01-01T09:00}}]\n", []string{"at most daily"}},
		{"until in rule", "id: a\nactivities: [{id: x, when: {rrule: 'FREQ=DAILY;UNTIL=20270101', start: 2026-01-01T09:00}}]\n", []string{"write the end of the recurrence in until"}},
		{"count and until", "id: a\nactivities: [{id: x, when: {rrule: 'FREQ=MONTHLY;COUNT=3', start: 2026-01-15T09:00, until: 2026-12-31}}]\n", []string{"activities[0].when.until", "give COUNT or until, not both"}},
		{"until before start", "id: a\nactivities: [{id: x, when: {rrule: FREQ=DAILY, start: 2026-01-01T09:00, until: 2025-01-01}}]\n", []string{"until 2025-01-01 is before start"}},
		{"trigger", "id: a\nactivities: [{id: x, when: {trigger: incident}}]\n", []string{"is not a trigger"}},
		{"self trigger", "id: a\nactivities: [{id: x, when: {trigger: 'activity:x'}}]\n", []string{"its own completion"}},
		{"missing activity trigger", "id: a\nactivities: [{id: x, when: {trigger: 'activity:y'}}]\n", []string{"activity \"y\" is not declared"}},
		{"zero deadline", "id: a\nactivities: [{id: x, when: {trigger: a.b, within: 0h}}]\n", []string{"greater than zero"}},
		{"upper-case unit", "id: a\nactivities: [{id: x, when: {trigger: a.b, within: 72H}}]\n", []string{"lower case"}},
		{"weekend", "id: a\ncalendars: [{id: c, weekend: [sat]}]\n", []string{"calendars[0].weekend[0]"}},
		{"merge of scalar", "id: a\nroles: [{<<: 3, id: r}]\n", []string{"merge key"}},
		{"json syntax", "{\n  \"id\": \"a\",\n  \"roles\": [}\n", []string{"3:13: invalid JSON: invalid character '}'"}},
		{"json trailing", "{\"id\": \"a\"} x", []string{"unexpected data after"}},
		{"json truncated", "{\"id\": \"a\"", []string{"unexpected end"}},
		{"json unknown field", "{\n  \"id\": \"a\",\n  \"rolez\": []\n}", []string{"3:3: rolez: unknown field \"rolez\" (did you mean \"roles\"?)"}},
		{"json duplicate", "{\"id\": \"a\", \"id\": \"b\"}", []string{"1:13: id: \"id\" is given more than once"}},
		{"json type", "{\"id\": \"a\", \"stakeholders\": [{\"id\": \"s\", \"size\": 1.5}]}", []string{"stakeholders[0].size: expected a whole number, found the number 1.5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := comms.DecodePlan(strings.NewReader(tc.in))
			var perr *comms.PlanError
			if !errors.As(err, &perr) {
				t.Fatalf("got %v, want *PlanError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestNumberInMessage: a number is named as it is written.
func TestNumberInMessage(t *testing.T) {
	_, err := comms.DecodePlan(strings.NewReader("{\"id\": \"a\", \"stakeholders\": [{\"id\": \"s\", \"size\": 1.5}]}"))
	if err == nil || !strings.HasSuffix(err.Error(), "found the number 1.5") {
		t.Errorf("got %v", err)
	}
}

func TestIncompleteAccepted(t *testing.T) {
	p, err := comms.LoadPlan("testdata/valid/incomplete.yaml")
	if err != nil {
		t.Fatalf("an incomplete plan must decode: %v", err)
	}
	a := p.Activities[0]
	if len(a.How) != 0 || a.Owner != "" || a.When.Recurring() || a.When.Triggered() {
		t.Errorf("unexpected activity %+v", a)
	}
}

func TestSourcePositions(t *testing.T) {
	_, src, err := comms.LoadPlanSource("testdata/valid/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]comms.Position{
		"activities[1]":              {Line: 37, Column: 5},
		"activities[1].how[0]":       {Line: 41, Column: 23},
		"activities[1].owner":        {Line: 44, Column: 12},
		"activities[1].nonsuch":      {Line: 37, Column: 5}, // nearest enclosing element
		"stakeholders[2].kind":       {Line: 18, Column: 49},
		"activities[2].what.message": {Line: 47, Column: 34}, // given next to a merge key
	}
	for path, want := range tests {
		if got := src.Position(path); got != want {
			t.Errorf("Position(%q) = %v, want %v", path, got, want)
		}
	}
	var nilSource *comms.Source
	if nilSource.Position("id").IsValid() {
		t.Error("a nil Source knows no positions")
	}
}

func TestValidateGoPlan(t *testing.T) {
	p := comms.Plan{
		ID:         "go",
		Roles:      []comms.Role{{ID: "iso"}},
		Activities: []comms.Activity{{ID: "a", Whom: []string{"nobody"}, Owner: "iso"}, {ID: "a"}},
	}
	err := p.Validate()
	var perr *comms.PlanError
	if !errors.As(err, &perr) || len(perr.Problems) != 2 {
		t.Fatalf("Validate = %v, want 2 problems", err)
	}
	if perr.Problems[0].Path != "activities[1].id" || perr.Problems[1].Path != "activities[0].whom[0]" {
		t.Errorf("problems: %+v", perr.Problems)
	}
	if (comms.Plan{ID: "ok"}).Validate() != nil {
		t.Error("a minimal plan is valid")
	}
}

// Hostile input fails fast with bounded memory.
func TestHostileInput(t *testing.T) {
	bomb := "id: a\nx: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = n
	}
	// An alias bomb aimed at a list the plan type does expand.
	deepBomb := "id: a\nroles: &r [{id: x}, {id: y}, {id: z}, {id: w}]\nstakeholders: []\nactivities:\n"
	for i := 0; i < 2000; i++ {
		deepBomb += "  - {id: a" + strings.Repeat("x", i%7) + ", whom: *r}\n"
	}
	tests := map[string]struct {
		in   []byte
		want string
	}{
		"alias bomb":      {[]byte(bomb), "unknown field"},
		"alias expansion": {[]byte(deepBomb), ""},
		"deep yaml":       {[]byte("id: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000)), "1:5: id: expected a string, found a list"},
		"deeper yaml":     {[]byte("id: " + strings.Repeat("[", 10001) + strings.Repeat("]", 10001)), "max depth"},
		"deep block yaml": {[]byte(deepBlock(10000)), ""},
		"deep json":       {[]byte("{\"id\": " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}"), "nested more than 64"},
		"invalid utf-8":   {[]byte("id: a\nname: \xff\xfe\n"), "2:7: invalid UTF-8"},
		"nul bytes":       {[]byte("id: a\x00\n"), ""},
		"huge":            {bytes.Repeat([]byte("# padding line\n"), 50<<20/15), "larger than"},
		"long line":       {append([]byte("id: "), bytes.Repeat([]byte("a"), 3<<20)...), "not a valid id"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := comms.DecodePlan(bytes.NewReader(tc.in))
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("hostile input decoded without error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
				t.Errorf("decoding allocated %d MiB", alloc>>20)
			}
		})
	}
}

func deepBlock(depth int) string {
	var b strings.Builder
	b.WriteString("id: a\nroles:\n")
	for i := 0; i < depth; i++ {
		b.WriteString(strings.Repeat(" ", i+2))
		b.WriteString("- \n")
	}
	return b.String()
}
