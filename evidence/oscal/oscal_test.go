package oscal_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/evidence/oscal"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The published schema, unchanged (see testdata/README.md).
const schemaSHA256 = "27cdecc91ebcd0cae812884e761e12eb1da49d76253b78ff5a143e5a5778b966"

func TestSchemaFile(t *testing.T) {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != schemaSHA256 {
		t.Fatalf("%s has SHA-256 %s, want %s: the file in testdata must stay as published", schemaFile, got, schemaSHA256)
	}
}

func validate(t *testing.T, name string, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", name, err)
	}
	if err := compileOSCAL(t).Validate(v); err != nil {
		t.Errorf("%s does not validate against the OSCAL %s schema: %v", name, oscal.Version, err)
	}
}

// The validator is not a rubber stamp: a document without import-ap, with
// an empty list, with a random non-v4/v5 UUID or with a title-less
// finding, and a string starting with a no-break space (refused by
// ECMA-262's \S, which Go's regexp reads as ASCII), fail.
func TestSchemaRefuses(t *testing.T) {
	rep := yearAssessment(t)
	ar, err := oscal.AssessmentResults(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := compileOSCAL(t)
	for name, mutate := range map[string]func(m map[string]any){
		"no import-ap": func(m map[string]any) { delete(ar1(m), "import-ap") },
		"empty results": func(m map[string]any) {
			ar1(m)["results"] = []any{}
		},
		"uuid v1": func(m map[string]any) { ar1(m)["uuid"] = "6ba7b811-9dad-11d1-80b4-00c04fd430c8" },
		"finding without title": func(m map[string]any) {
			f := ar1(m)["results"].([]any)[0].(map[string]any)["findings"].([]any)[0].(map[string]any)
			delete(f, "title")
		},
		"version with a leading no-break space": func(m map[string]any) {
			ar1(m)["metadata"].(map[string]any)["version"] = "\u00a0v1"
		},
		"bad target state": func(m map[string]any) {
			f := ar1(m)["results"].([]any)[0].(map[string]any)["findings"].([]any)[0].(map[string]any)
			f["target"].(map[string]any)["status"].(map[string]any)["state"] = "failed"
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(ar, &m); err != nil {
				t.Fatal(err)
			}
			mutate(m)
			b, _ := json.Marshal(m)
			v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err := s.Validate(v); err == nil {
				t.Error("validates")
			}
		})
	}
}

func ar1(m map[string]any) map[string]any { return m["assessment-results"].(map[string]any) }

var (
	yearOnce sync.Once
	yearRep  *evidence.Assessment
	yearDir  string
	yearErr  error
)

// yearAssessment is the evidence example's report, built once.
func yearAssessment(t *testing.T) *evidence.Assessment {
	t.Helper()
	yearOnce.Do(func() {
		yearDir, yearErr = os.MkdirTemp("", "ismscomms-oscal-")
		if yearErr != nil {
			return
		}
		st, opts := exampleYear(t, filepath.Join(yearDir, "a.db"))
		yearRep, yearErr = evidence.Build(context.Background(), st, opts)
	})
	if yearErr != nil {
		t.Fatal(yearErr)
	}
	return yearRep
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if yearDir != "" {
		os.RemoveAll(yearDir)
	}
	os.Exit(code)
}

// The evidence example's year exports as assessment results and a POA&M
// that validate against NIST's schema.
func TestExampleYearValidates(t *testing.T) {
	rep := yearAssessment(t)
	if rep.KPIs.Missed == 0 || rep.KPIs.Late == 0 || len(rep.Drills) == 0 {
		t.Fatalf("the example's year has %d missed, %d late, %d drills: the test needs some of each", rep.KPIs.Missed, rep.KPIs.Late, len(rep.Drills))
	}
	ar, err := oscal.AssessmentResults(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "assessment results", ar)
	poam, err := oscal.POAM(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "POA&M", poam)
	// With every option set too.
	opts := oscal.Options{Title: "Acme 2026", Party: "Acme Corp GmbH", ImportAP: "https://grc.example/ap/2026.json", PlanHref: "plans/starter.yaml", DocumentVersion: "2026.1"}
	ar, err = oscal.AssessmentResults(rep, opts)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "assessment results with options", ar)
	if !bytes.Contains(ar, []byte(`"href": "https://grc.example/ap/2026.json"`)) || !bytes.Contains(ar, []byte(`"href": "plans/starter.yaml"`)) {
		t.Error("the options' import-ap or plan href is not in the export")
	}
}

