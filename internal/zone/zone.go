// Package zone loads IANA time zones once and shares them. time.LoadLocation
// reads and parses the zone file on every call and returns a new Location
// each time, whose lookup cache then starts cold; a plan with thousands of
// activities, or an agenda with thousands of tenants, needs each zone once.
//
// It accepts only the names of the IANA time zone database (its zones and
// the links its data files define, such as "US/Eastern"), as Go's own copy
// of the database holds them: not the other files a system's zoneinfo
// directory keeps ("localtime", "posixrules", "right/UTC", "posix/…"),
// which time.LoadLocation also reads, nor "Local" or "Factory".
package zone

//go:generate go run gen.go

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

var cache sync.Map // name → *time.Location

// sorted is names split into a sorted slice, on first use.
var sorted = sync.OnceValue(func() []string { return strings.Split(names, "\n") })

// Known reports whether name is a zone name of the IANA database.
func Known(name string) bool {
	_, found := slices.BinarySearch(sorted(), name)
	return found
}

// Load returns the IANA zone name, loading it on first use. It refuses
// names that are not IANA zone names even where Go accepts them ("Local",
// paths, "localtime", "right/UTC"). "UTC" and "" are time.UTC.
func Load(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if loc, ok := cache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if !Known(name) {
		return nil, fmt.Errorf("unknown time zone %s: use an IANA name such as Europe/Berlin or UTC", quote(name))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %s cannot be loaded: %w", quote(name), err)
	}
	actual, _ := cache.LoadOrStore(name, loc)
	return actual.(*time.Location), nil
}

// quote quotes a name for a message, cut to a length a message can hold.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		i := max
		for i > 0 && s[i]&0xc0 == 0x80 {
			i--
		}
		return fmt.Sprintf("%q…", s[:i])
	}
	return fmt.Sprintf("%q", s)
}
