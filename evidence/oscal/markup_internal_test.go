package oscal

import (
	"strings"
	"testing"
	"testing/quick"
)

func TestEscapeMarkup(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, 5.2 e), 7.4", "plain text, 5.2 e), 7.4"},
		{"a*b*c", `a\*b\*c`},
		{"x_y_", `x\_y\_`},
		{"[t](u)", `\[t\](u)`},
		{"<b>&amp;", `\<b\>\&amp;`},
		{"a|b ~~s~~", `a\|b \~\~s\~\~`},
		{"{{ insert: param, x }} {single}", `\{{ insert: param, x }} {single}`},
		{`back\slash`, `back\\slash`},
		{"# h\n## h2\n#tag", "\\# h\n\\## h2\n#tag"},
		{"- item\n+ item\n-1 day\n---\n===", "\\- item\n\\+ item\n-1 day\n\\---\n\\==="},
		{"1. first\n  2) second\n2026-01-01\n3.5 days", "1\\. first\n  2\\) second\n2026-01-01\n3.5 days"},
		{"> quote", `\> quote`},
		{"12.", `12\.`},
	} {
		if got := escapeMarkup(c.in); got != c.want {
			t.Errorf("escapeMarkup(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// CommonMark's backslash escape (a backslash before ASCII punctuation
// stands for the punctuation) undoes escapeMarkup exactly, and escaping
// adds only backslashes.
func TestEscapeMarkupReversible(t *testing.T) {
	unescape := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i+1]) >= 0 {
				i++
			}
			b.WriteByte(s[i])
		}
		return b.String()
	}
	f := func(s string) bool {
		e := escapeMarkup(s)
		return unescape(e) == s && strings.ReplaceAll(e, `\`, "") == strings.ReplaceAll(s, `\`, "")
	}
	cfg := &quick.Config{MaxCount: 5000, Values: nil}
	if err := quick.Check(f, cfg); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"\\\\*", "*\n#\n1.", "\\", "a\\\n- b", "{{{"} {
		if !f(s) {
			t.Errorf("%q: escaped %q does not unescape to it", s, escapeMarkup(s))
		}
	}
}
