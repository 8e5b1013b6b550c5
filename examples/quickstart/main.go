// Command quickstart loads a communication plan (the starter plan built
// into the library, or the plan file named on the command line), validates
// it, prints its communication matrix and the communications due in the
// next 90 days.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -from 2026-12-01 examples/plans/starter.yaml
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
)

func main() {
	log.SetFlags(0)
	fromFlag := flag.String("from", "", "first day of the 90-day agenda, YYYY-MM-DD (default: today)")
	flag.Parse()

	plan := matrix.Starter()
	if flag.NArg() > 0 {
		var err error
		if plan, err = comms.LoadPlan(flag.Arg(0)); err != nil {
			log.Fatal(err)
		}
	}
	if err := plan.Validate(); err != nil {
		log.Fatal(err)
	}
	loc, err := plan.Location()
	if err != nil {
		log.Fatal(err)
	}
	from := time.Now().In(loc)
	if *fromFlag != "" {
		if from, err = time.ParseInLocation(time.DateOnly, *fromFlag, loc); err != nil {
			log.Fatalf("-from: %v", err)
		}
	}
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 90)

	fmt.Printf("# %s — communication matrix (%d activities)\n\n", plan.Organization, len(plan.Activities))
	if err := matrix.Build(plan).WriteMarkdown(os.Stdout); err != nil {
		log.Fatal(err)
	}

	agenda := schedule.NewAgenda()
	if err := agenda.AddPlan("", plan); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n## Next 90 days (%s to %s)\n\n", from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly))
	for o := range agenda.Between(from, to) {
		a, _ := plan.Activity(o.Key)
		fmt.Printf("- %s  %s\n", o.At.Format("Mon 2006-01-02 15:04 MST"), a.Name)
	}
}
