package remind_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/remind"
	"github.com/ismscomms/ismscomms/store"
)

// dailyPlan has one daily activity with the longest policy a plan may
// give: before a year, escalations a year after a ten-year deadline.
func dailyPlan(t testing.TB, within string) comms.Plan {
	t.Helper()
	p, err := comms.DecodePlan(stringsReader(fmt.Sprintf(`format: ismscomms/v1
id: daily
roles: [{id: iso}]
stakeholders: [{id: employees, scope: internal}]
reminders:
  before: [12mo, 366d, 262bd, 8784h, 1d]
  escalate: [{after: 12mo, to: iso}, {after: 262bd, to: iso}]
activities:
  - id: check
    whom: [employees]
    owner: iso
    when: {rrule: "FREQ=DAILY", start: "2026-01-01T09:00", within: %s}
`, within)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func allocs(t *testing.T, in remind.Input) float64 {
	t.Helper()
	if _, err := remind.Due(in); err != nil {
		t.Fatal(err)
	}
	return testing.AllocsPerRun(3, func() { _, _ = remind.Due(in) })
}

// Due never walks a recurrence from its start: a run ten years after the
// start costs what a run five years after it does (both look at a full
// window of occurrences).
func TestCostDoesNotGrowWithHistory(t *testing.T) {
	p := dailyPlan(t, "1d")
	in := remind.Input{Tenant: "t", Plan: p}
	in.Now = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	early := allocs(t, in)
	in.Now = time.Date(2035, 6, 1, 12, 0, 0, 0, time.UTC)
	late := allocs(t, in)
	if late > early*1.2+100 {
		t.Errorf("a run in 2035 allocates %.0f times, one in 2030 %.0f: the recurrence is walked from its start", late, early)
	}
}

// The longest policy on a daily activity with a ten-year deadline stays
// within a bounded cost: the occurrences looked at are those of the
// window widened by the offsets, not all of history.
func TestCostOfTheLongestPolicy(t *testing.T) {
	in := remind.Input{Tenant: "t", Plan: dailyPlan(t, "120mo"), Now: time.Date(2036, 6, 1, 12, 0, 0, 0, time.UTC)}
	got, err := remind.Due(in)
	if err != nil {
		t.Fatal(err)
	}
	// Every occurrence of the last day is overdue by nothing yet; the
	// before-reminders of the window are due.
	if len(got) == 0 {
		t.Error("no reminder at all")
	}
	if a := allocs(t, in); a > 400_000 {
		t.Errorf("%.0f allocations for one daily activity", a)
	}
}

// Chasing costs O(people): four times the people, about four times the
// allocations.
func TestCostLinearInPeople(t *testing.T) {
	in := world(t)
	in.MaxLate = 30 * 24 * time.Hour
	in.Now, in.Since = at("2026-03-18 06:00"), at("2026-03-05 06:00")
	with := func(n int) remind.Input {
		x := in
		x.Versions = []store.Version{in.Versions[0]}
		x.Roster = comms.Roster{ID: "staff"}
		for i := range n {
			x.Roster.People = append(x.Roster.People, comms.Person{ID: fmt.Sprintf("p%05d", i), Name: "P", Email: fmt.Sprintf("p%05d@example.com", i), Stakeholders: []string{"employees"}})
		}
		return x
	}
	small, large := allocs(t, with(1000)), allocs(t, with(4000))
	if large > small*4.5 {
		t.Errorf("4,000 people: %.0f allocations, 1,000: %.0f (more than linear)", large, small)
	}
	// Chases 2, 3 and 4 of each (the first, on 5 March at 00:00, was
	// before Since).
	if got, _ := remind.Due(with(1000)); len(got) != 3000 {
		t.Errorf("%d reminders for 1,000 people chased 3 times in the window", len(got))
	}
}
