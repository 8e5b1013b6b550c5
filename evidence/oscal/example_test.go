package oscal_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/evidence/oscal"
)

// A quarter of a monthly communication, sent in January and February and
// missed in March, exported as OSCAL assessment results and a POA&M.
func ExampleAssessmentResults() {
	plan, err := comms.DecodePlan(strings.NewReader(`format: ismscomms/v1
id: metrics
organization: Example Org
timezone: UTC
roles: [{id: iso, name: Information Security Officer}]
stakeholders: [{id: staff, name: All staff, scope: internal, kind: employees}]
channels: [{id: email, name: Email, kind: email, reach: [internal], max_classification: internal}]
activities:
  - id: metrics
    name: Security metrics
    what: {topic: metrics, message: "Monthly metrics", classification: internal}
    whom: [staff]
    how: [email]
    when: {rrule: "FREQ=MONTHLY;BYMONTHDAY=5", start: "2026-01-05T09:00", within: 3d}
    owner: iso
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, time.UTC) }
	var records []comms.Record
	prev := ""
	for i, m := range []time.Month{time.January, time.February} {
		r := comms.Record{Seq: int64(i + 1), PlanID: "metrics", PlanVersion: 1, ActivityID: "metrics",
			Occurrence: time.Date(2026, m, 5, 9, 0, 0, 0, time.UTC), SentAt: day(m, 5), RecordedAt: day(m, 5),
			Channel: "email", Audiences: []string{"staff"}, SenderRole: "iso", PrevHash: prev}
		r.Hash = fmt.Sprintf("%064x", i+1) // a store sets the chain's hashes
		prev = r.Hash
		records = append(records, r)
	}
	rep, err := evidence.Evaluate(evidence.Input{Tenant: "acme", Plan: plan, Records: records,
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Now: day(time.March, 20)})
	if err != nil {
		fmt.Println(err)
		return
	}
	ar, err := oscal.AssessmentResults(rep, oscal.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := oscal.AssessmentResults(rep, oscal.Options{})
	var doc struct {
		AR struct {
			Metadata struct {
				Title string `json:"title"`
			} `json:"metadata"`
			Results []struct {
				Observations []json.RawMessage `json:"observations"`
				Findings     []struct {
					Title string `json:"title"`
				} `json:"findings"`
			} `json:"results"`
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(ar, &doc); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.AR.Metadata.Title)
	fmt.Println("observations:", len(doc.AR.Results[0].Observations), "- the same bytes again:", bytes.Equal(ar, again))
	for _, f := range doc.AR.Results[0].Findings {
		if strings.HasPrefix(f.Title, "Missed") || strings.HasPrefix(f.Title, "Late") {
			fmt.Println("finding:", f.Title)
		}
	}
	poam, err := oscal.POAM(rep, oscal.Options{})
	fmt.Println("POA&M:", len(poam) > 0, err)
	// Output:
	// Communication evidence: Example Org, plan metrics, 2026-01-01 to 2026-03-31
	// observations: 18 - the same bytes again: true
	// finding: Missed: Security metrics, due 2026-03-08 23:59 UTC
	// POA&M: true <nil>
}
