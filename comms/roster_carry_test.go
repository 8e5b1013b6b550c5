package comms_test

import (
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

func TestRosterCarry(t *testing.T) {
	prev := comms.Roster{ID: "staff", People: []comms.Person{
		{ID: "alice", Stakeholders: []string{"employees"}},
		{ID: "bob", Stakeholders: []string{"employees"}, From: day(2026, 1, 10)},
		{ID: "carol", Stakeholders: []string{"employees"}, Until: day(2026, 2, 1)},
		{ID: "dave", Stakeholders: []string{"employees"}, From: day(2026, 7, 1)},
		{ID: "erin", Stakeholders: []string{"employees"}, Until: day(2026, 12, 31)},
	}}
	next := comms.Roster{ID: "staff", People: []comms.Person{
		{ID: "alice", Name: "Alice", Stakeholders: []string{"employees", "managers"}},
		{ID: "bob", Stakeholders: []string{"employees"}},
		{ID: "frank", Stakeholders: []string{"employees"}},
		{ID: "gina", Stakeholders: []string{"employees"}, From: day(2026, 5, 1)},
	}}
	got := next.Carry(prev, day(2026, 6, 15))
	want := []comms.Person{
		{ID: "alice", Name: "Alice", Stakeholders: []string{"employees", "managers"}},
		{ID: "bob", Stakeholders: []string{"employees"}, From: day(2026, 1, 10)},
		{ID: "frank", Stakeholders: []string{"employees"}, From: day(2026, 6, 15)},
		{ID: "gina", Stakeholders: []string{"employees"}, From: day(2026, 5, 1)},
		{ID: "carol", Stakeholders: []string{"employees"}, Until: day(2026, 2, 1)},
		{ID: "erin", Stakeholders: []string{"employees"}, Until: day(2026, 6, 14)},
	}
	if got.ID != "staff" || len(got.People) != len(want) {
		t.Fatalf("Carry = %+v, want %d people", got, len(want))
	}
	for i, p := range got.People {
		w := want[i]
		if p.ID != w.ID || p.Name != w.Name || p.From != w.From || p.Until != w.Until || len(p.Stakeholders) != len(w.Stakeholders) {
			t.Errorf("person %d = %+v, want %+v", i, p, w)
		}
	}
	if err := got.Validate(nil); err != nil {
		t.Errorf("carried roster does not validate: %v", err)
	}
	// March, from the latest version alone: frank had not joined, erin
	// was there; in July erin has left.
	march, july := day(2026, 3, 1).In(time.UTC), day(2026, 7, 1).In(time.UTC)
	if n := got.Count("employees", march); n != 3 { // alice, bob, erin
		t.Errorf("March count = %d, want 3 (alice, bob, erin)", n)
	}
	if n := got.Count("employees", july); n != 4 { // alice, bob, frank, gina
		t.Errorf("July count = %d, want 4", n)
	}
	// The first import sets nobody's From.
	first := next.Carry(comms.Roster{ID: "staff"}, day(2026, 6, 15))
	if p, _ := first.Person("frank"); !p.From.IsZero() {
		t.Errorf("first import gave frank From %v", p.From)
	}
	if prev.People[4].Until != day(2026, 12, 31) {
		t.Error("Carry modified prev")
	}
}
