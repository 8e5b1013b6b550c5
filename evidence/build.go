package evidence

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/store"
)

// Build reads a plan's versions, the tenant's records and events from st,
// verifies the tenant's record chain, and evaluates the period [from, to)
// at now. A broken chain does not stop the report: it is the first thing
// the report shows.
func Build(ctx context.Context, st store.Store, tenant, planID string, from, to, now time.Time, opts ...matrix.CheckOption) (*Report, error) {
	var versions []store.Version
	for v, err := range st.Versions(ctx, tenant, planID) {
		if err != nil {
			return nil, fmt.Errorf("evidence: plan %s: %w", planID, err)
		}
		versions = append(versions, v)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("evidence: plan %s: %w", planID, store.ErrNotFound)
	}
	// Records sent before the period cannot answer its occurrences, except
	// those that name one; two months of slack cover every sensible window.
	var records []comms.Record
	for r, err := range st.Records(ctx, tenant, store.RecordQuery{From: from.AddDate(0, -2, 0)}) {
		if err != nil {
			return nil, fmt.Errorf("evidence: records: %w", err)
		}
		records = append(records, r)
	}
	var events []comms.Event
	for e, err := range st.Events(ctx, tenant, store.EventQuery{From: from.AddDate(0, -2, 0), To: to}) {
		if err != nil {
			return nil, fmt.Errorf("evidence: events: %w", err)
		}
		events = append(events, e)
	}
	chain := Chain{Checked: true, OK: true}
	if _, err := st.Verify(ctx, tenant); err != nil {
		var ce *store.ChainError
		if !errors.As(err, &ce) {
			return nil, fmt.Errorf("evidence: verify: %w", err)
		}
		chain = Chain{Checked: true, Seq: ce.Seq, Error: ce.Error()}
	}
	return Evaluate(Input{
		Tenant: tenant, Versions: versions, Records: records, Events: events,
		From: from, To: to, Now: now, Chain: &chain, CheckOptions: opts,
	})
}
