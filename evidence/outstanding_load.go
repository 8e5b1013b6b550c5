package evidence

import (
	"context"
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/store"
)

// ReadOutstanding reads from st what [Outstanding] needs for one activity
// of a tenant's plan — the plan's versions, the tenant's people
// ([TenantRoster]) and the activity's records — and answers it at the
// moment at. The records are read as the store returns them; it does not
// verify the chain (store.Store.Verify does). A tenant without a roster
// has no one due: the result lists no one, and Total.Due is 0.
func ReadOutstanding(ctx context.Context, st store.Store, tenant, planID, activityID string, at time.Time) (*AckStatus, error) {
	switch {
	case st == nil:
		return nil, invalid("outstanding: no store")
	case tenant == "" || planID == "" || activityID == "":
		return nil, invalid("outstanding: tenant, plan and activity are required")
	case at.IsZero():
		return nil, invalid("outstanding: no reference time")
	}
	versions, err := fallible.Collect(st.Versions(ctx, tenant, planID))
	if err != nil {
		return nil, fmt.Errorf("evidence: outstanding: plan %s: %w", planID, err)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("evidence: outstanding: plan %s: %w", planID, store.ErrNotFound)
	}
	roster, _, err := TenantRoster(ctx, st, tenant)
	if err != nil {
		return nil, err
	}
	log, err := ActivityLog(ctx, st, tenant, versions, activityID, at)
	if err != nil {
		return nil, err
	}
	return Outstanding(versions, roster, log, activityID, at)
}

// ActivityLog reads from st the records of one activity of the plan whose
// versions are given, made by at, that [Outstanding] needs: its communications (deliveries, waivers) and the
// acknowledgements of the message versions accepted at at (those since
// its last material change, by the plan's versions). A store with the
// capability store.AckReader serves them from its columns, without
// decoding each acknowledgement's hashed body (see store.AckReader for
// what that read verifies: a report runs Verify first); any other store
// through Records, every record opened and checked.
func ActivityLog(ctx context.Context, st store.Store, tenant string, versions []store.Version, activityID string, at time.Time) ([]comms.Record, error) {
	to := at.Add(time.Microsecond) // at included, to the microsecond stores keep
	planID := ""
	if len(versions) > 0 {
		planID = versions[0].PlanID
	}
	ar, fast := st.(store.AckReader)
	if !fast {
		log, err := fallible.Collect(st.Records(ctx, tenant, store.RecordQuery{ActivityID: activityID, To: to}))
		if err != nil {
			return nil, fmt.Errorf("evidence: outstanding: records of %s: %w", activityID, err)
		}
		return log, nil
	}
	// Communications of every plan: one that names no plan counts for
	// each, as in the report; Outstanding leaves out other plans'.
	log, err := fallible.Collect(ar.Communications(ctx, tenant, store.RecordQuery{ActivityID: activityID, To: to}))
	if err != nil {
		return nil, fmt.Errorf("evidence: outstanding: records of %s: %w", activityID, err)
	}
	accepted := roundAt(versions, activityID, at).accepted
	if len(accepted) == 0 {
		return log, nil // no version by at: Outstanding says so
	}
	for a, err := range ar.Acks(ctx, tenant, store.AckQuery{PlanID: planID, ActivityID: activityID, Digests: accepted, To: to}) {
		if err != nil {
			return nil, fmt.Errorf("evidence: outstanding: acknowledgements of %s: %w", activityID, err)
		}
		log = append(log, a.Record())
	}
	return log, nil
}

// In returns a copy of s with its times in loc.
func (s *AckStatus) In(loc *time.Location) *AckStatus {
	c := *s
	c.At, c.Since = s.At.In(loc), s.Since.In(loc)
	c.People = make([]PersonAck, len(s.People))
	for i, p := range s.People {
		p.DueBy = p.DueBy.In(loc)
		if !p.ReceivedAt.IsZero() {
			p.ReceivedAt = p.ReceivedAt.In(loc)
		}
		if !p.AcknowledgedAt.IsZero() {
			p.AcknowledgedAt = p.AcknowledgedAt.In(loc)
		}
		c.People[i] = p
	}
	return &c
}

// messageRound is where an activity's message stands at a moment, by the
// plan's versions saved by then: the version in force, the version that
// began the current acknowledgement round (the last material change, or
// the first version), its digest, and the digests accepted in the round.
type messageRound struct {
	current, round *store.Version
	roundDigest    string
	accepted       []string
}

// roundAt returns the message round of activityID at at.
func roundAt(versions []store.Version, activityID string, at time.Time) messageRound {
	var m messageRound
	prevDigest := ""
	for i := range versions {
		v := &versions[i]
		if v.SavedAt.After(at) {
			break
		}
		m.current = v
		a, ok := v.Plan.Activity(activityID)
		if !ok || a.What.Version.Digest == "" {
			continue
		}
		mv := a.What.Version
		if mv.Digest == prevDigest {
			continue
		}
		if prevDigest == "" || mv.Material() {
			m.accepted, m.roundDigest, m.round = []string{mv.Digest}, mv.Digest, v
		} else {
			m.accepted = append(m.accepted, mv.Digest)
		}
		prevDigest = mv.Digest
	}
	return m
}

// ReadLog reads from st the tenant's log as the people questions need it
// at the moment at, for a plan's versions: every communication made by at
// (deliveries, waivers, of every activity), and the acknowledgements of
// each versioned message of the plan version in force that count at at
// ([ActivityLog]). It is what package remind's Due takes as its Log, read
// in a time that grows with the acknowledgements that count, not with
// every acknowledgement ever made; a store without store.AckReader is
// read through Records.
func ReadLog(ctx context.Context, st store.Store, tenant string, versions []store.Version, at time.Time) ([]comms.Record, error) {
	to := at.Add(time.Microsecond)
	ar, fast := st.(store.AckReader)
	if !fast {
		log, err := fallible.Collect(st.Records(ctx, tenant, store.RecordQuery{To: to}))
		if err != nil {
			return nil, fmt.Errorf("evidence: records: %w", err)
		}
		return log, nil
	}
	log, err := fallible.Collect(ar.Communications(ctx, tenant, store.RecordQuery{To: to}))
	if err != nil {
		return nil, fmt.Errorf("evidence: records: %w", err)
	}
	m := roundAt(versions, "", at)
	if m.current == nil {
		return log, nil
	}
	for _, a := range m.current.Plan.Activities {
		accepted := roundAt(versions, a.ID, at).accepted
		if len(accepted) == 0 {
			continue
		}
		for r, err := range ar.Acks(ctx, tenant, store.AckQuery{PlanID: m.current.PlanID, ActivityID: a.ID, Digests: accepted, To: to}) {
			if err != nil {
				return nil, fmt.Errorf("evidence: acknowledgements of %s: %w", a.ID, err)
			}
			log = append(log, r.Record())
		}
	}
	return log, nil
}
