package storetest

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// A store that implements io.Closer: after Close, every method fails with
// store.ErrClosed (a listing yields it); Close again
// returns nil.
func testCloser(t *testing.T, s store.Store) {
	c, ok := s.(io.Closer)
	if !ok {
		t.Skip("the store does not implement io.Closer")
	}
	fillAll(t, s, "t1", 2)
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checks := map[string]error{}
	_, checks["SavePlan"] = s.SavePlan(ctx, "t1", Plan("plan", 3), 2)
	_, checks["Plan"] = s.Plan(ctx, "t1", "plan")
	_, checks["PlanVersion"] = s.PlanVersion(ctx, "t1", "plan", 1)
	checks["SaveEvent"] = s.SaveEvent(ctx, "t1", event("e", "incident", time.Now()))
	_, checks["Event"] = s.Event(ctx, "t1", "inc-1")
	_, checks["AppendRecord"] = s.AppendRecord(ctx, "t1", Record("a", time.Now()))
	_, checks["Verify"] = s.Verify(ctx, "t1")
	checks["Plans"] = firstErr(s.Plans(ctx, "t1"))
	checks["Versions"] = firstErr(s.Versions(ctx, "t1", "plan"))
	checks["Events"] = firstErr(s.Events(ctx, "t1", store.EventQuery{}))
	checks["Records"] = firstErr(s.Records(ctx, "t1", store.RecordQuery{}))
	if p, ok := s.(store.Pinger); ok {
		checks["Ping"] = p.Ping(ctx)
	}
	if ic, ok := s.(store.IntegrityChecker); ok {
		checks["CheckIntegrity"] = ic.CheckIntegrity(ctx)
	}
	if rs, ok := s.(store.RosterStore); ok {
		_, checks["SaveRoster"] = rs.SaveRoster(ctx, "t1", Roster("staff", 1), 0)
		_, checks["Roster"] = rs.Roster(ctx, "t1", "staff", 0)
		checks["RosterVersions"] = firstErr(rs.RosterVersions(ctx, "t1", "staff"))
		checks["Rosters"] = firstErr(rs.Rosters(ctx, "t1"))
	}
	if dl, ok := s.(store.DeliveryLog); ok {
		c := store.Claim{Key: "k", Token: "t"}
		_, _, checks["Claim"] = dl.Claim(ctx, "t1", "k", time.Minute)
		checks["MarkSent"] = dl.MarkSent(ctx, "t1", c)
		checks["Release"] = dl.Release(ctx, "t1", c, "")
		_, checks["Delivery"] = dl.Delivery(ctx, "t1", "k")
		checks["Deliveries"] = firstErr(dl.Deliveries(ctx, "t1", store.DeliveryQuery{}))
		_, checks["Checkpoint"] = dl.Checkpoint(ctx, "t1", "remind")
		_, checks["SetCheckpoint"] = dl.SetCheckpoint(ctx, "t1", "remind", time.Now())
	}
	if ar, ok := s.(store.AckReader); ok {
		checks["Acks"] = firstErr(ar.Acks(ctx, "t1", store.AckQuery{ActivityID: "a"}))
	}
	if lv, ok := s.(store.LeafVerifier); ok {
		_, checks["VerifyLeaves"] = lv.VerifyLeaves(ctx, "t1", nil)
	}
	if tr, ok := s.(store.TreeReader); ok {
		_, checks["TreeSize"] = tr.TreeSize(ctx, "t1")
		_, checks["TreeHashes"] = tr.TreeHashes(ctx, "t1", 1, []int64{0})
	}
	if ba, ok := s.(store.BatchAppender); ok {
		_, checks["AppendRecords"] = ba.AppendRecords(ctx, "t1", []comms.Record{Record("a", time.Now())})
	}
	for name, err := range checks {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close again: %v, want nil", err)
	}
}

// A store that implements store.Pinger: nil while it can serve; the
// context's error for a done context.
func testPinger(t *testing.T, s store.Store) {
	p, ok := s.(store.Pinger)
	if !ok {
		t.Skip("the store does not implement store.Pinger")
	}
	if err := p.Ping(ctx); err != nil {
		t.Fatalf("Ping of a store that serves: %v", err)
	}
	fillAll(t, s, "t1", 1)
	if err := p.Ping(ctx); err != nil {
		t.Errorf("Ping after writes: %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Ping(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with a cancelled context: %v, want context.Canceled", err)
	}
	expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	if err := p.Ping(expired); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ping with an expired context: %v, want context.DeadlineExceeded", err)
	}
}

// A store that implements store.IntegrityChecker: nil for intact storage,
// the context's error for a done context. (Damage it finds is for the
// store's own tests: storetest cannot damage storage it does not know.)
func testIntegrityChecker(t *testing.T, s store.Store) {
	ic, ok := s.(store.IntegrityChecker)
	if !ok {
		t.Skip("the store does not implement store.IntegrityChecker")
	}
	if err := ic.CheckIntegrity(ctx); err != nil {
		t.Fatalf("CheckIntegrity of an empty store: %v", err)
	}
	fillAll(t, s, "t1", 20)
	fillAll(t, s, "t2", 5)
	if err := ic.CheckIntegrity(ctx); err != nil {
		t.Errorf("CheckIntegrity of an intact store: %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := ic.CheckIntegrity(done); !errors.Is(err, context.Canceled) {
		t.Errorf("CheckIntegrity with a cancelled context: %v, want context.Canceled", err)
	}
}
