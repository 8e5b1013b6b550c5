package comms_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// loader is one member of the family, made to look like the others.
type loader struct {
	name string
	// load reads the plan named file (a path in dir), or the content a
	// reader gives.
	load func(path string, r io.Reader) (comms.Plan, *comms.Source, error)
	// hasSource says the loader returns positions.
	hasSource bool
}

var loaders = []loader{
	{"LoadPlan", func(path string, _ io.Reader) (comms.Plan, *comms.Source, error) {
		p, err := comms.LoadPlan(path)
		return p, nil, err
	}, false},
	{"LoadPlanSource", func(path string, _ io.Reader) (comms.Plan, *comms.Source, error) {
		return comms.LoadPlanSource(path)
	}, true},
	{"DecodePlan", func(_ string, r io.Reader) (comms.Plan, *comms.Source, error) {
		p, err := comms.DecodePlan(r)
		return p, nil, err
	}, false},
	{"DecodePlanSource", func(path string, r io.Reader) (comms.Plan, *comms.Source, error) {
		return comms.DecodePlanSource(r, filepath.Base(path))
	}, true},
}

// open gives each loader its input: the path, and a reader of the file.
func open(t *testing.T, path string) io.Reader {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return failingReader{err}
	}
	return bytes.NewReader(data)
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// TestLoadersFailAlike: the four loaders read the same plans the same way
// and fail alike — a *PlanError with the partial plan when the content is
// at fault (whatever its size), a wrapped cause and the zero plan when the
// input cannot be read.
func TestLoadersFailAlike(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yaml", []byte("format: ismscomms/v1\nid: good\nprofiles: [gdpr, nis2]\nroles: [{id: iso}]\n"))
	bad := write("bad.yaml", []byte("format: ismscomms/v1\nid: bad\norganization: Acme\nroles: [{id: iso}, {id: iso}]\n"))
	huge := write("huge.yaml", bytes.Repeat([]byte("# padding line\n"), comms.MaxPlanSize/15+1))
	missing := filepath.Join(dir, "missing.yaml")

	for _, l := range loaders {
		t.Run(l.name, func(t *testing.T) {
			p, src, err := l.load(good, open(t, good))
			if err != nil || p.ID != "good" || !reflect.DeepEqual(p.Profiles, []string{"gdpr", "nis2"}) {
				t.Fatalf("good plan: %+v, %v", p, err)
			}
			if l.hasSource && (src == nil || src.File != "good.yaml" && src.File != good || src.Position("roles[0]").Line != 4) {
				t.Errorf("good plan: source %+v, roles[0] at %v", src, src.Position("roles[0]"))
			}

			// The content is at fault: a *PlanError naming the file, and what
			// could be decoded.
			p, src, err = l.load(bad, open(t, bad))
			var perr *comms.PlanError
			if !errors.As(err, &perr) || len(perr.Problems) != 1 || perr.Problems[0].Path != "roles[1].id" || perr.Problems[0].Pos.Line != 4 {
				t.Fatalf("bad plan: %v", err)
			}
			if p.ID != "bad" || p.Organization != "Acme" {
				t.Errorf("bad plan: the partial plan is %+v", p)
			}
			if l.hasSource && src.Position("organization").Line != 3 {
				t.Errorf("bad plan: the partial source has organization at %v", src.Position("organization"))
			}
			if strings.HasPrefix(l.name, "Load") && perr.File != bad {
				t.Errorf("bad plan: PlanError.File %q", perr.File)
			}

			// Too large is the content's fault too, for every loader.
			p, _, err = l.load(huge, open(t, huge))
			if !errors.As(err, &perr) || !strings.Contains(err.Error(), "larger than") || p.ID != "" {
				t.Errorf("huge plan: %T %v", err, err)
			}

			// The input cannot be read: the cause wrapped, the zero plan.
			p, src, err = l.load(missing, open(t, missing))
			if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &perr) || !reflect.DeepEqual(p, comms.Plan{}) || src != nil {
				t.Errorf("missing file: %+v %v %v", p, src, err)
			}
		})
	}
}

// TestPlanProfiles: a plan declares the profiles it must pass; names are
// checked for form (which exist is matrix.Check's to say) and listed once.
func TestPlanProfiles(t *testing.T) {
	for _, tc := range []struct {
		in, path, want string
	}{
		{"id: p\nprofiles: [gdpr, nis2]\n", "", ""},
		{"id: p\nprofiles: [gdpr, 'nis 2']\n", "profiles[1]", `2:18: profiles[1]: "nis 2" is not a valid profile name`},
		{"id: p\nprofiles: [gdpr, nis2, gdpr]\n", "profiles[2]", `2:24: profiles[2]: profile "gdpr" is listed twice`},
		{"id: p\nprofiles: gdpr\n", "profiles", "expected a list"},
	} {
		p, err := comms.DecodePlan(strings.NewReader(tc.in))
		if tc.want == "" {
			if err != nil || !reflect.DeepEqual(p.Profiles, []string{"gdpr", "nis2"}) {
				t.Errorf("%q: %v %v", tc.in, p.Profiles, err)
			}
			continue
		}
		var perr *comms.PlanError
		if !errors.As(err, &perr) || perr.Problems[0].Path != tc.path || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %s: %s", tc.in, err, tc.path, tc.want)
		}
	}
	// A long list is checked in linear time: 1,000,000 distinct names and a
	// repeat of the first at the end take a map, not the 5·10^11
	// comparisons of searching the names before each (hours); the backstop
	// is a generous timeout.
	names := make([]string, 1_000_001)
	for i := range names[:len(names)-1] {
		names[i] = "p" + strconv.Itoa(i)
	}
	names[len(names)-1] = names[0]
	p := comms.Plan{ID: "p", Profiles: names}
	done := make(chan error, 1)
	go func() { done <- p.Validate() }()
	select {
	case err := <-done:
		var perr *comms.PlanError
		if !errors.As(err, &perr) || len(perr.Problems) != 1 || perr.Problems[0].Path != "profiles[1000000]" || !strings.Contains(perr.Problems[0].Message, "listed twice") {
			t.Errorf("a long list with a repeat: %.300v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("validating 1,000,000 profile names takes more than a minute: not linear")
	}
}

// TestRecordIn: a record's times move to another zone as instants; nothing
// else changes, zero times stay zero.
func TestRecordIn(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	r := comms.Record{Seq: 3, ActivityID: "a", SentAt: time.Date(2026, 3, 9, 10, 49, 0, 0, time.UTC), Audiences: []string{"x"}, Hash: "h"}
	got := r.In(berlin)
	if got.SentAt.Location() != berlin || !got.SentAt.Equal(r.SentAt) || got.SentAt.Format("15:04 MST") != "11:49 CET" {
		t.Errorf("SentAt %v", got.SentAt)
	}
	if !got.Occurrence.IsZero() || got.Occurrence != (time.Time{}) || !got.RecordedAt.IsZero() {
		t.Errorf("zero times moved: %v %v", got.Occurrence, got.RecordedAt)
	}
	got.SentAt, got.Occurrence, got.RecordedAt = r.SentAt, r.Occurrence, r.RecordedAt
	if !reflect.DeepEqual(got, r) {
		t.Errorf("In changed more than the times: %+v", got)
	}
	if r.In(nil).SentAt.Location() != time.UTC {
		t.Error("In(nil) moved the record")
	}
}
