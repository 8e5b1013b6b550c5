package matrix

import (
	"fmt"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// Plans whose checks used to cost the square of their size: every
// stakeholder searched for in every activity, every waiver tried on every
// finding, every channel looked up by a search of the plan's list.
var costShapes = []struct {
	name string
	plan func(n int) comms.Plan
}{
	{"n stakeholders, channels, roles and activities, each activity its own (the review's refs12000)", func(n int) comms.Plan {
		p := comms.Plan{ID: "refs", TimeZone: "Europe/Berlin", Review: "FREQ=YEARLY"}
		for i := range n {
			s, c, r := fmt.Sprint("s", i), fmt.Sprint("c", i), fmt.Sprint("r", i)
			p.Roles = append(p.Roles, comms.Role{ID: r})
			p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: s, Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees})
			p.Channels = append(p.Channels, comms.Channel{ID: c, Kind: comms.ChannelKindEmail, Reach: []comms.Scope{comms.ScopeInternal}})
			p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprint("a", i), What: comms.Message{Topic: comms.TopicAwareness, Classification: comms.ClassificationInternal},
				Whom: []string{s}, How: []string{c}, Owner: r, When: comms.Timing{Trigger: "incident.detected", Within: "1h"}})
		}
		return p
	}},
	{"n ownerless activities and n waivers that match nothing (the review's waive.json)", func(n int) comms.Plan {
		p := comms.Plan{ID: "waive"}
		for i := range n {
			p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprint("a", i), What: comms.Message{Topic: comms.TopicAwareness}, When: comms.Timing{Trigger: "x.y"}})
			p.Waivers = append(p.Waivers, comms.Waiver{Rule: "CMX-WHO", Subject: fmt.Sprint("s", i), Reason: "r"})
		}
		return p
	}},
	{"n regulators and external auditors, each reached by an activity of its own", func(n int) comms.Plan {
		p := comms.Plan{ID: "reg"}
		for i := range n {
			kind := comms.StakeholderKindRegulator
			if i%2 == 1 {
				kind = comms.StakeholderKindAuditor
			}
			s := fmt.Sprint("s", i)
			p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: s, Scope: comms.ScopeExternal, Kind: kind})
			p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprint("a", i), Whom: []string{s}, When: comms.Timing{Trigger: "incident.aware", Within: "72h"}})
		}
		return p
	}},
	{"one activity reaching n external stakeholders through n internal channels", func(n int) comms.Plan {
		p := comms.Plan{ID: "reach"}
		a := comms.Activity{ID: "a", What: comms.Message{Classification: comms.ClassificationRestricted}}
		for i := range n {
			s, c := fmt.Sprint("s", i), fmt.Sprint("c", i)
			p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: s, Scope: comms.ScopeExternal})
			p.Channels = append(p.Channels, comms.Channel{ID: c, Reach: []comms.Scope{comms.ScopeInternal}, MaxClassification: comms.ClassificationInternal})
			a.Whom, a.How = append(a.Whom, s), append(a.How, c)
		}
		p.Activities = []comms.Activity{a}
		return p
	}},
	{"n activities declaring an obligation of the plan's profile", func(n int) comms.Plan {
		p := comms.Plan{ID: "gdpr", Profiles: []string{"gdpr"}}
		for i := range n {
			p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprint("a", i), Obligations: []string{"gdpr-art33", "gdpr-art34"},
				When: comms.Timing{Trigger: "incident.detected", Within: "96h"}})
		}
		return p
	}},
	{"n stakeholders, each with a requirement naming an activity that reaches another, one requirement naming every activity, and n objectives none measurable", func(n int) comms.Plan {
		p := comms.Plan{ID: "req", TimeZone: "Europe/Berlin"}
		var names []string
		for i := range n {
			names = append(names, fmt.Sprint("a", i))
		}
		for i := range n {
			p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: fmt.Sprint("s", i), Kind: comms.StakeholderKindMedia,
				Requirements: []comms.Requirement{{ID: fmt.Sprint("r", i), Activities: names[i%2 : i%2+1]}}})
			p.Activities = append(p.Activities, comms.Activity{ID: names[i], What: comms.Message{Topic: comms.TopicMediaInquiry},
				Whom: []string{fmt.Sprint("s", (i+1)%n)}, How: []string{"c"}, When: comms.Timing{Trigger: "incident.detected", Within: "1h"}})
			p.Objectives = append(p.Objectives, comms.Objective{ID: fmt.Sprint("o", i), Measure: comms.MeasureCoverage})
		}
		// One requirement that names every activity, none reaching it.
		p.Stakeholders[0].Requirements = append(p.Stakeholders[0].Requirements, comms.Requirement{ID: "all", Activities: names})
		return p
	}},
	{"n stakeholders of one ID reached by n/10 activities, each with a requirement", func(n int) comms.Plan {
		p := comms.Plan{ID: "dup"}
		var names []string
		for i := range n / 10 {
			names = append(names, fmt.Sprint("a", i))
			p.Activities = append(p.Activities, comms.Activity{ID: names[i], Whom: []string{"s"}})
		}
		for i := range n {
			p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: "s", Requirements: []comms.Requirement{{ID: fmt.Sprint("r", i), Activities: []string{names[i%len(names)]}}}})
		}
		return p
	}},
	{"n drill and lessons-learned activities, none yearly or after closure", func(n int) comms.Plan {
		p := comms.Plan{ID: "drills", TimeZone: "Europe/Berlin"}
		for i := range n {
			a := comms.Activity{ID: fmt.Sprint("d", i), What: comms.Message{Topic: comms.TopicDrill},
				When: comms.Timing{RRule: "FREQ=YEARLY;INTERVAL=2", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 7, Day: 1}, Hour: 9}}}
			if i%2 == 1 {
				a.What.Topic, a.When = comms.TopicLessonsLearned, comms.Timing{Trigger: "incident.resolved", Within: "10bd"}
			}
			p.Activities = append(p.Activities, a)
		}
		return p
	}},
	{"n daily awareness activities (the review's small38000)", func(n int) comms.Plan {
		p := comms.Plan{ID: "small", TimeZone: "Europe/Berlin", Stakeholders: []comms.Stakeholder{{ID: "emp", Kind: comms.StakeholderKindEmployees}}}
		for i := range n {
			p.Activities = append(p.Activities, comms.Activity{ID: fmt.Sprint("a", i), What: comms.Message{Topic: comms.TopicAwareness}, Whom: []string{"emp"},
				When: comms.Timing{RRule: "FREQ=DAILY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 1}, Hour: 9}}})
		}
		return p
	}},
}

// TestCheckLinear: Check's steps (every loop of its rules over the
// plan's lists counts, see each) grow in proportion to the plan: four
// times the plan, at most five times the steps; and no finding's text
// grows with it (CHANNEL-REACH named every channel of the activity in
// each of its findings, one per audience). The old rules took
// 16 times the steps (27 s for the review's refs12000, 40 s for its
// waivers). The timeout is only a backstop.
func TestCheckLinear(t *testing.T) {
	var steps int
	checkSteps = &steps
	defer func() { checkSteps = nil }()
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range costShapes {
		t.Run(tc.name, func(t *testing.T) {
			timer := time.AfterFunc(2*time.Minute, func() { panic("Check hangs on " + tc.name) })
			defer timer.Stop()
			cost := func(n int) (int, int) {
				steps = 0
				r := Check(tc.plan(n), At(at))
				for _, f := range r.Findings {
					if len(f.Message)+len(f.Hint) > 1000 {
						t.Fatalf("a finding of %d bytes (a message that lists the plan): %.300s", len(f.Message)+len(f.Hint), f.Message)
					}
				}
				return steps, len(r.Findings)
			}
			small, fs := cost(500)
			big, fb := cost(2000)
			t.Logf("500: %d steps, %d findings; 2000: %d steps, %d findings", small, fs, big, fb)
			if big > 5*small {
				t.Errorf("4 times the plan took %.1f times the steps (%d, then %d)", float64(big)/float64(small), small, big)
			}
		})
	}
}
