package matrix_test

import (
	"fmt"
	"os"

	"github.com/ismscomms/ismscomms/matrix"
)

func ExampleBuild() {
	m := matrix.Build(matrix.Starter())
	for _, r := range m.Rows[:3] {
		fmt.Printf("%s | %s | %s\n", r.Activity, r.Timing, r.Responsible[0])
	}
	// Output:
	// Information Security Policy Communication | Annually on 15 January | Information Security Officer
	// Policy Changes and Updates | Within 7 days of policy.changed | Information Security Officer
	// Security Awareness Training | Annually on 2 March | Training Department
}

func ExampleMatrix_WriteMarkdown() {
	p := matrix.Starter()
	p.Activities = p.Activities[12:13]
	if err := matrix.Build(p).WriteMarkdown(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// | Communication activity | Key message | Target audience | Communication method | Timing | Responsible party |
	// |---|---|---|---|---|---|
	// | Security Metrics and Dashboards | Reporting key security metrics to management | Management | Dashboards, Reports | Monthly on the first Monday | Information Security Officer |
}
