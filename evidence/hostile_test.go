package evidence_test

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/safetext"
)

// hostileTexts reads the corpus the matrix writers are tested with.
func hostileTexts(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../matrix/testdata/hostile-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("hostile-text.txt:%d: %v", n, err)
		}
		out = append(out, s)
	}
	return out
}

// poison appends a hostile text to every exported string v holds, except
// fields named in keep.
func poison(v reflect.Value, texts []string, n *int, keep map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			poison(v.Elem(), texts, n, keep)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() && !keep[f.Name] {
				poison(v.Field(i), texts, n, keep)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			poison(v.Index(i), texts, n, keep)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + texts[*n%len(texts)])
			*n++
		}
	}
}

func keep(fields ...string) map[string]bool {
	m := map[string]bool{}
	for _, f := range fields {
		m[f] = true
	}
	return m
}

// hostileReport is a report of a plan with hostile names and messages,
// records with hostile fields (as a store or flags may deliver them, not
// through the plan decoder), and then every string of the report itself
// made hostile, so that any text a writer prints and does not escape
// shows. Fields named in keepInReport are left as Evaluate made them.
func hostileReport(t *testing.T, keepInReport ...string) *evidence.Assessment {
	texts := hostileTexts(t)
	n := 0
	in := input()
	for i := range in.Versions {
		v := &in.Versions[i]
		poison(reflect.ValueOf(&v.Plan), texts, &n, keep("Format", "ID", "TimeZone", "RRule", "Start", "Within", "Trigger", "Whom", "How", "Owner", "Support", "Obligations", "Calendar"))
		v.SavedBy += texts[0]
		v.Note += texts[11]
	}
	for i := range in.Records {
		r := &in.Records[i]
		switch i % 3 {
		case 0: // matched to its occurrence: every text but the references
			poison(reflect.ValueOf(r), texts, &n, keep("PlanID", "Type", "ActivityID", "EventID"))
		case 1: // unmatched: ad hoc, with a hostile activity and event
			poison(reflect.ValueOf(r), texts, &n, keep("PlanID", "Type"))
		case 2: // matched, hostile audiences and sender
			r.Audiences = append(r.Audiences, texts[11], texts[22])
			r.Sender, r.SenderRole, r.Channel = texts[1]+"@x", texts[2], texts[3]
		}
	}
	in.Records[2].Note = "waived\x1b]8;;http://evil\a link \u202egnp.exe" // the waiver's reason
	in.Events = append(in.Events, comms.Event{ID: "inc\x1bc" + texts[11], Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at("2026-11-20 10:00")}}})
	in.Tenant = "tenant" + texts[0]
	rep, err := evidence.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.AdHoc) < 3 || len(rep.Deviations) == 0 || rep.KPIs.Waived != 1 {
		t.Fatalf("the hostile report does not exercise the writers: %d ad hoc, %d deviations, %d waived", len(rep.AdHoc), len(rep.Deviations), rep.KPIs.Waived)
	}
	rep.Chain = evidence.Chain{Checked: true, Seq: 3, Verified: 2, Error: "store: broken " + texts[22]}
	poison(reflect.ValueOf(rep), texts, &n, keep(keepInReport...))
	return rep
}

func rawUnsafe(t *testing.T, what, out string) {
	t.Helper()
	if i := safetext.Index(out, false); i >= 0 {
		r, _ := utf8.DecodeRuneInString(out[i:])
		t.Errorf("%s holds %U raw at byte %d: …%q…", what, r, i, out[max(0, i-60):min(len(out), i+40)])
	}
}

func TestHostileEvidenceWriters(t *testing.T) {
	// Every text hostile, statuses too.
	md, html, js := writeAll(t, hostileReport(t))
	rawUnsafe(t, "Markdown", md)
	rawUnsafe(t, "HTML", html)
	rawUnsafe(t, "JSON", js)

	// Statuses as Evaluate gave them, so that the waiver shows.
	rep := hostileReport(t, "Status", "Type")
	md, html, js = writeAll(t, rep)
	rawUnsafe(t, "Markdown", md)
	rawUnsafe(t, "HTML", html)
	rawUnsafe(t, "JSON", js)
	for what, out := range map[string]string{"Markdown": md, "HTML": html} {
		if strings.Contains(out, "&#x202e;") || strings.Contains(out, "&#27;") {
			t.Errorf("%s holds a character reference that would be decoded", what)
		}
		if strings.Contains(out, "<script>") {
			t.Errorf("%s holds markup from the records", what)
		}
		if !strings.Contains(out, `gnp.exe`) || !strings.Contains(out, `\u202egnp.exe`) && !strings.Contains(out, `\\u202egnp.exe`) {
			t.Errorf("%s does not spell out the waiver's U+202E", what)
		}
	}
	// Markdown: no text breaks out of its line or its table row.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "error FAKE-RULE") || strings.HasPrefix(line, "<") {
			t.Errorf("a text forged a Markdown line: %q", line)
		}
	}
	if !strings.Contains(md, "> **Note:** ") || !strings.Contains(html, `<p class="escaped" id="escaped">`) {
		t.Error("the reports do not say that they spelled characters out")
	}
	if i := strings.Index(html, `id="escaped"`); i < 0 || i > strings.Index(html, `id="kpis"`) {
		t.Error("the note must come before the figures")
	}

	// JSON keeps the texts exact.
	var back evidence.Assessment
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	valid := func(s string) string { return string([]rune(s)) }
	if back.Organization != valid(rep.Organization) || back.AdHoc[0].Subject != valid(rep.AdHoc[0].Subject) || back.Chain.Error != valid(rep.Chain.Error) {
		t.Errorf("texts did not survive JSON: %q", back.Organization)
	}
}

// Writing is linear in the report: the escaping copies each text once.
func TestHostileEvidenceWritersAllocate(t *testing.T) {
	rep := hostileReport(t)
	small := testing.AllocsPerRun(3, func() {
		var b strings.Builder
		rep.WriteHTML(&b)
	})
	big := *rep
	for range 3 {
		big.Occurrences = append(big.Occurrences, big.Occurrences...)
	}
	large := testing.AllocsPerRun(3, func() {
		var b strings.Builder
		big.WriteHTML(&b)
	})
	// The constant is html/template's: most of it is reflect looking up
	// fields through the view's embedded Occurrence (FieldByNameFunc),
	// about 155 today; a text copied per occurrence and page would make
	// it grow with the report.
	if perOcc := (large - small) / float64(len(big.Occurrences)-len(rep.Occurrences)); perOcc > 180 {
		t.Errorf("%.0f allocations per occurrence", perOcc)
	}
}
