package sheet_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix/sheet"
)

// Read turns a spreadsheet matrix into a plan, saying what it inferred and
// what is left to review.
func ExampleRead() {
	csv := `Activity,Key message,Target audience,Method,Timing,Responsible party
Security policy communication,The information security policy,All employees,Email and intranet,Annually,CISO
Incident notification,What happened and what to do,Regulators,Email,Within 72 hours,DPO
`
	res, err := sheet.Read(strings.NewReader(csv), "matrix.csv", sheet.Options{
		Now:   time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC),
		Start: comms.Date{Year: 2026, Month: time.June, Day: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Plan.Activities {
		when := a.When.RRule
		if a.When.Trigger != "" {
			when = a.When.Trigger + " within " + a.When.Within
		}
		fmt.Printf("%s: topic %s, to %v by %v, %s, owner %s\n", a.ID, a.What.Topic, a.Whom, a.How, when, a.Owner)
	}
	fmt.Println("every inference listed:", len(res.Inferences) > 0, "- complete:", res.Complete())
	for _, p := range res.Problems {
		fmt.Println("to review:", p)
	}
	// Output:
	// security-policy-communication: topic policy, to [all-employees] by [email intranet], FREQ=YEARLY, owner ciso
	// incident-notification: topic incident, to [regulators] by [email], incident.detected within 72h, owner dpo
	// every inference listed: true - complete: true
}
