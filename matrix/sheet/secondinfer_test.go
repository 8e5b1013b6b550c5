package sheet

import (
	"strings"
	"testing"
)

// What a second column's inference says is what the plan holds: a second
// responsible-party column's names are support when the first named the
// owner, and a cell repeating names already listed says so, never an
// empty value.
func TestSecondColumnInferences(t *testing.T) {
	data := "Activity,Key message,Audience,Method,Timing,Owner,Responsible,Stakeholders\n" +
		"Policy communication,The policy,All staff,Email,Monthly,CISO,HR Manager,All staff\n"
	res := mustReadCSV(t, []byte(data))
	a := res.Plan.Activities[0]
	if a.Owner != "ciso" || len(a.Support) != 1 || a.Support[0] != "hr-manager" {
		t.Fatalf("owner %q, support %v", a.Owner, a.Support)
	}
	var got []string
	for _, inf := range res.Inferences {
		if inf.Row == 2 && inf.Column >= 7 {
			got = append(got, inf.Path+" = "+inf.Value)
			if inf.Value == "" {
				t.Errorf("an inference of no value: %v", inf)
			}
		}
	}
	joined := strings.Join(got, "; ")
	if !strings.Contains(joined, "activities[0].support = hr-manager") || strings.Contains(joined, "owner = hr-manager") {
		t.Errorf("the second owner column's inference: %s", joined)
	}
	if !strings.Contains(joined, "activities[0].whom = All staff") {
		t.Errorf("the repeating audience column's inference: %s", joined)
	}
}

// A message quotes at most quotedMax runes of a cell, however long the
// cell: an 8 KiB audience name of no kind, an 8 KiB timing.
func TestMessagesQuoteCellsShort(t *testing.T) {
	long := strings.Repeat("Zorblax ", 1000)[:8000]
	data := "Activity,Key message,Audience,Method,Timing,Owner\n" +
		"Policy communication,The policy," + long + ",Email," + long + ",CISO\n"
	res := mustReadCSV(t, []byte(data))
	if len(res.Problems) < 2 {
		t.Fatalf("problems %v", res.Problems)
	}
	for _, p := range res.Problems {
		if len(p.Message) > 1000 {
			t.Errorf("a message of %d bytes: %.200s…", len(p.Message), p.Message)
		}
	}
	for _, inf := range res.Inferences {
		if len(inf.Why) > 1000 {
			t.Errorf("an inference of %d bytes: %.200s…", len(inf.Why), inf.Why)
		}
	}
	if got := shortenQuoted(`a "` + strings.Repeat("é", 100) + `" and "short" and "unclosed`); got != `a "`+strings.Repeat("é", 79)+`…" and "short" and "unclosed` {
		t.Errorf("shortenQuoted: %s", got)
	}
}
