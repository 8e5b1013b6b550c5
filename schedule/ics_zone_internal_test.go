package schedule

import (
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/ismscomms/ismscomms/internal/zone/zonetest"
)

// TestVTimezoneHostileNames: a VTIMEZONE's TZNAME is TEXT, which RFC 5545
// §3.3.11 allows no control character in; a zone's abbreviation is written
// without them, whatever the zone file says.
func TestVTimezoneHostileNames(t *testing.T) {
	cal := ics.NewCalendar()
	cal.AddVTimezone(vtimezone(zonetest.Hostile(), 2025))
	out := cal.Serialize()
	if !strings.Contains(out, "TZNAME:EV]0") || !strings.Contains(out, "TZNAME:EVS[2J") {
		t.Fatalf("the VTIMEZONE lost the names:\n%s", out)
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return r < 0x20 && r != '\r' && r != '\n' }); i >= 0 {
		t.Errorf("a control character at byte %d of the VTIMEZONE:\n%q", i, out)
	}
}