// Re-exporting gives the same bytes: twice from the same assessment, from
// a second report on the same store, and from a store rebuilt with the
// same records.
func TestByteIdentical(t *testing.T) {
	rep := yearAssessment(t)
	ar1, _ := oscal.AssessmentResults(rep, oscal.Options{})
	ar2, _ := oscal.AssessmentResults(rep, oscal.Options{})
	if !bytes.Equal(ar1, ar2) {
		t.Fatal("two exports of the same assessment differ")
	}
	st, opts := exampleYear(t, filepath.Join(t.TempDir(), "b.db"))
	for i, name := range []string{"a second report", "a report on the rebuilt store"} {
		var again *evidence.Assessment
		var err error
		if i == 0 {
			// The first store is yearAssessment's; reopen it.
			again = rebuildFrom(t, rep)
		} else if again, err = evidence.Build(context.Background(), st, opts); err != nil {
			t.Fatal(err)
		}
		ar, err := oscal.AssessmentResults(again, oscal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ar, ar1) {
			t.Errorf("%s exports other bytes: %s", name, firstDiff(ar1, ar))
		}
		p1, _ := oscal.POAM(rep, oscal.Options{})
		p2, _ := oscal.POAM(again, oscal.Options{})
		if !bytes.Equal(p1, p2) {
			t.Errorf("%s: the POA&M differs: %s", name, firstDiff(p1, p2))
		}
	}
}

// rebuildFrom builds the report again from the first store's file.
func rebuildFrom(t *testing.T, rep *evidence.Assessment) *evidence.Assessment {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(yearDir, "a.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	again, err := evidence.Build(context.Background(), st, evidence.BuildOptions{Tenant: rep.Tenant, PlanID: rep.PlanID, From: rep.From, To: rep.To, Now: rep.Now})
	if err != nil {
		t.Fatal(err)
	}
	return again
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return "line " + itoa(i+1) + ": " + string(la[i]) + " | " + string(lb[i])
		}
	}
	return "lengths " + itoa(len(a)) + " and " + itoa(len(b))
}

func itoa(n int) string { return strconv.Itoa(n) }

type arDoc struct {
	AR struct {
		UUID     string `json:"uuid"`
		ImportAP struct {
			Href string `json:"href"`
		} `json:"import-ap"`
		Results []struct {
			Observations []struct {
				UUID  string `json:"uuid"`
				Props []struct {
					Name, Value string
				} `json:"props"`
				RelevantEvidence []struct {
					Description string `json:"description"`
				} `json:"relevant-evidence"`
			} `json:"observations"`
			Findings []struct {
				UUID   string `json:"uuid"`
				Title  string `json:"title"`
				Target struct {
					Type     string `json:"type"`
					TargetID string `json:"target-id"`
					Status   struct {
						State string `json:"state"`
					} `json:"status"`
				} `json:"target"`
				Props []struct {
					Name, Value string
				} `json:"props"`
				RelatedObservations []struct {
					ObservationUUID string `json:"observation-uuid"`
				} `json:"related-observations"`
			} `json:"findings"`
		} `json:"results"`
		BackMatter struct {
			Resources []struct {
				UUID string `json:"uuid"`
			} `json:"resources"`
		} `json:"back-matter"`
	} `json:"assessment-results"`
}

