package sheet_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix/sheet"
)

// known reports whether err is one of Read's errors for bad input, not a
// plan that failed to come out right.
func known(err error) bool {
	for _, e := range []error{sheet.ErrTooLarge, sheet.ErrUnreadable, sheet.ErrNoHeader, sheet.ErrSheetNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// check: whatever the input, Read returns one of its errors, or a plan
// whose file decodes with comms.DecodePlan to as many activities.
func check(t *testing.T, name string, data []byte) {
	t.Helper()
	res, err := sheet.Read(bytes.NewReader(data), name, sheet.Options{Now: now})
	if err != nil {
		if !known(err) {
			t.Fatalf("%s: an error that is not one of bad input: %v", name, err)
		}
		return
	}
	p, err := comms.DecodePlan(bytes.NewReader(res.YAML))
	if err != nil {
		t.Fatalf("%s: the plan written does not decode: %v\n%s", name, err, res.YAML)
	}
	if len(p.Activities) != len(res.Plan.Activities) {
		t.Fatalf("%s: %d activities written, %d returned", name, len(p.Activities), len(res.Plan.Activities))
	}
}

func TestHostileCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/hostile/*.csv")
	if len(files) < 5 {
		t.Fatalf("found %d hostile files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(t, filepath.Base(f), data)
	}
}

// FuzzReadCSV: no input makes Read panic, return an unexpected error, or
// write a plan that does not decode. The seeds are the reference matrix
// and the hostile corpus; the corpus the fuzzer finds is kept under
// testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/hostile/*.csv")
	seeds = append(seeds, "testdata/reference.csv")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Activity,Timing,Audience\nx,Monthly on the fifth Sunday,a/b\n"))
	f.Add([]byte("Activity,Timing\nx,Annually on 29 February\ny,\"Within 3 days of \"\"x\"\" being sent\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, "fuzz.csv", data)
	})
}
