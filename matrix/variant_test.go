package matrix_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

// The GDPR+NIS2 example plan passes its profiles; removing its NIS2 final
// report activity produces REG-MISSING naming nis2-final.
func TestStarterGDPRNIS2PassesProfiles(t *testing.T) {
	p := matrix.StarterGDPRNIS2()
	r := matrix.Check(p, matrix.At(ref), matrix.Profile("gdpr"), matrix.Profile("nis2"))
	if r.Count(matrix.SeverityError)+r.Count(matrix.SeverityWarning) != 0 {
		t.Fatalf("findings: %v", r.Findings)
	}
	p.Activities = slices.DeleteFunc(p.Activities, func(a comms.Activity) bool { return a.ID == "nis2-final-report" })
	r = matrix.Check(p, matrix.At(ref), matrix.Profile("gdpr"), matrix.Profile("nis2"))
	var missing []matrix.Finding
	for _, f := range r.Findings {
		if f.Rule == "REG-MISSING" {
			missing = append(missing, f)
		}
	}
	if len(missing) != 1 || !strings.Contains(missing[0].Message, "nis2-final") || r.OK() {
		t.Errorf("without the final report: %+v", missing)
	}
	// The plain starter plan fails the profiles.
	r = matrix.Check(matrix.Starter(), matrix.At(ref), matrix.Profile("gdpr"), matrix.Profile("nis2"))
	if n := len(r.Findings); !r.Has("REG-MISSING") || r.OK() || n < 6 {
		t.Errorf("the starter plan has no legal activities; findings %d", n)
	}
	if r := matrix.Check(p, matrix.At(ref), matrix.Profile("nonesuch")); !r.Has("REG-UNKNOWN") || r.OK() {
		t.Error("an unknown profile must be reported")
	}
}

// TestPlanProfiles: the profiles a plan declares are checked without being
// asked for; Profile adds to them, a profile named twice is checked once,
// and an unknown one in the plan is an error at its place in the file,
// with the built-in checks and without them.
func TestPlanProfiles(t *testing.T) {
	p := matrix.StarterGDPRNIS2()
	if !slices.Equal(p.Profiles, []string{"gdpr", "nis2"}) {
		t.Fatalf("the GDPR + NIS2 starter declares %q", p.Profiles)
	}
	bare := matrix.Check(p, matrix.At(ref))
	explicit := matrix.Check(p, matrix.At(ref), matrix.Profile("gdpr"), matrix.Profile("nis2"))
	if !reflect.DeepEqual(bare, explicit) || !bare.OK() {
		t.Errorf("declared and explicit profiles differ:\n%v\n%v", bare.Findings, explicit.Findings)
	}
	// The plan's profiles bite: without the NIS2 final report the plan
	// fails, unasked.
	broken := p
	broken.Activities = slices.DeleteFunc(slices.Clone(p.Activities), func(a comms.Activity) bool { return a.ID == "nis2-final-report" })
	r := matrix.Check(broken, matrix.At(ref))
	if !r.Has("REG-MISSING") || r.OK() {
		t.Errorf("a plan that declares nis2 and lacks its final report passes: %v", r.Findings)
	}
	// Profile adds: dora is required on top of the plan's own.
	if r := matrix.Check(p, matrix.At(ref), matrix.Profile("dora")); !r.Has("REG-MISSING") || countRule(r, "REG-MISSING") != 4 {
		t.Errorf("dora on top: %d REG-MISSING", countRule(r, "REG-MISSING"))
	}
	// Named twice, in the plan and by the caller, or twice by the caller:
	// checked once.
	broken.Profiles = []string{"nis2"}
	once := countRule(matrix.Check(broken, matrix.At(ref)), "REG-MISSING")
	twice := countRule(matrix.Check(broken, matrix.At(ref), matrix.Profile("nis2"), matrix.Profile("nis2")), "REG-MISSING")
	if once != 1 || twice != 1 {
		t.Errorf("nis2 once: %d REG-MISSING, named three times: %d", once, twice)
	}

	// An unknown name in the plan: REG-UNKNOWN at profiles[1], with its
	// line, under Only too (no built-in check may be needed to see it).
	src := "format: ismscomms/v1\nid: p\nprofiles: [gdpr, gdrp]\n"
	q, s, err := comms.DecodePlanSource(strings.NewReader(src), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]matrix.CheckOption{nil, {matrix.Only()}} {
		r := matrix.Check(q, append(opts, matrix.At(ref), matrix.WithSource(s))...)
		var unknown []matrix.Finding
		for _, f := range r.Findings {
			if f.Rule == "REG-UNKNOWN" {
				unknown = append(unknown, f)
			}
		}
		if len(unknown) != 1 || unknown[0].Path != "profiles[1]" || unknown[0].Pos.Line != 3 || unknown[0].Pos.Column != 18 ||
			!strings.Contains(unknown[0].Message, `"gdrp"`) || unknown[0].Severity != matrix.SeverityError || r.OK() {
			t.Errorf("an unknown profile in the plan (%d options): %+v", len(opts), unknown)
		}
		if !r.Has("REG-MISSING") {
			t.Errorf("the known profile next to it was not checked")
		}
	}
	// Given to Check, an unknown profile has no place in the file.
	r = matrix.Check(q, matrix.At(ref), matrix.Profile("gdrp"))
	for _, f := range r.Findings {
		if f.Rule == "REG-UNKNOWN" && f.Path != "profiles[1]" {
			t.Errorf("the plan's and the caller's gdrp are one finding: %+v", f)
		}
	}
}

func countRule(r matrix.Report, rule string) int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == rule {
			n++
		}
	}
	return n
}

func TestProfileRules(t *testing.T) {
	p := matrix.StarterGDPRNIS2()
	set := func(id string, f func(*comms.Activity)) {
		for i := range p.Activities {
			if p.Activities[i].ID == id {
				f(&p.Activities[i])
			}
		}
	}
	set("nis2-final-report", func(a *comms.Activity) { a.When.Trigger = "incident.aware" })
	set("nis2-early-warning", func(a *comms.Activity) { a.When.Within = "2d" })
	set("gdpr-breach-notification", func(a *comms.Activity) { a.Whom = []string{"customers"} })
	r := matrix.Check(p, matrix.At(ref), matrix.Profile("gdpr"), matrix.Profile("nis2"))
	got := map[string]string{}
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, "REG-") {
			got[f.Rule] = f.Subject.ID + ": " + f.Message
		}
	}
	for rule, want := range map[string]string{
		"REG-WRONG-TRIGGER":  "nis2-final-report: Activity \"NIS2 Final Report\" fulfils nis2-final, whose clock starts at submitted:nis2-notification, but is triggered by \"incident.aware\".",
		"REG-LATE":           "nis2-early-warning: Activity \"NIS2 Early Warning\" allows 2d, but nis2-early-warning must be met within 24h",
		"REG-WRONG-AUDIENCE": "gdpr-breach-notification: Activity \"Personal Data Breach Notification (GDPR Art. 33)\" fulfils gdpr-art33 but reaches no supervisory authority",
	} {
		if !strings.HasPrefix(got[rule], want) {
			t.Errorf("%s:\n got %q\nwant %q…", rule, got[rule], want)
		}
	}
}
