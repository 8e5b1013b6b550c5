package comms_test

import (
	"fmt"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// TestIndex: an Index finds what the Plan's own lookups find (the first
// element of an ID two share, nothing for an ID the plan lacks), and a
// lookup allocates nothing, in a plan of 200 activities or of 20,000.
func TestIndex(t *testing.T) {
	p := starterPlan(t)
	dup := p.Activities[1]
	dup.Name = "the second with this ID"
	p.Activities = append(p.Activities, dup)
	x := p.Index()
	for _, id := range []string{p.Activities[0].ID, dup.ID, "nope", ""} {
		a1, ok1 := p.Activity(id)
		a2, ok2 := x.Activity(id)
		if ok1 != ok2 || a1.Name != a2.Name {
			t.Errorf("Activity(%q): index %v %q, plan %v %q", id, ok2, a2.Name, ok1, a1.Name)
		}
	}
	if i, ok := x.ActivityIndex(dup.ID); !ok || i != 1 {
		t.Errorf("ActivityIndex(%q) = %d, %v", dup.ID, i, ok)
	}
	for _, r := range p.Roles {
		if got, ok := x.Role(r.ID); !ok || got.ID != r.ID {
			t.Errorf("Role(%q)", r.ID)
		}
	}
	for _, s := range p.Stakeholders {
		if got, ok := x.Stakeholder(s.ID); !ok || got.ID != s.ID {
			t.Errorf("Stakeholder(%q)", s.ID)
		}
	}
	for _, c := range p.Channels {
		if got, ok := x.Channel(c.ID); !ok || got.ID != c.ID {
			t.Errorf("Channel(%q)", c.ID)
		}
	}
	if _, ok := x.Calendar("none"); ok {
		t.Error("Calendar found a calendar the plan lacks")
	}

	perLookup := func(n int) float64 {
		q := comms.Plan{ID: "big"}
		for i := range n {
			q.Activities = append(q.Activities, comms.Activity{ID: fmt.Sprintf("a%d", i)})
		}
		x := q.Index()
		allocs := testing.AllocsPerRun(1, func() {
			for _, a := range q.Activities {
				if _, ok := x.Activity(a.ID); !ok {
					t.Fatal(a.ID)
				}
			}
		})
		return allocs / float64(n)
	}
	if small, big := perLookup(200), perLookup(20000); small != 0 || big != 0 {
		t.Errorf("allocations per lookup: %v (200 activities), %v (20,000)", small, big)
	}
}
