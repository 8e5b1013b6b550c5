package comms_test

import (
	"fmt"
	"strings"

	"github.com/ismscomms/ismscomms/comms"
)

func ExampleDecodePlan() {
	plan, err := comms.DecodePlan(strings.NewReader(`
format: ismscomms/v1
id: acme
timezone: Europe/Berlin
roles: [{id: iso, name: Information Security Officer}]
stakeholders: [{id: employees, name: All Employees, scope: internal, kind: employees}]
channels: [{id: email, name: Email, kind: email, reach: [internal], max_classification: internal}]
activities:
  - id: policy
    what: {topic: policy, message: "The policy and why it matters", classification: internal}
    whom: [employees]
    how: [email]
    when: {rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15", start: "2026-01-15T09:00", within: 14d}
    owner: iso
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	a := plan.Activities[0]
	fmt.Println(a.ID, a.What.Topic, a.Whom, a.When.RRule, a.When.Start)
	// Output: policy policy [employees] FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15 2026-01-15T09:00
}

func ExamplePlanError() {
	_, err := comms.DecodePlan(strings.NewReader(`
id: acme
timezone: Mars/Olympus
activities:
  - id: policy
    whom: [everyone]
    ownr: iso
`))
	fmt.Println(err)
	// Output:
	// 3 problems:
	//   3:11: timezone: unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin or UTC
	//   6:12: activities[0].whom[0]: stakeholder "everyone" is not declared in stakeholders
	//   7:5: activities[0].ownr: unknown field "ownr" (did you mean "owner"?)
}
