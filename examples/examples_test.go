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
// An argument "$OUT" is replaced by a temporary directory, and files maps
// a file the program must have written there to text it must contain.
var want = map[string]struct {
	args  []string
	out   []string
	files map[string][]string
}{
	"quickstart": {args: []string{"-from", "2026-12-01"}, out: []string{
		"communication matrix (18 activities)", "| Security Metrics and Dashboards |", "Monthly on the first Monday",
		"## Next 90 days (2026-12-01 to 2027-02-28)", "- Mon 2026-12-07 09:00 CET  Security Metrics and Dashboards",
		"- Fri 2027-01-15 09:00 CET  Information Security Policy Communication",
	}},
	"evidence": {args: []string{"-out", "$OUT/report.html", "-review", "$OUT/review.md"}, out: []string{
		"41 records in",
		"chain verified: true",
		"occurrences 31: on time 27, late 1, missed 2, waived 1, due 0, upcoming 0; deviations 1; ad hoc 1",
		"on-time rate 90%, coverage 93%",
		"feedback 8: satisfaction 4.00, handled 6 (late 1), open 1, overdue 1",
		"drill DRILL-2026: deadlines met 2, late 1, missed 0; 1 lessons",
		"objective on-time: missed (periods met 1, missed 3)",
		"objective satisfaction: met (periods met 1, missed 0)",
		"management review: 0 objectives met, 1 missed (3 met so far, 0 missed so far, in periods not over); 0 plan changes since review",
	}, files: map[string][]string{
		"report.md": {"held as drill DRILL-2026 from 2026-10-15 10:00"},
		"review.md": {
			"# Management review input — Acme Corp",
			"4 objectives: 0 met, 1 missed (each by its latest complete period with data), 3 met so far, 0 missed so far (only a period not over has data), 0 without data, 0 not judged.",
			"| satisfaction | satisfaction | at-least 4 | yearly | met so far | 2026 | 4.00 | 1 | 0 | 0 | — |",
			"8 received (8 scored, mean satisfaction 4.00 on a scale of 1 to 5); 6 handled, 1 of them late; 1 open, 1 overdue",
			"| DRILL-2026 | 2026-10-15 10:00 CEST | incident | Ransomware on the file servers | 2 | 1 | 0 | 0 | 1 |",
			"| INC-2026-014 | 2026-09-11 16:00 CEST | 2 | 2 | 0 | 0 | 0 | 0 | — |",
			"Plan versions saved since the last management review recorded, 2026-11-21: 0.",
		},
	}},
	"incident": {out: []string{
		"Clock at Sat 2026-03-07 12:00",
		"NIS2 Early Warning                                      nis2-early-warning  National CSIRT             Sun 08 Mar 10:00  22h left",
		"DORA initial notification                               dora-initial        BaFin                      Mon 09 Mar 13:00  3h45m left",
		"NIS2 Final Report                                       nis2-final          National CSIRT             Thu 09 Apr 23:59  31d6h left",
		"Notice to clients (DORA Art. 19(3))                     dora-clients        Customers                  Tue 10 Mar 09:00  overdue by 3d",
		"DORA final report                                       dora-final          BaFin                      Sun 12 Apr 23:59  30d14h left",
	}},
	"scheduler": {args: []string{"-week", "2026-12-09"}, out: []string{
		"Due in the week of Mon 7 December 2026 across 3 tenants (6 recurring activities)",
		"Mon 13:30Z  Mon 07 Dec 08:30 EST        globex-newyork   Security stand-up notes",
		"Thu 05:00Z  Thu 10 Dec 14:00 JST        initech-tokyo    Awareness training",
	}},
	"vendor": {args: []string{"-out", "$OUT"}, out: []string{
		"acme     starter-gdpr-nis2 version 1 saved: 24 activities, profiles [gdpr nis2], 0 warnings",
		"globex   starter version 1 saved: 18 activities, profiles [], 0 warnings",
		"initech  refused: 1 problem(s)",
		`initech.yaml:12:12: activities[0].whom[0]: stakeholder "bord" is not declared in stakeholders`,
		"agenda: 22 recurring activities across 2 tenants",
		"appended 15 records (acme 8, globex 7)",
		"retry of acme/starter-gdpr-nis2/security-metrics@2026-01-05T08:00:00Z: seq 1 again, acme log still 8 records",
		`channel: plan starter-gdpr-nis2 has no channel "fax"`,
		"refused: evidence: incident.awere starts no communication of plan starter-gdpr-nis2",
		`INC-2026-007 "Ransomware on a file server", clock at Tue 31 Mar 17:00 CEST:`,
		"  nis2-early-warning           nis2-early-warning   Tue 31 Mar 18:00 done 2026-03-31 09:30 CEST",
		"  nis2-service-recipients      nis2-recipients      Tue 31 Mar 18:00 1h left",
		"  gdpr-breach-notification     gdpr-art33           Thu 02 Apr 18:00 2d1h left",
		"  nis2-final-report            nis2-final           —                waiting for activity:nis2-notification",
		"acme     chain verified: true (10 records, head ",
		"         occurrences 14: on time 9, late 1, missed 0, due 4; notifications 4",
		"globex   chain verified: true (7 records, head ",
		"         occurrences 8: on time 7, late 0, missed 1, due 0; notifications 0",
	}, files: map[string][]string{
		"acme-evidence.md":     {"Acme GmbH", "**Record chain verified: 10 records, intact and in sequence"},
		"acme-evidence.html":   {"Acme GmbH", "Record chain verified"},
		"globex-evidence.md":   {"Globex AG", "| 2026-03-02 09:00 CET | Security Metrics and Dashboards | 1 |  | 2026-03-09 23:59 CET | missed |"},
		"globex-evidence.html": {"Globex AG"},
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
			dir := t.TempDir()
			args := []string{"run", "."}
			for _, a := range w.args {
				args = append(args, strings.ReplaceAll(a, "$OUT", dir))
			}
			cmd := exec.Command("go", args...)
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
			for file, texts := range w.files {
				b, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Errorf("examples/%s: %v", name, err)
					continue
				}
				for _, text := range texts {
					if !strings.Contains(string(b), text) {
						t.Errorf("%s written by examples/%s lacks %q", file, name, text)
					}
				}
			}
		})
	}
}
