package comms_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ismscomms/ismscomms/comms"
)

// Generators of the hostile inputs of each cost class (issue 12). They are
// generated rather than stored because most are megabytes long; the
// benchmarks (cost_bench_test.go) and the complexity tests
// (cost_test.go) share them, and use only the public API so that the same
// benchmarks run against older versions of the package.

const planHead = "format: ismscomms/v1\nid: hostile\ntimezone: Europe/Berlin\nroles: [{id: iso}]\nstakeholders: [{id: staff, scope: internal, kind: employees}]\nchannels: [{id: mail, kind: email}]\n"

// rulePlan is a YAML plan with n activities, activity i having the rule
// rule(i) and the start start(i).
func rulePlan(n int, rule func(i int) string, start func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(planHead)
	b.WriteString("activities:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {id: a%d, when: {rrule: %q, start: %s}}\n", i, rule(i), start(i))
	}
	return []byte(b.String())
}

// countPlan: 50 activities with 24 times a day and a COUNT of 60 million
// (the 1.6 KB plan).
func countPlan() []byte {
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = fmt.Sprint(h)
	}
	rule := "FREQ=DAILY;BYHOUR=" + strings.Join(hours, ",") + ";COUNT=60000000"
	return rulePlan(50, func(int) string { return rule }, func(int) string { return "2026-01-01T00:00" })
}

// unsatRules are rules that can never match, one of each frequency, that
// cost the old engine a walk of a whole 400-year cycle each.
var unsatRules = []string{
	"FREQ=DAILY;BYHOUR=9;BYSETPOS=2",
	"FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
	"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
	"FREQ=YEARLY;BYDAY=MO;BYSETPOS=54",
	"FREQ=DAILY;INTERVAL=7;BYDAY=MO",
	"FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
}

// unsatCopies: 2,000 copies of one rule that never matches (about 50 KB).
func unsatCopies(rule string) []byte {
	return rulePlan(2000, func(int) string { return rule }, func(int) string { return "2026-01-06T09:00" })
}

// unsatDistinct: 2,000 different rules that never match (their starts
// differ, so no cache can share the work).
func unsatDistinct() []byte {
	return rulePlan(2000, func(i int) string { return unsatRules[i%len(unsatRules)] }, func(i int) string {
		return fmt.Sprintf("%04d-01-%02dT09:00", 2026+i/len(unsatRules)/28, 1+i/len(unsatRules)%28)
	})
}

// jsonTokens is a JSON plan of about size bytes on one line that is mostly
// one long list: many small tokens, each of which the old decoder located
// by recounting the characters from the start of the line.
func jsonTokens(size int) []byte {
	var b bytes.Buffer
	b.WriteString("{\"id\": \"a\", \"activities\": [{\"id\": \"x\", \"whom\": [")
	for b.Len() < size {
		b.WriteString("\"s\",")
	}
	b.WriteString("\"s\"]}]}")
	return b.Bytes()
}

// storedPlan is a plan of n activities, as a store keeps it: the output of
// comms.EncodeJSON.
func storedPlan(n int) []byte {
	p := comms.Plan{
		Format: comms.Format, ID: "big", Organization: "Acme", TimeZone: "Europe/Berlin",
		Roles:        []comms.Role{{ID: "iso", Name: "Information Security Officer"}},
		Stakeholders: []comms.Stakeholder{{ID: "staff", Name: "All staff", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees}},
		Channels:     []comms.Channel{{ID: "mail", Name: "Email", Kind: comms.ChannelKindEmail, Reach: []comms.Scope{comms.ScopeInternal}}},
	}
	for i := 0; i < n; i++ {
		a := comms.Activity{
			ID:   fmt.Sprintf("a%05d", i),
			Whom: []string{"staff"},
			When: comms.Timing{RRule: "FREQ=MONTHLY;BYDAY=1MO", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 5}, Hour: 9}},
		}
		p.Activities = append(p.Activities, a)
	}
	var b bytes.Buffer
	if err := comms.EncodeJSON(&b, p); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// aliasBomb is one string of size bytes, used as the name of n activities
// through a YAML alias.
func aliasBomb(size, n int) []byte {
	var b strings.Builder
	b.WriteString(planHead)
	b.WriteString("organization: &big ")
	b.WriteString(strings.Repeat("x", size))
	b.WriteString("\nactivities:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {id: a%d, name: *big}\n", i)
	}
	return []byte(b.String())
}

// flatList is a flow list of n one-letter scalars where the plan expects a
// list of stakeholder IDs.
func flatList(n int) []byte {
	var b bytes.Buffer
	b.WriteString("id: a\nactivities: [{id: x, whom: [")
	for i := 0; i < n; i++ {
		b.WriteString("s,")
	}
	b.WriteString("s]}]\n")
	return b.Bytes()
}
