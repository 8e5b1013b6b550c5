package matrix_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

var ref = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func load(t *testing.T, path string) (comms.Plan, *comms.Source) {
	t.Helper()
	p, src, err := comms.LoadPlanSource(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p, src
}

func ruleIDs(fs []matrix.Finding, withInfo bool) []string {
	var ids []string
	for _, f := range fs {
		if (withInfo || f.Severity != matrix.SeverityInfo) && !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

func TestStarterIsClean(t *testing.T) {
	r := matrix.Check(matrix.Starter(), matrix.At(ref))
	if r.Count(matrix.SeverityError) != 0 || r.Count(matrix.SeverityWarning) != 0 || !r.OK() {
		var buf bytes.Buffer
		r.WriteText(&buf, matrix.TextOptions{})
		t.Fatalf("Starter has errors or warnings:\n%s", buf.String())
	}
	// And it stays clean for years: nothing in it expires.
	if r := matrix.Check(matrix.Starter(), matrix.At(ref.AddDate(5, 0, 0))); r.Count(matrix.SeverityWarning)+r.Count(matrix.SeverityError) != 0 {
		t.Errorf("Starter has findings in 2031: %v", ruleIDs(r.Findings, false))
	}
}

// For every rule, a minimal plan that triggers it and one that does not.
func TestRuleExamples(t *testing.T) {
	for _, info := range matrix.Checks() {
		t.Run(info.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", "rules", info.ID)
			fail, _ := load(t, filepath.Join(dir, "fail.yaml"))
			pass, _ := load(t, filepath.Join(dir, "pass.yaml"))
			opts := ruleOptions(t, dir)
			r := matrix.Check(fail, opts...)
			if !r.Has(info.ID) {
				t.Errorf("fail.yaml does not trigger %s; findings: %v", info.ID, ruleIDs(r.Findings, true))
			}
			for _, f := range r.Findings {
				if f.Rule == info.ID && (f.Severity != info.Severity || f.Clause != info.Clause || f.Message == "" || f.Hint == "") {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if r := matrix.Check(pass, opts...); r.Has(info.ID) {
				t.Errorf("pass.yaml triggers %s: %+v", info.ID, r.Findings)
			}
		})
	}
	dirs, _ := filepath.Glob("testdata/rules/*")
	if len(dirs) != len(matrix.Checks()) {
		t.Errorf("%d rule directories for %d rules", len(dirs), len(matrix.Checks()))
	}
}

// ruleOptions reads the profile a rule's examples are checked under, from
// the directory's "profile" file.
func ruleOptions(t *testing.T, dir string) []matrix.CheckOption {
	opts := []matrix.CheckOption{matrix.At(ref)}
	if b, err := os.ReadFile(filepath.Join(dir, "profile")); err == nil {
		for _, p := range strings.Fields(string(b)) {
			opts = append(opts, matrix.Profile(p))
		}
	}
	return opts
}

// A plan that breaks ten rules gets all ten, in a stable order, each
// pointing at the right subject and line.
func TestTenRules(t *testing.T) {
	p, src := load(t, "testdata/ten-rules.yaml")
	r := matrix.Check(p, matrix.At(ref), matrix.WithSource(src))
	want := []string{"CMX-WHAT", "CMX-WHEN", "CMX-HOW", "CMX-WHO", "CHANNEL-REACH", "CHANNEL-SECURITY",
		"CMX-DEAD-RULE", "CRISIS", "STAKEHOLDER-UNREACHED", "PLAN-REVIEW"}
	if got := ruleIDs(r.Findings, false); !slices.Equal(got, want) {
		t.Fatalf("rules:\n got %v\nwant %v", got, want)
	}
	// Each defect is marked "# RULE" in the file; each finding's subject
	// starts at most a few lines before the marker, and the finding points
	// into that subject.
	lines := strings.Split(string(mustRead(t, "testdata/ten-rules.yaml")), "\n")
	for _, f := range r.Findings {
		if f.Severity == matrix.SeverityInfo {
			continue
		}
		marker := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "# "+f.Rule) }) + 1
		start := src.Position(f.Subject.Path).Line
		if f.Subject.Path == "" {
			start = f.Pos.Line
		}
		if marker == 0 || !f.Pos.IsValid() || marker < start || marker > start+10 || f.Pos.Line < start || f.Pos.Line > start+10 {
			t.Errorf("%s about %s points at line %d; its defect is marked on line %d", f.Rule, f.Subject, f.Pos.Line, marker)
		}
	}
	var text bytes.Buffer
	if err := r.WriteText(&text, matrix.TextOptions{File: "ten-rules.yaml"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/ten-rules.txt", text.Bytes())
	// Stable: the same input gives the same output.
	var again bytes.Buffer
	matrix.Check(p, matrix.At(ref), matrix.WithSource(src)).WriteText(&again, matrix.TextOptions{File: "ten-rules.yaml"})
	if !bytes.Equal(text.Bytes(), again.Bytes()) {
		t.Error("two checks of the same plan differ")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWaivers(t *testing.T) {
	p := matrix.Starter()
	i := slices.IndexFunc(p.Activities, func(a comms.Activity) bool { return a.ID == "crisis" })
	p.Activities[i].Spokesperson = ""
	p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: "partners", Name: "Partners", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindPartners})

	r := matrix.Check(p, matrix.At(ref))
	if !r.Has("CRISIS") || !r.Has("STAKEHOLDER-UNREACHED") {
		t.Fatalf("setup: %v", ruleIDs(r.Findings, false))
	}
	// A waiver in the plan, one as an option, one without a reason (not
	// applied) and one that has expired (not applied).
	p.Waivers = []comms.Waiver{
		{Rule: "CRISIS", Reason: "The group's crisis plan covers us", By: "ciso"},
		{Rule: "STAKEHOLDER-UNREACHED", Subject: "partners", Reason: "Onboarding next quarter", Until: comms.Date{Year: 2026, Month: 6, Day: 30}},
	}
	r = matrix.Check(p, matrix.At(ref), matrix.Waive("STAKEHOLDER-UNREACHED", "partners", ""))
	var crisis, unreached matrix.Finding
	for _, f := range r.Findings {
		switch f.Rule {
		case "CRISIS":
			crisis = f
		case "STAKEHOLDER-UNREACHED":
			unreached = f
		}
	}
	if !crisis.Waived || crisis.WaiverReason != "The group's crisis plan covers us" {
		t.Errorf("CRISIS not waived: %+v", crisis)
	}
	if unreached.Waived {
		t.Errorf("an expired or reason-less waiver was applied: %+v", unreached)
	}
	r = matrix.Check(p, matrix.At(ref), matrix.Waive("STAKEHOLDER-UNREACHED", "partners", "Onboarding in 2027"))
	if r.Has("STAKEHOLDER-UNREACHED") || r.Has("CRISIS") || r.Count(matrix.SeverityWarning) != 0 {
		t.Errorf("waivers: %v", ruleIDs(r.Findings, false))
	}
	// Waived findings stay in the report.
	n := 0
	for _, f := range r.Findings {
		if f.Waived {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d waived findings in the report, want 2", n)
	}
	// An error can be waived, and OK follows.
	p2 := matrix.Starter()
	p2.Activities[0].Owner = ""
	if matrix.Check(p2, matrix.At(ref)).OK() {
		t.Fatal("setup: no owner is an error")
	}
	if !matrix.Check(p2, matrix.At(ref), matrix.Waive("CMX-WHO", "policy", "Owner being appointed")).OK() {
		t.Error("a waived error still fails OK")
	}
}

type wordRule struct{}

func (wordRule) Info() matrix.CheckInfo {
	return matrix.CheckInfo{ID: "ACME-NO-JARGON", Severity: matrix.SeverityWarning, Clause: "7.4", Title: "Key messages avoid jargon"}
}

func (wordRule) Check(c *matrix.Context) []matrix.Finding {
	var out []matrix.Finding
	for i, a := range c.Plan.Activities {
		if strings.Contains(a.What.Message, "synergy") {
			out = append(out, c.ActivityFinding(i, "jargon in the key message", "say it plainly"))
		}
	}
	return out
}

func TestOptions(t *testing.T) {
	p := matrix.Starter()
	p.Activities[0].What.Message = "Policy synergy"
	p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: "partners", Kind: comms.StakeholderKindPartners})

	r := matrix.Check(p, matrix.At(ref), matrix.WithChecker(wordRule{}), matrix.WithSeverity("STAKEHOLDER-UNREACHED", matrix.SeverityError))
	var custom, unreached *matrix.Finding
	for i, f := range r.Findings {
		switch f.Rule {
		case "ACME-NO-JARGON":
			custom = &r.Findings[i]
		case "STAKEHOLDER-UNREACHED":
			unreached = &r.Findings[i]
		}
	}
	if custom == nil || custom.Severity != matrix.SeverityWarning || custom.Clause != "7.4" || custom.Subject.ID != "policy" {
		t.Errorf("custom rule: %+v", custom)
	}
	if unreached == nil || unreached.Severity != matrix.SeverityError || r.OK() {
		t.Errorf("severity override: %+v", unreached)
	}
	if r.Findings[0].Rule != "STAKEHOLDER-UNREACHED" {
		t.Errorf("errors come first: %v", ruleIDs(r.Findings, true))
	}
	only := matrix.Check(p, matrix.At(ref), matrix.Only(), matrix.WithChecker(wordRule{}))
	if got := ruleIDs(only.Findings, true); !slices.Equal(got, []string{"ACME-NO-JARGON"}) {
		t.Errorf("Only: %v", got)
	}
}

// A plan built in Go and never validated gets findings, not a panic.
func TestCheckUnvalidatedPlan(t *testing.T) {
	p := comms.Plan{
		ID:       "go",
		TimeZone: "Mars/Olympus",
		Activities: []comms.Activity{{
			ID: "a", What: comms.Message{Topic: "policy", Message: "m", Classification: "top-secret"},
			Whom: []string{"ghost"}, How: []string{"fax"}, Owner: "nobody", Support: []string{"nobody-else"},
			When: comms.Timing{RRule: "FREQ=SOMETIMES", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}}},
		}, {ID: "b", When: comms.Timing{Trigger: "incident.aware", Within: "soon"}}},
	}
	r := matrix.Check(p, matrix.At(ref))
	for _, want := range []string{"CMX-WHOM", "CMX-HOW", "CMX-WHO", "CMX-WHEN"} {
		if !r.Has(want) {
			t.Errorf("no %s finding: %v", want, ruleIDs(r.Findings, true))
		}
	}
	var paths []string
	for _, f := range r.Findings {
		paths = append(paths, f.Path)
	}
	for _, want := range []string{"activities[0].whom[0]", "activities[0].how[0]", "activities[0].owner", "activities[0].support[0]", "activities[0].when.rrule", "activities[1].when.within"} {
		if !slices.Contains(paths, want) {
			t.Errorf("no finding at %s: %v", want, paths)
		}
	}
}

