// Package zone loads IANA time zones once and shares them. time.LoadLocation
// reads and parses the zone file on every call and returns a new Location
// each time, whose lookup cache then starts cold; a plan with thousands of
// activities, or an agenda with thousands of tenants, needs each zone once.
package zone

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

var cache sync.Map // name → *time.Location

// Load returns the IANA zone name, loading it on first use. It refuses
// names that are not IANA names even where Go accepts them ("Local",
// paths). "UTC" and "" are time.UTC.
func Load(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if loc, ok := cache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "Local" || len(name) > 64 || strings.ContainsAny(name, " \\:") || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin or UTC", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin or UTC", name)
	}
	actual, _ := cache.LoadOrStore(name, loc)
	return actual.(*time.Location), nil
}
