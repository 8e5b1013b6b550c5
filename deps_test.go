package ismscomms_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The core packages compile without any database driver: a vendor who
// brings its own Store never builds SQLite or pgx.
func TestCoreImportsNoDatabaseDriver(t *testing.T) {
	core := []string{"./comms", "./schedule", "./matrix", "./matrix/matrixtest", "./store", "./store/storetest"}
	for _, extra := range []string{"./regulation", "./evidence"} {
		if out, err := exec.Command("go", "list", extra).CombinedOutput(); err == nil && len(out) > 0 {
			core = append(core, extra)
		}
	}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, core...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list -deps listed only %d packages", len(deps))
	}
	for _, dep := range deps {
		for _, driver := range []string{"modernc.org/sqlite", "modernc.org/libc", "github.com/jackc/pgx", "github.com/lib/pq", "github.com/mattn/go-sqlite3", "database/sql"} {
			if dep == driver || strings.HasPrefix(dep, driver+"/") {
				t.Errorf("a core package depends on %s", dep)
			}
		}
	}
	// The check itself works: the SQLite store does depend on its driver.
	out, _ = exec.Command("go", "list", "-deps", "./store/sqlite").CombinedOutput()
	if !strings.Contains(string(out), "modernc.org/sqlite") {
		t.Error("store/sqlite does not list modernc.org/sqlite: the check is broken")
	}
}
