// Command quickstart loads a communication plan (the starter plan built
// into the library, or the plan file named on the command line), validates
// it and prints its communication matrix.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart examples/plans/starter.yaml
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
)

func main() {
	log.SetFlags(0)
	plan := matrix.Starter()
	if len(os.Args) > 1 {
		var err error
		if plan, err = comms.LoadPlan(os.Args[1]); err != nil {
			log.Fatal(err)
		}
	}
	if err := plan.Validate(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("# %s — communication matrix (%d activities)\n\n", plan.Organization, len(plan.Activities))
	if err := matrix.Build(plan).WriteMarkdown(os.Stdout); err != nil {
		log.Fatal(err)
	}
}
