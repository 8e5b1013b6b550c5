package oscal_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/evidence/oscal"
	"github.com/ismscomms/ismscomms/matrix"
)

// checkReferences fails t unless every uuid in doc is defined once, every
// "*-uuid" reference names a uuid defined in doc, and every href that is
// a bare fragment "#x" names a back-matter resource of doc. It returns
// how many references it resolved.
func checkReferences(t *testing.T, name string, doc []byte) int {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defined := map[string]int{}
	resources := map[string]bool{}
	type ref struct{ key, value, path string }
	var refs []ref
	var walk func(v any, path string, inResources bool)
	walk = func(v any, path string, inResources bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				s, isString := x.(string)
				switch {
				case k == "uuid" && isString:
					defined[s]++
					if inResources {
						resources[s] = true
					}
				case strings.HasSuffix(k, "-uuid") && isString:
					refs = append(refs, ref{k, s, path + "/" + k})
				case k == "href" && isString && strings.HasPrefix(s, "#"):
					refs = append(refs, ref{k, s, path + "/" + k})
				}
				walk(x, path+"/"+k, false)
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", path, i), strings.HasSuffix(path, "/back-matter/resources"))
			}
		}
	}
	walk(v, "", false)
	for u, n := range defined {
		if n > 1 {
			t.Errorf("%s: uuid %s is defined %d times", name, u, n)
		}
	}
	for _, r := range refs {
		if r.key == "href" {
			if !resources[r.value[1:]] {
				t.Errorf("%s: %s %q names no back-matter resource", name, r.path, r.value)
			}
		} else if defined[r.value] == 0 {
			t.Errorf("%s: %s %s is defined nowhere in the document", name, r.path, r.value)
		}
	}
	return len(refs)
}

// Every *-uuid and every #href of both documents resolves within the
// document, and no uuid is defined twice: for the example's year, the
// small plan, and with options.
func TestReferencesResolve(t *testing.T) {
	opts := oscal.Options{Title: "Acme 2026", Party: "Acme Corp GmbH", ImportAP: "https://grc.example/ap/2026.json", PlanHref: "plans/starter.yaml", DocumentVersion: "2026.1"}
	for name, rep := range map[string]*evidence.Assessment{"year": yearAssessment(t), "small": small(t, true)} {
		for _, o := range []oscal.Options{{}, opts} {
			ar, err := oscal.AssessmentResults(rep, o)
			if err != nil {
				t.Fatal(err)
			}
			pm, err := oscal.POAM(rep, o)
			if err != nil {
				t.Fatal(err)
			}
			if n := checkReferences(t, name+" assessment results", ar); n < 5 {
				t.Errorf("%s assessment results: only %d references found: the walk looks in the wrong place", name, n)
			}
			if n := checkReferences(t, name+" POA&M", pm); n < 3 {
				t.Errorf("%s POA&M: only %d references found", name, n)
			}
		}
	}
}

