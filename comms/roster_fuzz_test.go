package comms_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// hostileRoster decodes one roster source by its extension.
func hostileRoster(name string, data []byte) (comms.Roster, error) {
	m := comms.GroupMapping{Groups: map[string][]string{"Engineering": {"employees"}}}
	o := &comms.RosterOptions{Name: filepath.Base(name), Groups: &m}
	if strings.HasSuffix(name, ".json") {
		return comms.DecodeRosterSCIM(bytes.NewReader(data), o)
	}
	o.Groups = nil
	return comms.DecodeRosterCSV(bytes.NewReader(data), o)
}

// checkRosterResult holds for whatever a roster decoder returns: an
// accepted roster is valid, a refused one is a *RosterError whose text a
// terminal shows rather than obeys.
func checkRosterResult(t *testing.T, r comms.Roster, err error) string {
	t.Helper()
	if err == nil {
		if verr := r.Validate(nil); verr != nil {
			t.Fatalf("accepted a roster that Validate refuses: %v", verr)
		}
		return "ok"
	}
	var re *comms.RosterError
	if !errors.As(err, &re) || len(re.Problems) == 0 {
		t.Fatalf("error %v is not a *RosterError with problems", err)
	}
	msg := err.Error()
	for _, c := range msg {
		if c != '\n' && (c < 0x20 || c == 0x7f || c >= 0x80 && c <= 0x9f || c == 0x202e || c == 0x2028 || c == 0xfffd) {
			t.Fatalf("the error holds %U: %q", c, msg)
		}
	}
	return msg
}

// TestHostileRosters decodes each hostile source under
// testdata/roster/hostile and compares what the decoder says with the
// golden file beside it (go test -update rewrites them).
func TestHostileRosters(t *testing.T) {
	files, err := filepath.Glob("testdata/roster/hostile/*")
	if err != nil || len(files) < 10 {
		t.Fatalf("hostile rosters: %d, %v", len(files), err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := hostileRoster(f, data)
			golden(t, f+".golden", checkRosterResult(t, r, err))
		})
	}
}

func seedRosters(f *testing.F, ext string) {
	files, _ := filepath.Glob("testdata/roster/hostile/*" + ext)
	more, _ := filepath.Glob("testdata/roster/*" + ext)
	for _, name := range append(files, more...) {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
}

// FuzzDecodeRosterCSV: no input panics or hangs the CSV decoder, and what
// it accepts is a valid roster; what it refuses gets a *RosterError.
func FuzzDecodeRosterCSV(f *testing.F) {
	seedRosters(f, ".csv")
	f.Add([]byte(staffCSV))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := comms.DecodeRosterCSV(bytes.NewReader(data), nil)
		checkRosterResult(t, r, err)
	})
}

// FuzzDecodeRosterSCIM: likewise for SCIM ListResponses.
func FuzzDecodeRosterSCIM(f *testing.F) {
	seedRosters(f, ".json")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := hostileRoster("x.json", data)
		checkRosterResult(t, r, err)
	})
}

// FuzzDecodeGroupMapping: likewise for group mappings.
func FuzzDecodeGroupMapping(f *testing.F) {
	f.Add([]byte("groups:\n  Engineering: [employees]\n"))
	f.Add([]byte("groups: &a {x: [employees]}\nmore: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := comms.DecodeGroupMapping(bytes.NewReader(data), "", nil)
		if err == nil {
			if verr := m.Validate(nil); verr != nil {
				t.Fatalf("accepted a mapping that Validate refuses: %v", verr)
			}
			return
		}
		var re *comms.RosterError
		if !errors.As(err, &re) {
			t.Fatalf("error %v is not a *RosterError", err)
		}
	})
}
