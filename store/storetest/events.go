package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

func event(id, kind string, at time.Time) comms.Event {
	return comms.Event{ID: id, Kind: kind, Title: "Event " + id, Labels: map[string]string{"severity": "major"},
		Milestones: []comms.Milestone{{Name: "detected", At: at}, {Name: "aware", At: at.Add(2 * time.Hour), Note: "DPO informed"}}}
}

func sameEvent(a, b comms.Event) bool {
	if a.ID != b.ID || a.Kind != b.Kind || a.Title != b.Title || !reflect.DeepEqual(a.Labels, b.Labels) || len(a.Milestones) != len(b.Milestones) {
		return false
	}
	for i := range a.Milestones {
		x, y := a.Milestones[i], b.Milestones[i]
		if x.Name != y.Name || x.Note != y.Note || !x.At.Equal(y.At) {
			return false
		}
	}
	return true
}

// SaveEvent creates an event, or replaces it, milestones and all;
// Event returns it as last saved.
func testEventReplace(t *testing.T, s store.Store) {
	base := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	e1 := event("inc-1", "incident", base)
	if err := s.SaveEvent(ctx, "t1", e1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Event(ctx, "t1", "inc-1")
	if err != nil || !sameEvent(got, e1) {
		t.Fatalf("Event = %+v, %v", got, err)
	}
	// Replaced: a new milestone, a corrected one, one removed, a new
	// title and kind; the old milestones are gone.
	e1.Milestones = append(e1.Milestones[1:], comms.Milestone{Name: "classified", At: base.Add(30 * time.Hour)})
	e1.Milestones[0].At = base.Add(3 * time.Hour)
	e1.Title, e1.Kind, e1.Labels = "Renamed", "breach", nil
	if err := s.SaveEvent(ctx, "t1", e1); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Event(ctx, "t1", "inc-1"); !sameEvent(got, e1) {
		t.Errorf("replaced event = %+v, want %+v", got, e1)
	}
	es := collect(t, s.Events(ctx, "t1", store.EventQuery{}))
	if len(es) != 1 || !sameEvent(es[0], e1) {
		t.Errorf("Events after the replacement: %+v; want the one event as last saved", es)
	}
	if es := collect(t, s.Events(ctx, "t1", store.EventQuery{Kind: "incident"})); len(es) != 0 {
		t.Errorf("Events of the old kind: %d events", len(es))
	}
}

func eventIDs(t *testing.T, s store.Store, q store.EventQuery) []string {
	t.Helper()
	var out []string
	for _, e := range collect(t, s.Events(ctx, "t1", q)) {
		out = append(out, e.ID)
	}
	return out
}

// Events yields the events whose first milestone is in [From, To), of
// Kind if set.
func testEventQuery(t *testing.T, s store.Store) {
	base := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	for _, e := range []comms.Event{
		event("inc-1", "incident", base),
		event("inc-0", "incident", base.Add(-48*time.Hour)),
		event("pol-1", "policy", base.Add(24*time.Hour)),
	} {
		if err := s.SaveEvent(ctx, "t1", e); err != nil {
			t.Fatal(err)
		}
	}
	// The first milestone is the earliest, not the first listed.
	late := event("late", "incident", base.Add(12*time.Hour))
	late.Milestones[0], late.Milestones[1] = late.Milestones[1], late.Milestones[0]
	if err := s.SaveEvent(ctx, "t1", late); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    store.EventQuery
		want []string
	}{
		{store.EventQuery{}, []string{"inc-0", "inc-1", "late", "pol-1"}},
		{store.EventQuery{From: base, To: base.Add(24 * time.Hour)}, []string{"inc-1", "late"}},
		{store.EventQuery{From: base.Add(12 * time.Hour)}, []string{"late", "pol-1"}},
		{store.EventQuery{To: base.Add(12 * time.Hour)}, []string{"inc-0", "inc-1"}},
		{store.EventQuery{Kind: "policy"}, []string{"pol-1"}},
		{store.EventQuery{Kind: "incident", From: base}, []string{"inc-1", "late"}},
		{store.EventQuery{Kind: "nothing"}, nil},
	} {
		if got := eventIDs(t, s, tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Events(%+v): %v, want %v", tc.q, got, tc.want)
		}
	}
	// Times finer than a microsecond: bounds in the same microsecond as
	// the start select exactly.
	fine := base.Add(-96*time.Hour + 500*time.Nanosecond)
	if err := s.SaveEvent(ctx, "t1", event("fine", "maintenance", fine)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    store.EventQuery
		want []string
	}{
		{store.EventQuery{Kind: "maintenance", From: fine.Add(-200 * time.Nanosecond)}, []string{"fine"}},
		{store.EventQuery{Kind: "maintenance", From: fine.Add(200 * time.Nanosecond)}, nil},
		{store.EventQuery{Kind: "maintenance", To: fine.Add(200 * time.Nanosecond)}, []string{"fine"}},
		{store.EventQuery{Kind: "maintenance", To: fine.Add(-200 * time.Nanosecond)}, nil},
		{store.EventQuery{To: base.Add(-48 * time.Hour)}, []string{"fine"}},
	} {
		if got := eventIDs(t, s, tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("Events(%+v): %v, want %v", tc.q, got, tc.want)
		}
	}
}

