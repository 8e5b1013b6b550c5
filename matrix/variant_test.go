package matrix_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

func TestStarterGDPRNIS2FileEqualsGo(t *testing.T) {
	p, err := comms.LoadPlan("../examples/plans/starter-gdpr-nis2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := matrix.StarterGDPRNIS2(); !reflect.DeepEqual(p, want) {
		t.Errorf("examples/plans/starter-gdpr-nis2.yaml and matrix.StarterGDPRNIS2() differ:\nfile: %+v\nGo:   %+v", p, want)
	}
}

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
	if r := matrix.Check(p, matrix.At(ref), matrix.Profile("nonesuch")); !r.Has("REG-MISSING") {
		t.Error("an unknown profile must be reported")
	}
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
