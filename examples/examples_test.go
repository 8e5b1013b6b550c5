// Package examples_test runs every program under examples/ the way the
// README tells a newcomer to, and checks what it prints.
package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// want maps each example program to text its output must contain. A new
// example directory without an entry fails the test.
var want = map[string]struct {
	args []string
	out  []string
}{
	"quickstart": {[]string{"-from", "2026-12-01"}, []string{
		"communication matrix (14 activities)", "| Security Metrics and Dashboards |", "Monthly on the first Monday",
		"## Next 90 days (2026-12-01 to 2027-02-28)", "- Mon 2026-12-07 09:00 CET  Security Metrics and Dashboards",
		"- Fri 2027-01-15 09:00 CET  Information Security Policy Communication",
	}},
	"evidence": {[]string{"-out", filepath.Join(os.TempDir(), "ismscomms-example-evidence.html")}, []string{
		"28 records in",
		"chain verified: true",
		"occurrences 29: on time 25, late 1, missed 2, waived 1, due 0, upcoming 0; deviations 1; ad hoc 1",
		"on-time rate 89%, coverage 93%",
	}},
	"incident": {nil, []string{
		"Clock at Sat 2026-03-07 12:00",
		"NIS2 Early Warning                                      nis2-early-warning  National CSIRT             Sun 08 Mar 10:00  22h left",
		"DORA initial notification                               dora-initial        BaFin                      Mon 09 Mar 13:00  3h45m left",
		"NIS2 Final Report                                       nis2-final          National CSIRT             Thu 09 Apr 23:59  31d6h left",
		"Notice to clients (DORA Art. 19(3))                     dora-clients        Customers                  Tue 10 Mar 09:00  overdue by 3d",
		"DORA final report                                       dora-final          BaFin                      Sun 12 Apr 23:59  30d14h left",
	}},
	"scheduler": {[]string{"-week", "2026-12-09"}, []string{
		"Due in the week of Mon 7 December 2026 across 3 tenants (6 recurring activities)",
		"Mon 13:30Z  Mon 07 Dec 08:30 EST        globex-newyork   Security stand-up notes",
		"Thu 05:00Z  Thu 10 Dec 14:00 JST        initech-tokyo    Awareness training",
	}},
}

func TestExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every example")
	}
	dirs, err := filepath.Glob("*/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no example programs found")
	}
	for _, main := range dirs {
		name := filepath.Dir(main)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("examples/%s has no expected output in examples_test.go", name)
			}
			cmd := exec.Command("go", append([]string{"run", "."}, w.args...)...)
			cmd.Dir = name
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go run ./examples/%s: %v\n%s", name, err, out)
			}
			for _, line := range w.out {
				if !strings.Contains(string(out), line) {
					t.Errorf("output of examples/%s lacks %q:\n%s", name, line, out)
				}
			}
		})
	}
}