type poamDoc struct {
	POAM struct {
		Findings []struct {
			UUID string `json:"uuid"`
		} `json:"findings"`
		Items []struct {
			Title string `json:"title"`
			Props []struct {
				Name, Value string
			} `json:"props"`
			RelatedFindings []struct {
				FindingUUID string `json:"finding-uuid"`
			} `json:"related-findings"`
		} `json:"poam-items"`
	} `json:"plan-of-action-and-milestones"`
}

func propOf(ps []struct{ Name, Value string }, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Every occurrence judged missed or late is a finding targeting its
// activity, not satisfied, related to an observation in the document;
// every missed one (and every KPIs.Overdue) a POA&M item with that
// finding. import-ap names the plan's back-matter resource.
func TestEveryMissedAndLateExported(t *testing.T) {
	rep := yearAssessment(t)
	arb, _ := oscal.AssessmentResults(rep, oscal.Options{})
	pb, err := oscal.POAM(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ar arDoc
	var pm poamDoc
	if err := json.Unmarshal(arb, &ar); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(pb, &pm); err != nil {
		t.Fatal(err)
	}
	res := ar.AR.Results[0]
	obs := map[string]bool{}
	for _, o := range res.Observations {
		obs[o.UUID] = true
	}
	resources := map[string]bool{}
	for _, r := range ar.AR.BackMatter.Resources {
		resources["#"+r.UUID] = true
	}
	if !resources[ar.AR.ImportAP.Href] {
		t.Errorf("import-ap %q names no back-matter resource", ar.AR.ImportAP.Href)
	}
	type key struct{ activity, due string }
	findings := map[key]string{} // -> status
	for _, f := range res.Findings {
		if f.Target.Status.State != "not-satisfied" {
			t.Errorf("finding %q: state %q", f.Title, f.Target.Status.State)
		}
		for _, r := range f.RelatedObservations {
			if !obs[r.ObservationUUID] {
				t.Errorf("finding %q relates to observation %s, which is not in the document", f.Title, r.ObservationUUID)
			}
		}
		if f.Target.Type == "statement-id" {
			findings[key{f.Target.TargetID, propOf(f.Props, "due")}] = propOf(f.Props, "status")
		}
	}
	items := map[key]bool{}
	poamFindings := map[string]bool{}
	for _, f := range pm.POAM.Findings {
		poamFindings[f.UUID] = true
	}
	for _, it := range pm.POAM.Items {
		items[key{propOf(it.Props, "activity-id"), propOf(it.Props, "due")}] = true
		if len(it.RelatedFindings) != 1 || !poamFindings[it.RelatedFindings[0].FindingUUID] {
			t.Errorf("POA&M item %q: related findings %v not in the POA&M", it.Title, it.RelatedFindings)
		}
	}
	missed, late, lateLegal := 0, 0, 0
	for _, o := range rep.Occurrences {
		k := key{o.ActivityID, o.Due.UTC().Format(time.RFC3339Nano)}
		switch o.Status {
		case evidence.StatusMissed:
			missed++
			if findings[k] != "missed" {
				t.Errorf("missed %s due %s: finding status %q", o.ActivityID, o.Due, findings[k])
			}
			if !items[k] {
				t.Errorf("missed %s due %s: no POA&M item", o.ActivityID, o.Due)
			}
		case evidence.StatusLate:
			late++
			if findings[k] != "late" {
				t.Errorf("late %s due %s: finding status %q", o.ActivityID, o.Due, findings[k])
			}
			legal := o.Record != nil && len(o.Obligations) > 0 && !o.NotInForce
			if legal {
				lateLegal++
			}
			if items[k] != legal {
				t.Errorf("late %s due %s (legal notification %v): POA&M item %v", o.ActivityID, o.Due, legal, items[k])
			}
		}
	}
	for _, o := range rep.KPIs.Overdue {
		if !items[key{o.ActivityID, o.Due.UTC().Format(time.RFC3339Nano)}] {
			t.Errorf("overdue %s due %s: no POA&M item", o.ActivityID, o.Due)
		}
	}
	if len(findings) != missed+late || len(pm.POAM.Items) != missed+lateLegal {
		t.Errorf("%d occurrence findings and %d POA&M items for %d missed and %d late (%d legal notifications)", len(findings), len(pm.POAM.Items), missed, late, lateLegal)
	}
	// Each record shown as evidence is an observation with its hash and
	// sequence number.
	seqs := map[string]string{}
	for _, o := range res.Observations {
		if s := propOf(o.Props, "record-type"); s != "" {
			seqs[o.UUID] = o.RelevantEvidence[0].Description
		}
	}
	n := 0
	for _, o := range rep.Occurrences {
		if o.Record != nil {
			n++
			found := false
			for _, d := range seqs {
				if strings.Contains(d, "Record "+itoa(int(o.Record.Seq))+" ") && strings.Contains(d, o.Record.Hash) {
					found = true
				}
			}
			if !found {
				t.Errorf("record %d (%s): no observation with its sequence number and hash", o.Record.Seq, o.ActivityID)
			}
		}
	}
	if len(seqs) != n+len(rep.AdHoc) {
		t.Errorf("%d record observations for %d occurrence records and %d ad hoc", len(seqs), n, len(rep.AdHoc))
	}
}

// Drills are not real communications: no drill record is an observation,
// and no deadline a drill missed or met late is a finding or a POA&M item.
// A drill is named only where it answered an occurrence of a planned
// drill activity (an observation with the prop held-as).
func TestDrillsNotExported(t *testing.T) {
	rep := yearAssessment(t)
	var drillSeqs []int64
	for _, d := range rep.Drills {
		for _, c := range d.Deadlines {
			if c.Record != nil {
				drillSeqs = append(drillSeqs, c.Record.Seq)
			}
		}
		for _, r := range d.Lessons {
			drillSeqs = append(drillSeqs, r.Seq)
		}
	}
	if len(drillSeqs) == 0 {
		t.Fatal("the example's drill has no records: the test needs some")
	}
	for _, f := range []func(*evidence.Assessment, oscal.Options) ([]byte, error){oscal.AssessmentResults, oscal.POAM} {
		b, err := f(rep, oscal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		held := map[string]bool{}
		propValues(doc, "held-as", held)
		rest, _ := json.Marshal(withoutHeld(doc))
		for _, d := range rep.Drills {
			if bytes.Contains(rest, []byte(d.EventID)) {
				t.Errorf("the export names drill %s outside a held-as observation", d.EventID)
			}
		}
		exported := map[string]bool{}
		propValues(doc, "record-seq", exported)
		if len(exported) == 0 && bytes.Contains(b, []byte("assessment-results")) {
			t.Fatal("no record-seq props found: the test looks in the wrong place")
		}
		for _, seq := range drillSeqs {
			if exported[itoa(int(seq))] {
				t.Errorf("the export holds drill record %d", seq)
			}
		}
		if bytes.Contains(b, []byte("DRILL:")) {
			t.Error("the export holds a drill record's subject")
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := oscal.AssessmentResults(nil, oscal.Options{}); !errors.Is(err, oscal.ErrInvalid) {
		t.Errorf("nil: %v", err)
	}
	if _, err := oscal.POAM(&evidence.Assessment{PlanID: "p"}, oscal.Options{}); !errors.Is(err, oscal.ErrInvalid) {
		t.Errorf("zero Now: %v", err)
	}
	rep := small(t, false)
	if _, err := oscal.POAM(rep, oscal.Options{}); !errors.Is(err, oscal.ErrNothingToRemediate) {
		t.Errorf("nothing missed: %v", err)
	}
	b, err := oscal.AssessmentResults(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "assessment results with nothing missed", b)
}

// small is a plan of two activities over a quarter: one monthly
// communication answered on time, late and not at all (missed is set) or
// on time throughout, and one ad hoc record.
func small(t *testing.T, missed bool) *evidence.Assessment {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	p, err := comms.DecodePlan(strings.NewReader(`format: ismscomms/v1
id: small
organization: Small Org
timezone: Europe/Berlin
roles: [{id: iso, name: Information Security Officer}]
stakeholders: [{id: employees, name: All Employees, scope: internal, kind: employees}]
channels: [{id: email, name: Email, kind: email, reach: [internal], max_classification: internal}]
activities:
  - id: metrics
    name: Security metrics
    what: {topic: metrics, message: "Monthly metrics", classification: internal}
    whom: [employees]
    how: [email]
    when: {rrule: "FREQ=MONTHLY;BYMONTHDAY=5", start: "2026-01-05T09:00", within: 3d}
    owner: iso
`))
	if err != nil {
		t.Fatal(err)
	}
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, berlin) }
	recs := []comms.Record{
		{ActivityID: "metrics", Occurrence: at(1, 5, 9), SentAt: at(1, 5, 11), Channel: "email", Audiences: []string{"employees"}, SenderRole: "iso", Subject: "January metrics"},
		{ActivityID: "metrics", Occurrence: at(2, 5, 9), SentAt: at(2, 12, 9), Channel: "email", Audiences: []string{"employees"}, SenderRole: "iso", Subject: "February metrics"},
		{SentAt: at(2, 20, 10), Channel: "email", Subject: "Phishing warning"},
	}
	if !missed {
		recs[1].SentAt = at(2, 6, 9)
		recs = append(recs, comms.Record{ActivityID: "metrics", Occurrence: at(3, 5, 9), SentAt: at(3, 5, 10), Channel: "email", Audiences: []string{"employees"}, SenderRole: "iso", Subject: "March metrics"})
	}
	prev := ""
	for i := range recs {
		recs[i].Seq = int64(i + 1)
		recs[i].PlanID, recs[i].PlanVersion = "small", 1
		recs[i].RecordedAt = recs[i].SentAt.Add(time.Hour)
		recs[i].PrevHash = prev
		sum := sha256.Sum256([]byte(recs[i].Subject + prev))
		recs[i].Hash = hex.EncodeToString(sum[:])
		prev = recs[i].Hash
	}
	rep, err := evidence.Evaluate(evidence.Input{Tenant: "t1", Plan: p, Records: recs, From: at(1, 1, 0), To: at(4, 1, 0), Now: at(3, 20, 12)})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// A small export is as the golden files say: its UUIDs (version 5 from
// the fixed namespace) and every field are stable across runs and
// releases. go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	rep := small(t, true)
	if rep.KPIs.Missed != 1 || rep.KPIs.Late != 1 || rep.KPIs.AdHoc != 1 {
		t.Fatalf("the small plan has %d missed, %d late, %d ad hoc: want 1 each", rep.KPIs.Missed, rep.KPIs.Late, rep.KPIs.AdHoc)
	}
	ar, err := oscal.AssessmentResults(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pm, err := oscal.POAM(rep, oscal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "small assessment results", ar)
	validate(t, "small POA&M", pm)
	for name, got := range map[string][]byte{"small-ar.json": ar, "small-poam.json": pm} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs (go test -run TestGolden -update, and review the diff): %s", name, firstDiff(want, got))
		}
	}
}

// Text from records is written as OSCAL strings: a subject with line
// breaks, leading blanks and a bidirectional override still validates,
// and the override is spelled out.
func TestHostileText(t *testing.T) {
	rep := small(t, true)
	for i := range rep.AdHoc {
		rep.AdHoc[i].Subject = "  \u202eevil\r\n\tsubject\x1b[31m  "
		rep.AdHoc[i].Channel = "\u00a0"
	}
	b, err := oscal.AssessmentResults(rep, oscal.Options{Party: "\n", DocumentVersion: " v 1 "})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "hostile assessment results", b)
	if bytes.ContainsRune(b, '\u202e') || !bytes.Contains(b, []byte(`\u202e`)) {
		t.Error("the bidirectional override is not spelled out")
	}
}

// propValues adds to out the values of every prop named name in doc.
func propValues(doc any, name string, out map[string]bool) {
	switch v := doc.(type) {
	case map[string]any:
		if v["name"] == name {
			if s, ok := v["value"].(string); ok {
				out[s] = true
			}
		}
		for _, x := range v {
			propValues(x, name, out)
		}
	case []any:
		for _, x := range v {
			propValues(x, name, out)
		}
	}
}

// withoutHeld returns doc without the observations that have a held-as
// prop.
func withoutHeld(doc any) any {
	switch v := doc.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = withoutHeld(x)
		}
		return out
	case []any:
		var out []any
		for _, x := range v {
			if m, ok := x.(map[string]any); ok {
				held := map[string]bool{}
				propValues(m["props"], "held-as", held)
				if len(held) > 0 {
					continue
				}
			}
			out = append(out, withoutHeld(x))
		}
		return out
	}
	return doc
}

