package evidence

import (
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/internal/zone/zonetest"
)

// A zone's abbreviation comes from the zone database, which ZONEINFO can
// point anywhere: the reports show it escaped (the review's D12: a title
// change and a screen clear reached the Markdown report).
func TestDateHostileZone(t *testing.T) {
	rep := &Assessment{loc: zonetest.Hostile()}
	got := rep.date(time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC))
	if strings.ContainsAny(got, "\x1b\x07") || !strings.Contains(got, `EVS\x1b[2J`) {
		t.Errorf("date = %q; want the abbreviation escaped", got)
	}
}