func TestJSONOutput(t *testing.T) {
	p, src := load(t, "testdata/ten-rules.yaml")
	r := matrix.Check(p, matrix.At(ref), matrix.WithSource(src), matrix.Waive("CRISIS", "", "Group plan"))
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/ten-rules.json", buf.Bytes())
	var back matrix.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Findings) != len(r.Findings) || back.Findings[0] != r.Findings[0] {
		t.Errorf("JSON does not decode back: %v", err)
	}
	buf.Reset()
	matrix.Check(matrix.Starter(), matrix.At(ref), matrix.Only()).WriteJSON(&buf)
	if !strings.Contains(buf.String(), `"findings": []`) {
		t.Errorf("an empty report has findings: [] — got %s", buf.String())
	}
}

// The SARIF output validates against the SARIF 2.1.0 schema.
func TestSARIF(t *testing.T) {
	c := jsonschema.NewCompiler()
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(mustRead(t, "testdata/sarif/sarif-schema-2.1.0.json")))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("sarif.json", schema); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	p, src := load(t, "testdata/ten-rules.yaml")
	for _, tc := range []struct {
		name string
		r    matrix.Report
		o    matrix.SARIFOptions
	}{
		{"findings", matrix.Check(p, matrix.At(ref), matrix.WithSource(src), matrix.Waive("CRISIS", "", "Group plan"), matrix.WithChecker(wordRule{})), matrix.SARIFOptions{URI: "plans/ten-rules.yaml", ToolVersion: "v0.1.0"}},
		{"clean", matrix.Check(matrix.Starter(), matrix.At(ref)), matrix.SARIFOptions{URI: "starter.yaml"}},
		{"no uri", matrix.Check(p, matrix.At(ref)), matrix.SARIFOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.r.WriteSARIF(&buf, tc.o); err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("SARIF output is not valid SARIF 2.1.0: %v\n%s", err, buf.String())
			}
			if tc.name == "findings" {
				out := buf.String()
				for _, want := range []string{`"ruleId": "CMX-HOW"`, `"startLine": 69`, `"uri": "plans/ten-rules.yaml"`, `"justification": "Group plan"`} {
					if !strings.Contains(out, want) {
						t.Errorf("SARIF lacks %s", want)
					}
				}
			}
		})
	}
	// The schema is enforced: a broken log fails.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`))
	if sch.Validate(bad) == nil {
		t.Error("the schema accepts a driver without a name")
	}
}

