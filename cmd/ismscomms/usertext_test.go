package main

import "testing"

// TestUserText: the package names an error passed through are dropped,
// but not a user's value that happens to look like one.
func TestUserText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`evidence: records: sqlite: store: record chain of tenant "t" broken at record 1: its content does not match its hash`,
			`records: record chain of tenant "t" broken at record 1: its content does not match its hash`},
		{`schedule: activity a0: schedule: rrule "FREQ=DAILY": too many`, `activity a0: rrule "FREQ=DAILY": too many`},
		{`store: invalid: event ID "store: x" is bad`, `invalid: event ID "store: x" is bad`},
		{`the store refused it: store: conflict`, `the store refused it: conflict`},
		{`restore: x`, `restore: x`},
		{`store: `, `store: `},
		{`"unterminated store: `, `"unterminated store: `},
	} {
		if got := userText(tc.in); got != tc.want {
			t.Errorf("userText(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
