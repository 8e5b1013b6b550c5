package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, esc, line string }{
		{"plain text", "plain text", "plain text"},
		{"Grüße, 東京", "Grüße, 東京", "Grüße, 東京"},
		{"reset \x1bc now", `reset \x1bc now`, `reset \x1bc now`},
		{"bell\a", `bell\x07`, `bell\x07`},
		{"nul\x00", `nul\x00`, `nul\x00`},
		{"cr\rhidden", `cr\rhidden`, `cr\rhidden`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"c1 \u009b31m", `c1 \x9b31m`, `c1 \x9b31m`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`, `evil\u202etxt.exe`},
		{"iso\u2066x\u2069", `iso\u2066x\u2069`, `iso\u2066x\u2069`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`, `ls\u2028ps\u2029`},
		{"alm\u061c lrm\u200e rlm\u200f", `alm\u061c lrm\u200e rlm\u200f`, `alm\u061c lrm\u200e rlm\u200f`},
		{"two\nlines\tand tab", "two\nlines\tand tab", `two\nlines\tand tab`},
		{"bad \xff byte", `bad \xff byte`, `bad \xff byte`},
		{"", "", ""},
	} {
		if got := Escape(tc.in); got != tc.esc {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.esc)
		}
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		for _, out := range []string{Line(tc.in)} {
			if Index(out, true) >= 0 || !utf8.ValidString(out) {
				t.Errorf("Line(%q) = %q still holds unsafe text", tc.in, out)
			}
		}
	}
}

func TestIndex(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line bool
		want int
	}{
		{"abc", false, -1},
		{"ab\x1b", false, 2},
		{"a\nb", false, -1},
		{"a\nb", true, 1},
		{"é\u202e", false, 2},
		{"a\xffb", false, 1},
		{"\U0001F600 ok", true, -1},
	} {
		if got := Index(tc.in, tc.line); got != tc.want {
			t.Errorf("Index(%q, %v) = %d, want %d", tc.in, tc.line, got, tc.want)
		}
	}
}

func TestEscapeDoesNotAllocateForSafeText(t *testing.T) {
	s := "Information Security Policy Communication — Grüße"
	if n := testing.AllocsPerRun(100, func() { _ = Line(s) }); n != 0 {
		t.Errorf("Line of safe text allocates %v times", n)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a\x1bb", "\u202e", "\xff\xfe", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if Index(out, true) >= 0 || !utf8.ValidString(out) {
			t.Fatalf("Line(%q) = %q still holds unsafe text", s, out)
		}
		if Index(s, true) < 0 && out != s {
			t.Fatalf("Line changed safe text %q to %q", s, out)
		}
	})
}
