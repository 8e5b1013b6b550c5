package driver

import (
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// A retry that differs only in a field of the programme's loop names the
// field, not "its encoding" (review 4, minor point).
func TestDifferencesProgrammeFields(t *testing.T) {
	two, three := 2, 3
	base := comms.Record{Type: comms.RecordTypeFeedback, From: "customers", Score: &two}
	for want, change := range map[string]func(*comms.Record){
		"from":       func(r *comms.Record) { r.From = "suppliers" },
		"score":      func(r *comms.Record) { r.Score = &three },
		"handled_at": func(r *comms.Record) { r.HandledAt = r.HandledAt.AddDate(2026, 0, 0) },
		"drill":      func(r *comms.Record) { r.Drill = true },
	} {
		again := base
		change(&again)
		if got := strings.Join(differences(base, again), ", "); got != want {
			t.Errorf("differences: %q, want %q", got, want)
		}
	}
	none := base
	none.Score = nil
	if got := strings.Join(differences(base, none), ", "); got != "score" {
		t.Errorf("a score and none: %q", got)
	}
	if got := strings.Join(differences(base, base), ", "); got != "its encoding" {
		t.Errorf("no difference: %q", got)
	}
}