// Two plan-check findings with the same rule, subject and path get UUIDs
// of their own, and the first keeps the UUID it has alone. An info
// finding is an observation, not a finding that the plan fails.
func TestCheckUUIDsAndSeverity(t *testing.T) {
	base := yearAssessment(t)
	rep := *base
	rep.Checks.Findings = slices.Clone(base.Checks.Findings)
	var info, other *matrix.Finding
	for i, f := range rep.Checks.Findings {
		switch {
		case f.Severity == matrix.SeverityInfo && info == nil:
			info = &rep.Checks.Findings[i]
		case f.Severity != matrix.SeverityInfo && other == nil:
			other = &rep.Checks.Findings[i]
		}
	}
	if info == nil || other == nil {
		t.Fatal("the example's plan needs an info and another finding")
	}
	dup := *other
	dup.Message = "the same rule and subject again"
	rep.Checks.Findings = append(rep.Checks.Findings, dup)
	before, err := oscal.AssessmentResults(base, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ar, err := oscal.AssessmentResults(&rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkReferences(t, "duplicate check findings", ar)
	validate(t, "duplicate check findings", ar)
	var got, was arDoc
	if err := json.Unmarshal(ar, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(before, &was); err != nil {
		t.Fatal(err)
	}
	objectives := func(d arDoc) map[string][]string {
		m := map[string][]string{}
		for _, f := range d.AR.Results[0].Findings {
			if f.Target.Type == "objective-id" {
				m[f.Target.TargetID] = append(m[f.Target.TargetID], f.UUID)
			}
		}
		return m
	}
	g, w := objectives(got), objectives(was)
	if len(g[other.Rule]) != 2 || len(w[other.Rule]) != 1 || g[other.Rule][0] != w[other.Rule][0] {
		t.Errorf("%s: findings %v with the duplicate, %v without: want the first UUID kept and a second one", other.Rule, g[other.Rule], w[other.Rule])
	}
	if len(g[info.Rule]) != 0 {
		t.Errorf("info finding %s exported as a finding", info.Rule)
	}
	found := false
	for _, o := range got.AR.Results[0].Observations {
		if propOf(o.Props, "rule") == info.Rule && propOf(o.Props, "severity") == "info" {
			found = true
		}
	}
	if !found {
		t.Errorf("info finding %s: no observation", info.Rule)
	}
}

// A drill that answered an occurrence is evidence of it: an observation
// naming the drill and when it was held, on time and late, and never
// "No record". A late-held occurrence is still a late finding, related
// to that observation.
func TestHeldAsDrill(t *testing.T) {
	base := yearAssessment(t)
	rep := *base
	rep.Occurrences = slices.Clone(base.Occurrences)
	i := slices.IndexFunc(rep.Occurrences, func(o evidence.Occurrence) bool { return o.HeldAs != "" })
	if i < 0 {
		t.Fatal("the example's year has no occurrence held as a drill")
	}
	for _, late := range []bool{false, true} {
		if late {
			o := &rep.Occurrences[i]
			o.Status, o.Delay = evidence.StatusLate, 48*time.Hour
			o.HeldAt = o.Due.Add(o.Delay)
		}
		o := rep.Occurrences[i]
		ar, err := oscal.AssessmentResults(&rep, oscal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "held as drill", ar)
		checkReferences(t, "held as drill", ar)
		var d arDoc
		if err := json.Unmarshal(ar, &d); err != nil {
			t.Fatal(err)
		}
		due := o.Due.UTC().Format(time.RFC3339Nano)
		var held []string
		for _, ob := range d.AR.Results[0].Observations {
			if propOf(ob.Props, "activity-id") != o.ActivityID || propOf(ob.Props, "due") != due {
				continue
			}
			if propOf(ob.Props, "held-as") != o.HeldAs || propOf(ob.Props, "held-at") != o.HeldAt.UTC().Format(time.RFC3339Nano) {
				t.Errorf("late=%v: observation of %s due %s does not say it was held as %s at %s: %v", late, o.ActivityID, due, o.HeldAs, o.HeldAt, ob.Props)
			}
			held = append(held, ob.UUID)
		}
		if len(held) != 1 {
			t.Fatalf("late=%v: %d observations of %s due %s, want 1", late, len(held), o.ActivityID, due)
		}
		if bytes.Contains(ar, []byte("No record: "+o.Activity)) {
			t.Errorf("late=%v: a \"No record\" observation for the drill-held %s", late, o.ActivityID)
		}
		var fs []string
		for _, f := range d.AR.Results[0].Findings {
			if f.Target.TargetID == o.ActivityID && propOf(f.Props, "due") == due {
				fs = append(fs, f.Title)
				if propOf(f.Props, "status") != "late" || len(f.RelatedObservations) != 1 || f.RelatedObservations[0].ObservationUUID != held[0] {
					t.Errorf("finding %q: status %q, related %v, want late and %s", f.Title, propOf(f.Props, "status"), f.RelatedObservations, held[0])
				}
			}
		}
		if want := map[bool]int{false: 0, true: 1}[late]; len(fs) != want {
			t.Errorf("late=%v: findings %v, want %d", late, fs, want)
		}
		if pm, err := oscal.POAM(&rep, oscal.Options{}); err != nil || bytes.Contains(pm, []byte(o.HeldAs)) {
			t.Errorf("late=%v: the POA&M (%v) names the drill: a held drill is nothing to remediate", late, err)
		}
	}
}

// Options are checked: an href that is not a URI reference, and an
// ImportAP fragment naming nothing, are ErrInvalid; white space around
// an option is trimmed, and an option that is only white space takes its
// default.
func TestOptions(t *testing.T) {
	rep := small(t, true)
	for _, o := range []oscal.Options{
		{PlanHref: "a b\x01"}, {PlanHref: "plan file.yaml"}, {PlanHref: "%zz"}, {PlanHref: "1http://x"}, {PlanHref: "a#b#c"},
		{ImportAP: "#does-not-exist"}, {PlanHref: "#nowhere"}, {ImportAP: "https://grc.example/ap\u00e4.json"}, {ImportAP: "\x00"},
	} {
		if _, err := oscal.AssessmentResults(rep, o); !errors.Is(err, oscal.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", o, err)
		}
	}
	def, err := oscal.AssessmentResults(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var d arDoc
	if err := json.Unmarshal(def, &d); err != nil {
		t.Fatal(err)
	}
	for _, o := range []oscal.Options{
		{ImportAP: d.AR.ImportAP.Href}, {ImportAP: "#" + d.AR.BackMatter.Resources[1].UUID},
		{PlanHref: " plans/starter.yaml\n", ImportAP: "\ufeffhttps://grc.example/ap.json?x=1#y\u2028"},
		{PlanHref: "./a:b/%41", ImportAP: "urn:uuid:0d630eff-8ffc-571c-b441-e6a3602085ea"},
		{Title: "\ufeff", Party: "\u2028Acme\ufeff", DocumentVersion: "\u3000"},
	} {
		b, err := oscal.AssessmentResults(rep, o)
		if err != nil {
			t.Errorf("%+q: %v", o, err)
			continue
		}
		validate(t, fmt.Sprintf("%+q", o), b)
		checkReferences(t, fmt.Sprintf("%+q", o), b)
	}
}

// hostileRunes are what text may hold that OSCAL's patterns read
// otherwise than Go: ECMA-262 white space and line terminators that Go's
// unicode.IsSpace lacks or adds, controls, format characters, invalid
// UTF-8, and ordinary letters.
var hostileRunes = []string{
	" ", "\t", "\n", "\r", "\v", "\f", "\u0085", "\u00a0", "\u1680", "\u2000", "\u200a", "\u200b", "\u2028", "\u2029",
	"\u202f", "\u205f", "\u3000", "\ufeff", "\u180e", "\u202e", "\u2066", "\x00", "\x1b", "\x7f", "\xff", "\xc3", "\U0001f600",
	"a", "Z", "ä", "1", ".", "#", "%", "[", "*", "_", "<", "\\", "\"",
}

func hostileString(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(8) {
		b.WriteString(hostileRunes[rng.IntN(len(hostileRunes))])
	}
	return b.String()
}

// exportHostile puts org, subject and note into the small plan's
// organization, records and options, and fails t unless both documents
// validate against the schema and resolve their references.
func exportHostile(t *testing.T, org, subject, note, href string) {
	t.Helper()
	rep := small(t, true)
	rep.Organization = org
	for i := range rep.AdHoc {
		rep.AdHoc[i].Subject, rep.AdHoc[i].Note, rep.AdHoc[i].Channel = subject, note, note
		rep.AdHoc[i].Audiences = []string{subject}
	}
	for i := range rep.Occurrences {
		if r := rep.Occurrences[i].Record; r != nil {
			c := *r
			c.Subject, c.Note = subject, note
			rep.Occurrences[i].Record = &c
		}
	}
	text := oscal.Options{Party: org, Title: subject, DocumentVersion: note}
	for _, o := range []oscal.Options{{}, text, {PlanHref: href, ImportAP: href}} {
		for kind, f := range map[string]func(*evidence.Assessment, oscal.Options) ([]byte, error){"assessment results": oscal.AssessmentResults, "POA&M": oscal.POAM} {
			b, err := f(rep, o)
			if o.PlanHref != "" && errors.Is(err, oscal.ErrInvalid) {
				continue // an href that is not a URI reference: refused
			}
			if err != nil {
				t.Fatalf("%s of %q, %q, %q, options %+q: %v", kind, org, subject, note, o, err)
			}
			name := fmt.Sprintf("%s of %+q, %+q, %+q, options %+q", kind, org, subject, note, o)
			validate(t, name, b)
			checkReferences(t, name, b)
		}
	}
}

// Property: text that a plan or a record may hold never makes a document
// that the schema refuses.
func TestHostileTextProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	n := 60
	if testing.Short() {
		n = 10
	}
	for range n {
		exportHostile(t, hostileString(rng), hostileString(rng), hostileString(rng), hostileString(rng))
		if t.Failed() {
			return
		}
	}
}

func FuzzHostileText(f *testing.F) {
	f.Add("Acme\ufeff", "\ufeffsubject", "a\rb", "#x")
	f.Add("\u2028", "a\u2029b", "\u0085", "plans/x.yaml")
	f.Add("\x00Acme", "\u00a0", "\u3000v1", "https://grc.example/a b")
	f.Fuzz(func(t *testing.T, org, subject, note, href string) {
		if len(org)+len(subject)+len(note)+len(href) > 4096 {
			return
		}
		exportHostile(t, org, subject, note, href)
	})
}
