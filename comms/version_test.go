package comms_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

const versionedPlan = `format: ismscomms/v1
id: versioned
grace: 14d
roles: [{id: iso}]
stakeholders: [{id: employees, scope: internal}]
activities:
  - id: policy
    what:
      topic: policy
      message: Information security policy
      version: {digest: "%s", change: %s, label: "3.1", effective: 2026-03-01}
    whom: [employees]
    owner: iso
    grace: %s
`

func versioned(digest, change, grace string) string {
	s := strings.Replace(versionedPlan, "%s", digest, 1)
	s = strings.Replace(s, "%s", change, 1)
	return strings.Replace(s, "%s", grace, 1)
}

// A message version and grace periods decode, apply (the activity's over
// the plan's), and survive both encodings.
func TestMessageVersion(t *testing.T) {
	d := comms.Digest([]byte("policy v3.1"))
	if d != "sha256:be208eda38388cab6b8261776b7f16b96620c09acbeef6dce36014ff5a19607e" {
		t.Fatalf("Digest = %q", d)
	}
	p, err := comms.DecodePlan(strings.NewReader(versioned(d, "minor", "3bd")))
	if err != nil {
		t.Fatal(err)
	}
	a := p.Activities[0]
	want := comms.MessageVersion{Digest: d, Change: comms.ChangeMinor, Label: "3.1", Effective: comms.Date{Year: 2026, Month: 3, Day: 1}}
	if a.What.Version != want || a.What.Version.Material() {
		t.Errorf("version = %+v (material %v), want %+v, minor", a.What.Version, a.What.Version.Material(), want)
	}
	if g := p.GraceOf(a); g != "3bd" {
		t.Errorf("GraceOf the activity = %q, want its own 3bd", g)
	}
	a.Grace = ""
	if g := p.GraceOf(a); g != "14d" {
		t.Errorf("GraceOf without its own = %q, want the plan's 14d", g)
	}
	if (comms.MessageVersion{Digest: d}).Material() != true {
		t.Error("a version without a change class is not material: acknowledgements would carry over unasked")
	}
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return comms.EncodeYAML(b, p) },
		func(b *bytes.Buffer) error { return comms.EncodeJSON(b, p) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		q, err := comms.DecodePlan(&b)
		if err != nil || q.Activities[0].What.Version != want || q.Grace != "14d" || q.Activities[0].Grace != "3bd" {
			t.Errorf("round trip: %+v, %v", q.Activities[0], err)
		}
	}
	// An unversioned message writes no version at all.
	p.Activities[0].What.Version = comms.MessageVersion{}
	var b bytes.Buffer
	if err := comms.EncodeYAML(&b, p); err != nil || strings.Contains(b.String(), "version:") {
		t.Errorf("an unversioned message encodes as %q, %v", b.String(), err)
	}
}

// Bad versions and grace periods are refused with their line, column and
// path, all at once.
func TestMessageVersionInvalid(t *testing.T) {
	d := comms.Digest(nil)
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"digest", versioned("md5:abc", "minor", "3bd"), []string{"11:25: activities[0].what.version.digest: \"md5:abc\" is not a digest"}},
		{"upper-case digest", versioned(strings.ToUpper(d), "minor", "3bd"), []string{"activities[0].what.version.digest: \"SHA256:"}},
		{"change", versioned(d, "major", "3bd"), []string{"11:108: activities[0].what.version.change: unknown change class \"major\""}},
		{"grace", versioned(d, "minor", "2w"), []string{"14:12: activities[0].grace: grace period:"}},
		{"all at once", strings.Replace(versioned("x", "big", "0d"), "grace: 14d", "grace: soon", 1),
			[]string{"3:8: grace: grace period:", "version.digest", "version.change", "activities[0].grace"}},
		{"no digest", strings.Replace(versioned(d, "minor", "3bd"), `digest: "`+d+`", `, "", 1), []string{"activities[0].what.version.digest: missing"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := comms.DecodePlan(strings.NewReader(c.file))
			var pe *comms.PlanError
			if !errors.As(err, &pe) {
				t.Fatalf("DecodePlan: %v, want a *PlanError", err)
			}
			if len(pe.Problems) != len(c.want) {
				t.Errorf("%d problems, want %d:\n%v", len(pe.Problems), len(c.want), err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// A plan built in Go is checked alike.
	p := comms.Plan{ID: "p", Grace: "14 days", Activities: []comms.Activity{{ID: "a", What: comms.Message{Version: comms.MessageVersion{Change: comms.ChangeMinor}}}}}
	err := p.Validate()
	if err == nil || !strings.Contains(err.Error(), "grace: grace period") || !strings.Contains(err.Error(), "activities[0].what.version.digest: missing") {
		t.Errorf("Validate: %v", err)
	}
}
