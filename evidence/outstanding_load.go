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
	log, err := activityLog(ctx, st, tenant, activityID, at)
	if err != nil {
		return nil, err
	}
	return Outstanding(versions, roster, log, activityID, at)
}

// activityLog reads the records of one activity sent by at.
func activityLog(ctx context.Context, st store.Store, tenant, activityID string, at time.Time) ([]comms.Record, error) {
	log, err := fallible.Collect(st.Records(ctx, tenant, store.RecordQuery{ActivityID: activityID, To: at.Add(time.Nanosecond)}))
	if err != nil {
		return nil, fmt.Errorf("evidence: outstanding: records of %s: %w", activityID, err)
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
