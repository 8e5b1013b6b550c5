package evidence

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/store"
)

// ClockOptions say whose incident clock [IncidentClock] reads. Tenant,
// EventID, Now and one of PlanID and Plan are required; a missing one is
// an error wrapping [ErrInvalid].
type ClockOptions struct {
	// Tenant and EventID name the event (an incident, a crisis).
	Tenant, EventID string
	// PlanID names the stored plan the clock runs under: its version in
	// force when the event began (its earliest milestone), as [Build]
	// judges the event; the first version for an event older than every
	// version.
	PlanID string
	// Plan, if not nil, is the plan the clock runs under instead of a
	// stored one (a plan file not saved, a draft); PlanID is then not
	// read.
	Plan *comms.Plan
	// Now is the reference time for what is open, overdue or left.
	Now time.Time
}

// ClockReading is an incident clock read from a store at one moment. Its
// times, and those of its event and records, are in the plan's zone.
type ClockReading struct {
	// Event is the event as stored, its milestones' times in the plan's
	// zone.
	Event comms.Event
	// Version is the plan version the clock runs under (Number 0 and no
	// SavedAt for ClockOptions.Plan).
	Version store.Version
	// Now is the reference time.
	Now time.Time
	// Owed is every communication owed for the event, in deadline order:
	// see regulation.IncidentClock.
	Owed []regulation.Owed
}

// IncidentClock reads an event, the plan version it runs under and the
// records sent for it from st, and returns every communication owed for
// it at Now (regulation.IncidentClock): the obligation, recipients,
// deadlines, time left or overdue by, and the record that did it. Only
// the records of the event that name the plan, or no plan, count.
//
// An event or plan the tenant does not have is an error wrapping
// store.ErrNotFound.
func IncidentClock(ctx context.Context, st store.Store, opts ClockOptions) (ClockReading, error) {
	switch {
	case st == nil:
		return ClockReading{}, invalid("incident clock: no store")
	case opts.Tenant == "":
		return ClockReading{}, invalid("incident clock: no Tenant")
	case opts.EventID == "":
		return ClockReading{}, invalid("incident clock: no EventID")
	case opts.PlanID == "" && opts.Plan == nil:
		return ClockReading{}, invalid("incident clock: no plan: give PlanID or Plan")
	case opts.Now.IsZero():
		return ClockReading{}, invalid("incident clock: no Now (the reference time)")
	}
	e, err := st.Event(ctx, opts.Tenant, opts.EventID)
	if err != nil {
		return ClockReading{}, fmt.Errorf("evidence: event %s: %w", opts.EventID, err)
	}
	v, err := planFor(ctx, st, opts.Tenant, opts.PlanID, opts.Plan, e)
	if err != nil {
		return ClockReading{}, err
	}
	loc, err := v.Plan.Location()
	if err != nil {
		return ClockReading{}, fmt.Errorf("evidence: plan %s: %w", v.PlanID, err)
	}
	records, err := fallible.CollectFunc(st.Records(ctx, opts.Tenant, store.RecordQuery{EventID: e.ID}),
		func(r comms.Record) bool { return r.PlanID == "" || r.PlanID == v.PlanID })
	if err != nil {
		return ClockReading{}, fmt.Errorf("evidence: records of event %s: %w", e.ID, err)
	}
	owed, err := regulation.IncidentClock(v.Plan, e, records, opts.Now)
	if err != nil {
		return ClockReading{}, fmt.Errorf("evidence: event %s: %w", e.ID, err)
	}
	return ClockReading{Event: eventIn(e, loc), Version: v, Now: opts.Now.In(loc), Owed: owed}, nil
}

// planFor returns the plan an event is judged under: p when it is given,
// else the version of the stored plan id in force when e began.
func planFor(ctx context.Context, st store.Store, tenant, id string, p *comms.Plan, e comms.Event) (store.Version, error) {
	if p != nil {
		return store.Version{PlanID: p.ID, Plan: *p}, nil
	}
	versions, err := fallible.Collect(st.Versions(ctx, tenant, id))
	if err != nil {
		return store.Version{}, fmt.Errorf("evidence: plan %s: %w", id, err)
	}
	if len(versions) == 0 {
		return store.Version{}, fmt.Errorf("evidence: plan %s: %w", id, store.ErrNotFound)
	}
	return inForce(segments(versions), e.Start()), nil
}

// eventIn returns e with its milestones' times in loc (a copy: e's own
// milestones are not changed).
func eventIn(e comms.Event, loc *time.Location) comms.Event {
	e.Milestones = slices.Clone(e.Milestones)
	for i := range e.Milestones {
		e.Milestones[i].At = e.Milestones[i].At.In(loc)
	}
	return e
}