// Events yields events by their first milestone, equal times in byte
// order of ID, an event without milestones first.
func testOrderEvents(t *testing.T, s store.Store) {
	base := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	for _, e := range []comms.Event{
		event("b", "incident", base),
		event("a", "incident", base),
		event("B", "incident", base),
		event("ä", "incident", base),
		event("a-1", "incident", base),
		event("z", "incident", base.Add(-time.Hour)),
		event("c", "incident", base.Add(time.Microsecond)),
		{ID: "none", Kind: "incident"},
	} {
		if err := s.SaveEvent(ctx, "t1", e); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"none", "z", "B", "a", "a-1", "b", "ä", "c"}
	if got := eventIDs(t, s, store.EventQuery{}); !slices.Equal(got, want) {
		t.Errorf("Events in order %q, want %q", got, want)
	}
	// A From bound excludes the event without milestones (its start is
	// the zero time); a To bound does not.
	if got := eventIDs(t, s, store.EventQuery{From: base.Add(-24 * time.Hour)}); slices.Contains(got, "none") {
		t.Errorf("Events with a From bound: %q, holding the event without milestones", got)
	}
	if got := eventIDs(t, s, store.EventQuery{To: base}); !slices.Equal(got, []string{"none", "z"}) {
		t.Errorf("Events before %v: %q, want [none z]", base, got)
	}
	before1970 := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := eventIDs(t, s, store.EventQuery{To: before1970}); !slices.Equal(got, []string{"none"}) {
		t.Errorf("Events before %v: %q, want [none]", before1970, got)
	}
}

// An event needs an ID and a kind, and each milestone a name and a time.
func testEventInvalid(t *testing.T, s store.Store) {
	at := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	for _, bad := range []comms.Event{
		{Kind: "incident"},
		{ID: "x"},
		{ID: "x", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware"}}},
		{ID: "x", Kind: "incident", Milestones: []comms.Milestone{{At: at}}},
		{ID: "x\x00", Kind: "incident"},
		{ID: strings.Repeat("x", store.MaxIDLen+1), Kind: "incident"},
		{ID: "x", Kind: "inci\x00dent"},
		{ID: "x", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware\xff", At: at}}},
		{ID: "x", Kind: "incident", Title: "\xff"},
		{ID: "x", Kind: "incident", Labels: map[string]string{"k": "\xff"}},
		{ID: "x", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware\x00", At: at}}},
		{ID: "x", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: at, Note: "\xc3"}}},
		{ID: "x", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	} {
		if err := s.SaveEvent(ctx, "t1", bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SaveEvent(%+v): %v, want ErrInvalid", bad, err)
		}
	}
	if es := collect(t, s.Events(ctx, "t1", store.EventQuery{})); len(es) != 0 {
		t.Errorf("refused events were saved: %d", len(es))
	}
	// A refused replacement leaves the event as it was.
	good := event("x", "incident", at)
	if err := s.SaveEvent(ctx, "t1", good); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Kind = ""
	if err := s.SaveEvent(ctx, "t1", bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveEvent without a kind: %v, want ErrInvalid", err)
	}
	if got, err := s.Event(ctx, "t1", "x"); err != nil || !sameEvent(got, good) {
		t.Errorf("a refused replacement changed the event: %+v, %v", got, err)
	}
}
