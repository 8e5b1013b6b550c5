package regulation_test

import (
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
)

// Look an obligation up in the catalog by the ID a plan's activity names
// in its obligations.
func ExampleLookup() {
	o, ok := regulation.Lookup("gdpr-art33")
	fmt.Println(ok)
	fmt.Println(o.Title())
	fmt.Println(o.DeadlineText())
	fmt.Println(o.Evidence, o.Source)
	_, ok = regulation.Lookup("gdpr-art99")
	fmt.Println(ok)
	// Output:
	// true
	// Regulation (EU) 2016/679 (GDPR) Art. 33(1): controller → supervisory authority
	// without undue delay, at most 72h after incident.aware
	// primary https://gdprhub.eu/Article_33_GDPR
	// false
}

// The legal deadline of an obligation for an incident: GDPR Art. 33 runs 72
// hours from awareness, so it is not owed until the event has that
// milestone.
func ExampleObligation_DeadlineFor() {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	inc := comms.Event{ID: "INC-7", Kind: "incident", Milestones: []comms.Milestone{
		{Name: "detected", At: time.Date(2026, 3, 6, 16, 0, 0, 0, berlin)},
	}}
	o, _ := regulation.Lookup("gdpr-art33")
	_, owed, err := o.DeadlineFor(inc, nil, berlin)
	fmt.Println(owed, err)

	inc.Milestones = append(inc.Milestones, comms.Milestone{Name: "aware", At: time.Date(2026, 3, 7, 10, 0, 0, 0, berlin)})
	d, owed, err := o.DeadlineFor(inc, nil, berlin)
	fmt.Println(owed, err)
	fmt.Println("arose:", d.Start.Format("Mon 2006-01-02 15:04 MST"))
	fmt.Println("due:  ", d.At.Format("Mon 2006-01-02 15:04 MST"), "undue delay:", d.UndueDelay)
	// Output:
	// false <nil>
	// true <nil>
	// arose: Sat 2026-03-07 10:00 CET
	// due:   Tue 2026-03-10 10:00 CET undue delay: true
}

// A profile is the set of obligations a plan under a law must carry.
func ExampleProfile() {
	obligations, _ := regulation.Profile("nis2")
	for _, o := range obligations {
		fmt.Println(o.ID, "—", o.DeadlineText())
	}
	// Output:
	// nis2-early-warning — 24h after incident.aware
	// nis2-notification — 72h after incident.aware
	// nis2-final — 1mo after submitted:nis2-notification
	// nis2-recipients — without undue delay
}
