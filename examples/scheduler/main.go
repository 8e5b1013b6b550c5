// Command scheduler shows the Agenda at work for a multi-tenant product: it
// loads every tenant's plan from a directory and prints what is due this
// week across all of them, in time order, each in its tenant's local time.
//
//	go run ./examples/scheduler
//	go run ./examples/scheduler -dir examples/scheduler/tenants -week 2026-12-07
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/schedule"
)

func main() {
	log.SetFlags(0)
	dir := flag.String("dir", "tenants", "directory of tenant plans, one <tenant>.yaml each")
	week := flag.String("week", "", "any day of the week to show, YYYY-MM-DD (default: this week)")
	flag.Parse()
	if _, err := os.Stat(*dir); err != nil && *dir == "tenants" {
		*dir = filepath.Join("examples", "scheduler", "tenants") // run from the repository root
	}

	files, err := filepath.Glob(filepath.Join(*dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		log.Fatalf("no plans in %s", *dir)
	}
	agenda := schedule.NewAgenda()
	names := map[string]string{} // agenda key → "tenant: activity"
	for _, f := range files {
		tenant := strings.TrimSuffix(filepath.Base(f), ".yaml")
		plan, err := comms.LoadPlan(f)
		if err != nil {
			log.Fatal(err)
		}
		prefix := tenant + "/" + plan.ID + "/"
		if err := agenda.AddPlan(prefix, plan); err != nil {
			log.Fatal(err)
		}
		for _, a := range plan.Activities {
			names[prefix+a.ID] = fmt.Sprintf("%-16s %s", tenant, a.Name)
		}
	}

	day := time.Now().UTC()
	if *week != "" {
		if day, err = time.Parse(time.DateOnly, *week); err != nil {
			log.Fatalf("-week: %v", err)
		}
	}
	monday := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	// The week as the earliest and latest zones see it; each occurrence is
	// then kept if it falls in the week in its own tenant's local time.
	from, to := monday.Add(-14*time.Hour), monday.AddDate(0, 0, 7).Add(12*time.Hour)
	first, last := monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly)
	fmt.Printf("Due in the week of %s across %d tenants (%d recurring activities):\n\n", monday.Format("Mon 2 January 2006"), len(files), agenda.Len())
	for o := range agenda.Between(from, to) {
		if local := o.At.Format(time.DateOnly); local < first || local > last {
			continue
		}
		fmt.Printf("%s  %-26s  %s\n", o.At.UTC().Format("Mon 15:04Z"), o.At.Format("Mon 02 Jan 15:04 MST"), names[o.Key])
	}
}