func TestTextOutputColour(t *testing.T) {
	p := matrix.Starter()
	p.Activities[0].Owner = ""
	var plain, colour bytes.Buffer
	r := matrix.Check(p, matrix.At(ref))
	r.WriteText(&plain, matrix.TextOptions{})
	r.WriteText(&colour, matrix.TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(colour.String(), "\x1b[1;31merror\x1b[0m") {
		t.Errorf("colour only when asked:\n%q\n%q", plain.String(), colour.String())
	}
	if !strings.HasSuffix(plain.String(), "starter: 1 error, 0 warnings, 3 notes\n") {
		t.Errorf("summary: %q", plain.String())
	}
}

// docs/rules.md is generated from the rules and their testdata examples, so
// the reference cannot drift from the code.
func TestRulesReference(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Completeness rules\n\n")
	b.WriteString("`matrix.Check` runs these rules. Their IDs are a contract: they never change meaning, and new rules are added.\n")
	b.WriteString("Each rule names the ISO/IEC 27001:2022 clause or Annex A control it comes from, and shows a minimal plan that\n")
	b.WriteString("fails it and one that passes (from `matrix/testdata/rules`, checked on 2026-11-27). Waive a finding with a\n")
	b.WriteString("written reason in the plan's `waivers:` section or with `matrix.Waive`.\n\n")
	b.WriteString("This file is generated by `go test ./matrix/ -run TestRulesReference -update`.\n\n")
	b.WriteString("| ID | severity | clause | fires when |\n|---|---|---|---|\n")
	for _, r := range matrix.Checks() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Severity, r.Clause, r.Title)
	}
	for _, r := range matrix.Checks() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** · clause %s · %s\n\n%s\n", r.ID, r.Severity, r.Clause, r.Title, r.Doc)
		for _, kind := range []string{"fail", "pass"} {
			path := filepath.Join("testdata", "rules", r.ID, kind+".yaml")
			text := string(mustRead(t, path))
			heading := "Fails"
			if kind == "pass" {
				heading = "Passes"
			}
			fmt.Fprintf(&b, "\n%s:\n\n```yaml\n%s```\n", heading, text)
			if kind == "fail" {
				p, _ := load(t, path)
				opts := ruleOptions(t, filepath.Join("testdata", "rules", r.ID))
				if len(opts) > 1 {
					b.WriteString("\nChecked with the profile named in `testdata/rules/" + r.ID + "/profile`.\n")
				}
				for _, f := range matrix.Check(p, opts...).Findings {
					if f.Rule == r.ID {
						fmt.Fprintf(&b, "\n> %s %s: %s\n> Hint: %s\n", f.Severity, f.Subject, f.Message, f.Hint)
						break
					}
				}
			}
		}
	}
	golden(t, "../docs/rules.md", []byte(b.String()))
}