// A legal notification sent after its deadline is done but the deadline
// was missed: it gets a POA&M item (with the record's observation), where
// another late communication gets only its finding in the results.
func TestLateLegalNotificationPlanned(t *testing.T) {
	rep := small(t, true)
	var late *evidence.Occurrence
	for i := range rep.Occurrences {
		if rep.Occurrences[i].Status == evidence.StatusLate {
			late = &rep.Occurrences[i]
		}
	}
	if late == nil || late.Record == nil {
		t.Fatal("the small plan has no late occurrence with a record")
	}
	count := func() (items, legal int) {
		b, err := oscal.POAM(rep, oscal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		validate(t, "POA&M", b)
		checkReferences(t, "POA&M", b)
		var pm struct {
			POAM struct {
				Items []struct {
					Title string `json:"title"`
				} `json:"poam-items"`
			} `json:"plan-of-action-and-milestones"`
		}
		if err := json.Unmarshal(b, &pm); err != nil {
			t.Fatal(err)
		}
		for _, it := range pm.POAM.Items {
			if strings.HasPrefix(it.Title, "Late legal notification: ") {
				legal++
			}
		}
		return len(pm.POAM.Items), legal
	}
	if items, legal := count(); items != 1 || legal != 0 {
		t.Fatalf("without obligations: %d items, %d late legal: want the missed one only", items, legal)
	}
	late.Obligations = []string{"gdpr-art33"}
	if items, legal := count(); items != 2 || legal != 1 {
		t.Errorf("a late legal notification: %d items, %d late legal: want 2 and 1", items, legal)
	}
	late.NotInForce = true
	if items, legal := count(); items != 1 || legal != 0 {
		t.Errorf("obligations not in force: %d items, %d late legal: want the missed one only", items, legal)
	}
}

// Plan and record text in OSCAL's markup fields is text, not Markdown:
// emphasis, links, raw HTML, an OSCAL insert, a heading and a list item
// come out escaped, so an OSCAL tool shows them as typed.
func TestMarkupEscaped(t *testing.T) {
	rep := small(t, true)
	for i := range rep.AdHoc {
		rep.AdHoc[i].Subject = "*urgent* [click](https://evil.example) <script>x</script> {{ insert: param, p1 }} _a_ `c`"
	}
	b, err := oscal.AssessmentResults(rep, oscal.Options{Title: "# Heading"})
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "assessment results with Markdown in its text", b)
	var doc struct {
		AR struct {
			Metadata struct {
				Title string `json:"title"`
			} `json:"metadata"`
			Results []struct {
				Observations []struct {
					Title string `json:"title"`
				} `json:"observations"`
			} `json:"results"`
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.AR.Metadata.Title; got != `\# Heading` {
		t.Errorf("metadata title %q: want the heading mark escaped", got)
	}
	want := "Record 3: " + `\*urgent\* \[click\](https://evil.example) \<script\>x\</script\> \{{ insert: param, p1 }} \_a\_ \` + "`c\\`"
	found := false
	for _, o := range doc.AR.Results[0].Observations {
		if strings.HasPrefix(o.Title, "Record 3:") {
			found = true
			if o.Title != want {
				t.Errorf("observation title\n got %s\nwant %s", o.Title, want)
			}
		}
	}
	if !found {
		t.Fatal("no observation of record 3")
	}
}
