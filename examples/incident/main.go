// Command incident walks an incident through its notification clock: a
// breach detected on Friday 16:00 in Berlin, awareness of the personal-data
// impact on Saturday 10:00, classification as a major ICT incident on
// Monday. The organization is a financial entity under the GDPR, NIS2 and
// DORA. At each moment it prints every communication owed, the law behind
// it, its deadline and the time left — and how the clock moves as reports
// are sent.
//
//	go run ./examples/incident
package main

import (
	"fmt"
	"log"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
)

func main() {
	log.SetFlags(0)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		log.Fatal(err)
	}
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("Mon 2006-01-02 15:04", s, berlin)
		if err != nil {
			log.Fatal(err)
		}
		return t
	}

	// The GDPR + NIS2 starter plan, plus DORA's three reports.
	plan := matrix.StarterGDPRNIS2()
	plan.Stakeholders = append(plan.Stakeholders, comms.Stakeholder{ID: "bafin", Name: "BaFin", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindRegulator})
	dora := func(id, name, trigger, within, obligation string) comms.Activity {
		return comms.Activity{ID: id, Name: name, Whom: []string{"bafin"}, How: []string{"formal-reports"}, Owner: "compliance",
			What:        comms.Message{Topic: comms.TopicRegulatoryReport, Message: name, Classification: comms.ClassificationConfidential},
			When:        comms.Timing{Trigger: trigger, Within: within},
			Obligations: []string{obligation}}
	}
	plan.Activities = append(plan.Activities,
		dora("dora-initial", "DORA initial notification", "incident.classified", "4h", "dora-initial"),
		dora("dora-intermediate", "DORA intermediate report", "activity:dora-initial", "72h", "dora-intermediate"),
		dora("dora-final", "DORA final report", "activity:dora-intermediate", "1mo", "dora-final"),
		comms.Activity{ID: "dora-clients", Name: "Notice to clients (DORA Art. 19(3))", Whom: []string{"customers"}, How: []string{"email"}, Owner: "compliance",
			What:        comms.Message{Topic: comms.TopicIncident, Message: "A major incident affecting your financial interests", Classification: comms.ClassificationConfidential},
			When:        comms.Timing{Trigger: "incident.classified", Within: "24h"},
			Obligations: []string{"dora-clients"}},
	)
	if err := plan.Validate(); err != nil {
		log.Fatal(err)
	}
	if r := matrix.Check(plan, matrix.At(at("Fri 2026-03-06 09:00")), matrix.Profile("gdpr"), matrix.Profile("nis2"), matrix.Profile("dora")); !r.OK() {
		r.WriteText(os.Stderr, matrix.TextOptions{})
		log.Fatal("the plan does not meet its profiles")
	}

	inc := comms.Event{ID: "INC-2026-031", Kind: "incident", Title: "Customer database exposed"}
	var records []comms.Record
	milestone := func(name, when string) {
		inc.Milestones = append(inc.Milestones, comms.Milestone{Name: name, At: at(when)})
		fmt.Printf("\n» %s: incident.%s\n", when, name)
	}
	send := func(activity, when string) {
		records = append(records, comms.Record{ActivityID: activity, EventID: inc.ID, SentAt: at(when), Channel: "formal-reports"})
		fmt.Printf("\n» %s: sent %s\n", when, activity)
	}
	show := func(now string) {
		owed, err := regulation.IncidentClock(plan, inc, records, at(now))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("\nClock at %s\n", now)
		w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  COMMUNICATION\tLAW\tTO\tDUE\tSTATUS")
		for _, o := range owed {
			due := "—"
			if !o.Due.IsZero() {
				due = o.Due.Format("Mon 02 Jan 15:04")
			}
			law := strings.Join(o.Obligations, ", ")
			if law == "" {
				law = "(plan)"
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", o.Activity, law, strings.Join(o.Recipients, ", "), due, o)
		}
		w.Flush()
	}

	milestone("detected", "Fri 2026-03-06 16:00")
	show("Fri 2026-03-06 16:30")
	send("incident-response", "Fri 2026-03-06 16:45")
	milestone("aware", "Sat 2026-03-07 10:00")
	show("Sat 2026-03-07 12:00")
	send("nis2-early-warning", "Sun 2026-03-08 09:00")
	send("nis2-service-recipients", "Sun 2026-03-08 09:30")
	milestone("classified", "Mon 2026-03-09 09:00")
	show("Mon 2026-03-09 09:15")
	send("dora-initial", "Mon 2026-03-09 12:00")
	send("nis2-notification", "Mon 2026-03-09 15:00")
	send("gdpr-breach-notification", "Mon 2026-03-09 15:30")
	send("regulator-incident-reports", "Mon 2026-03-09 16:00")
	show("Mon 2026-03-09 17:00")
	send("dora-intermediate", "Thu 2026-03-12 10:00")
	show("Fri 2026-03-13 09:00")
}
