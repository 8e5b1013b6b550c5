package comms_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// TestHostileFiles decodes each small hostile plan under testdata/hostile
// (control and bidirectional characters raw and escaped, NUL, lone CR,
// byte order marks, YAML tags, zone names that are not zones, YAML syntax
// errors, aliases, rules that never match) and compares what DecodePlanSource
// says with the golden file next to it (go test -update rewrites them).
// Whatever it says holds no character a terminal would obey.
func TestHostileFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/hostile/*")
	if err != nil || len(files) < 30 {
		t.Fatalf("hostile files: %d, %v", len(files), err)
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
			_, _, err = comms.DecodePlanSource(bytes.NewReader(data), filepath.Base(f))
			got := "ok"
			if err != nil {
				got = err.Error()
			}
			for _, r := range got {
				if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e || r == 0x2028) {
					t.Fatalf("the output holds %U: %q", r, got)
				}
			}
			golden(t, strings.TrimSuffix(f, filepath.Ext(f))+filepath.Ext(f)+".golden", got)
		})
	}
}
