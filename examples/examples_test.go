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
var want = map[string][]string{
	"quickstart": {"communication matrix (14 activities)", "| Security Metrics and Dashboards |", "Monthly on the first Monday"},
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
			wants, ok := want[name]
			if !ok {
				t.Fatalf("examples/%s has no expected output in examples_test.go", name)
			}
			cmd := exec.Command("go", "run", ".")
			cmd.Dir = name
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go run ./examples/%s: %v\n%s", name, err, out)
			}
			for _, w := range wants {
				if !strings.Contains(string(out), w) {
					t.Errorf("output of examples/%s lacks %q:\n%s", name, w, out)
				}
			}
		})
	}
}
