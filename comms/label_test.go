package comms_test

import (
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// TestLabel: an activity's and a stakeholder's label is its name, or its
// ID when it has none.
func TestLabel(t *testing.T) {
	for _, tc := range []struct {
		name, id, want string
	}{
		{name: "Board of directors", id: "board", want: "Board of directors"},
		{name: "", id: "board", want: "board"},
		{name: "", id: "", want: ""},
	} {
		if got := (comms.Stakeholder{ID: tc.id, Name: tc.name}).Label(); got != tc.want {
			t.Errorf("Stakeholder{ID: %q, Name: %q}.Label() = %q, want %q", tc.id, tc.name, got, tc.want)
		}
		if got := (comms.Activity{ID: tc.id, Name: tc.name}).Label(); got != tc.want {
			t.Errorf("Activity{ID: %q, Name: %q}.Label() = %q, want %q", tc.id, tc.name, got, tc.want)
		}
	}
}
