package comms_test

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// fullPlan is a valid plan with every field of every type set.
func fullPlan(t *testing.T) comms.Plan {
	t.Helper()
	p, err := comms.LoadPlan("testdata/valid/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p.Organization = "Acme"
	p.Review = "FREQ=YEARLY"
	p.Approved = &comms.Approval{By: "ciso", Date: comms.Date{Year: 2026, Month: 1, Day: 5}}
	p.Roles[0].Contact = "iso@example.com"
	a := &p.Activities[0]
	a.What.Message, a.Notes = "The message", "Notes"
	a.Support = []string{p.Roles[0].ID}
	a.Spokesperson = p.Roles[0].ID
	a.Obligations = []string{"gdpr-art33"}
	p.Waivers = []comms.Waiver{{Rule: "CRISIS", Subject: a.ID, Reason: "covered", By: "ciso"}}
	if err := p.Validate(); err != nil {
		t.Fatalf("the full plan: %v", err)
	}
	return p
}

// stringFields lists the paths of every string of p, by reflection, with
// a setter for each.
func stringFields(v reflect.Value, path string, out map[string]reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		out[path] = v
	case reflect.Pointer:
		if !v.IsNil() {
			stringFields(v.Elem(), path, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			stringFields(v.Index(i), path+"["+strconv.Itoa(i)+"]", out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[comms.Date]() || v.Type() == reflect.TypeFor[comms.DateTime]() {
			return
		}
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			stringFields(v.Field(i), p, out)
		}
	}
}

// TestUnsafeTextRefused: every string of a plan refuses the characters a
// terminal or a reader would obey (ESC, BEL, other C0 and C1 controls,
// DEL, bidirectional overrides, line separators), whether the plan is
// decoded (escaped in the file: a located problem at the field) or built
// in Go (Validate); one-line fields refuse TAB and LF too, the message and
// the notes keep them. The list of fields comes from the types, so a field
// added later is covered.
func TestUnsafeTextRefused(t *testing.T) {
	multiLine := func(path string) bool {
		return strings.HasPrefix(path, "activities[") && (strings.HasSuffix(path, "].what.message") || strings.HasSuffix(path, "].notes"))
	}
	base := fullPlan(t)
	paths := map[string]reflect.Value{}
	stringFields(reflect.ValueOf(&base).Elem(), "", paths)
	if len(paths) < 40 {
		t.Fatalf("only %d string fields", len(paths))
	}
	for path := range paths {
		for _, bad := range []string{"a\x1bc", "a\x07", "\x00", "a\rb", "a\u0085", "a\x7f", "txt\u202eexe", "a\u2066b", "a\u2028b", "a\tb", "a\nb"} {
			p := fullPlan(t)
			fields := map[string]reflect.Value{}
			stringFields(reflect.ValueOf(&p).Elem(), "", fields)
			fields[path].SetString(bad)
			allowed := multiLine(path) && (bad == "a\tb" || bad == "a\nb")

			var buf bytes.Buffer
			if err := comms.EncodeJSON(&buf, p); err != nil {
				t.Fatal(err)
			}
			_, _, err := comms.DecodePlanSource(bytes.NewReader(buf.Bytes()), "p.json")
			validateErr := p.Validate()
			for how, err := range map[string]error{"decode": err, "Validate": validateErr} {
				var perr *comms.PlanError
				found := false
				if errors.As(err, &perr) {
					for _, prob := range perr.Problems {
						if prob.Path == path && strings.Contains(prob.Message, "is not allowed") {
							found = true
							if how == "decode" && !prob.Pos.IsValid() {
								t.Errorf("%s %q: no position: %+v", path, bad, prob)
							}
						}
					}
					if strings.ContainsAny(err.Error(), "\x1b\x07\x00\r\u0085\x7f\u202e\u2066\u2028") {
						t.Errorf("%s %s %q: the error holds the character: %q", how, path, bad, err)
					}
				}
				if found == allowed {
					t.Errorf("%s of %s = %q: refused %v, want %v (%v)", how, path, bad, found, !allowed, err)
				}
			}
		}
	}
}

// TestDecodeLimitsBeforeAllocating: a list longer than the value cap is
// refused before the decoder allocates it, and the plan's strings count
// their bytes at each use of an alias.
func TestDecodeLimitsBeforeAllocating(t *testing.T) {
	// An anchored list of 100,000 items used six times: 600,000 values.
	var b strings.Builder
	b.WriteString("{\"id\": \"a\", \"stakeholders\": [{\"id\": \"s\"}]}")
	yaml := "id: a\nstakeholders: [{id: s}]\nroles: [{id: r}]\nchannels: [{id: c, reach: &l [" + strings.Repeat("internal,", 99_999) + "internal]}]\nactivities:\n"
	for i := 0; i < 6; i++ {
		yaml += "  - {id: a" + strconv.Itoa(i) + ", whom: *l}\n"
	}
	allocs := testing.AllocsPerRun(1, func() {
		_, _, err := comms.DecodePlanSource(strings.NewReader(yaml), "")
		if err == nil || !strings.Contains(err.Error(), "more than 500000 values") {
			t.Fatalf("got %v", err)
		}
	})
	if allocs > 3_000_000 {
		t.Errorf("%.0f allocations", allocs)
	}
}