// TestWithinOverlapCalendar: CMX-WITHIN-OVERLAP counts business days in
// the activity's calendar, as the agenda does (it used the default
// Saturday–Sunday weekend): a weekly Monday meeting due within 5 business
// days is due on Saturday in a calendar whose weekend is Sunday alone,
// before the next Monday, and on the next Monday with the default weekend.
func TestWithinOverlapCalendar(t *testing.T) {
	plan := func(weekend string) comms.Plan {
		p, err := comms.DecodePlan(strings.NewReader(`format: ismscomms/v1
id: wk
timezone: Europe/Berlin
roles: [{id: iso, name: ISO}]
stakeholders: [{id: emp, name: Emp, scope: internal, kind: employees}]
channels: [{id: email, name: Email, kind: email, reach: [internal], max_classification: internal}]
calendars: [{id: cal, weekend: ` + weekend + `}]
activities:
  - id: w
    name: Weekly
    what: {topic: metrics, message: m, classification: internal}
    whom: [emp]
    how: [email]
    when: {rrule: "FREQ=WEEKLY;BYDAY=MO", start: "2026-01-05T09:00", within: 5bd}
    calendar: cal
    owner: iso
`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if r := matrix.Check(plan("[su]"), matrix.At(at)); r.Has("CMX-WITHIN-OVERLAP") {
		t.Errorf("with a Sunday weekend, 5bd from Monday ends on Saturday, before the next Monday: %v", ruleIDs(r.Findings, true))
	}
	if r := matrix.Check(plan("[sa, su]"), matrix.At(at)); !r.Has("CMX-WITHIN-OVERLAP") {
		t.Errorf("with a Saturday–Sunday weekend, 5bd from Monday runs into the next Monday: %v", ruleIDs(r.Findings, true))
	}
}
