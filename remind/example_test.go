package remind_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/remind"
)

// A monthly newsletter reminds its owner a week and a day ahead; a
// policy chases who has not acknowledged it every 3 business days.
func Example() {
	plan, err := comms.DecodePlan(strings.NewReader(`format: ismscomms/v1
id: acme
timezone: Europe/Berlin
roles: [{id: iso, name: Security Officer, contact: iso@example.com}]
stakeholders: [{id: employees, scope: internal}]
reminders:
  before: [7d, 1d]
activities:
  - id: newsletter
    whom: [employees]
    owner: iso
    when: {rrule: "FREQ=MONTHLY;BYMONTHDAY=15", start: "2026-01-15T10:00"}
  - id: policy
    what: {topic: policy, version: {digest: "` + comms.Digest([]byte("policy")) + `", effective: 2026-03-02}}
    whom: [employees]
    owner: iso
    grace: 14d
    reminders:
      chase: {every: 3bd, max: 4}
`))
	if err != nil {
		panic(err)
	}
	roster := comms.Roster{ID: "staff", People: []comms.Person{
		{ID: "e-1001", Name: "Alice", Email: "alice@example.com", Stakeholders: []string{"employees"}},
	}}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	due, err := remind.Due(remind.Input{
		Tenant: "acme", Plan: plan, Roster: roster,
		Since: time.Date(2026, 3, 4, 12, 0, 0, 0, berlin), // the previous run
		Now:   time.Date(2026, 3, 8, 10, 30, 0, 0, berlin),
		// The runs were four days apart: let reminders be that late.
		MaxLate: 5 * 24 * time.Hour,
	})
	if err != nil {
		panic(err)
	}
	for _, r := range due {
		fmt.Println(r.At.Format("Mon 02 Jan 15:04"), r.To.Address, r.Subject)
		fmt.Println("  ", r.Key)
	}
	// Output:
	// Thu 05 Mar 00:00 alice@example.com Please acknowledge: policy
	//    remind/v1/acme/acme/policy/~64a102fddd7ff12c6048902ea7d3a708/person:e-1001/chase/1
	// Sun 08 Mar 10:00 iso@example.com Reminder: newsletter on 2026-03-15 10:00 CET
	//    remind/v1/acme/acme/newsletter/at:2026-03-15T09:00:00Z/role:iso/before/7d
}
