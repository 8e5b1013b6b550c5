package safetext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSON(t *testing.T) {
	values := []string{
		"plain", "Grüße, 東京 🙂", "del\x7f", "c1 \u009b31m \u0085", "evil\u202etxt.exe",
		"iso\u2066x\u2069 alm\u061c lrm\u200e rlm\u200f", "ls\u2028ps\u2029", "esc\x1bc bel\a cr\r nul\x00",
		"tab\tlf\n", "bad \xff byte", `quote " backslash \`,
	}
	raw, err := json.MarshalIndent(map[string]any{"values": values, "n": 1}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(raw)
	if i := Index(string(out), false); i >= 0 {
		t.Fatalf("raw unsafe character at %d: %q", i, out[i:])
	}
	var back struct{ Values []string }
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, out)
	}
	for i, v := range values {
		want := strings.ToValidUTF8(v, "\ufffd")
		if back.Values[i] != want {
			t.Errorf("value %d: got %q, want %q", i, back.Values[i], want)
		}
	}
	if !strings.Contains(string(out), `evil\u202etxt.exe`) || !strings.Contains(string(out), `del\u007f`) {
		t.Errorf("escapes missing:\n%s", out)
	}
	// Nothing to escape: the same slice, no allocation.
	clean := []byte(`{"a": "Grüße \u001b"}`)
	if n := testing.AllocsPerRun(10, func() { JSON(clean) }); n != 0 || &JSON(clean)[0] != &clean[0] {
		t.Errorf("clean input: %v allocations", n)
	}
	if !utf8.Valid(JSON([]byte("\"\xff\""))) {
		t.Error("invalid UTF-8 passed through")
	}
}
