package evidence_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/memory"
)

// ackStore is a memory store with tenant t's plan history (d1, then d2
// material) and roster.
func ackStore(t *testing.T) *memory.Store {
	t.Helper()
	ctx := context.Background()
	st := memory.New(&memory.Options{Now: func() time.Time { return at("2026-01-01 08:00") }})
	for i, v := range history(comms.ChangeMaterial) {
		if _, err := st.SavePlan(ctx, "t", v.Plan, i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SaveRoster(ctx, "t", people(), 0); err != nil {
		t.Fatal(err)
	}
	return st
}

func head(t *testing.T, st store.Store) int64 {
	t.Helper()
	h, err := st.Verify(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	return h.Seq
}

func TestAppendAcks(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	now := at("2026-03-20 12:00")
	batch := []comms.Record{ackOf("alice", d1, "2026-01-06 10:00"), ackOf("bob", d2, "2026-03-05 10:00"), ackOf("erin", d2, "2026-03-06 10:00")}
	batch[0].Type = "" // taken as an acknowledgement
	got, n, err := evidence.AppendAcks(ctx, st, "t", batch, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Seq != 1 || got[2].Seq != 3 || n != 3 {
		t.Fatalf("appended %d: %+v", n, got)
	}
	for i, r := range got {
		if r.Type != comms.RecordTypeAck || r.PlanVersion != 2 || r.IdempotencyKey != comms.AckKey("acme", "policy", batch[i].Digest, batch[i].PersonID) {
			t.Errorf("record %d = type %q version %d key %q", i, r.Type, r.PlanVersion, r.IdempotencyKey)
		}
		if r.SentAt.Location().String() != "Europe/Berlin" {
			t.Errorf("record %d in %v, want the plan's zone", i, r.SentAt.Location())
		}
	}
	// Submitted again, in one batch with a new one: stored once.
	again, n2, err := evidence.AppendAcks(ctx, st, "t", append(batch, ackOf("carol", d2, "2026-03-10 10:00")), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 4 || again[0].Seq != 1 || again[3].Seq != 4 || head(t, st) != 4 || n2 != 1 {
		t.Errorf("resubmission: %d records, %d appended, head %d", len(again), n2, head(t, st))
	}
	// One ack through AppendRecord takes the same path.
	one, err := evidence.AppendRecord(ctx, st, "t", ackOf("dave", d1, "2026-01-08 10:00"), now)
	if err != nil || one.Seq != 5 {
		t.Fatalf("AppendRecord(ack) = %d, %v", one.Seq, err)
	}
}

// TestAppendAcksRefused: each bad entry is named by index and field, and
// a batch with one bad entry among good ones stores nothing.
func TestAppendAcksRefused(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	now := at("2026-03-20 12:00")
	good := ackOf("alice", d2, "2026-03-05 10:00")
	cases := []struct {
		name string
		edit func(*comms.Record)
		want string
	}{
		{"unknown person", func(r *comms.Record) { r.PersonID = "zoe" }, `person_id: tenant t has no person "zoe"`},
		{"no person", func(r *comms.Record) { r.PersonID = "" }, "person_id: an acknowledgement names the person"},
		{"unknown version", func(r *comms.Record) { r.Digest = comms.Digest([]byte("never")) }, "is not a version the message of activity policy has had"},
		{"no digest", func(r *comms.Record) { r.Digest = "" }, "digest: an acknowledgement names the message version"},
		{"unknown activity", func(r *comms.Record) { r.ActivityID = "nope" }, `plan acme has no activity "nope"`},
		{"no activity", func(r *comms.Record) { r.ActivityID = "" }, "activity_id: an acknowledgement names the activity"},
		{"unknown plan", func(r *comms.Record) { r.PlanID = "other" }, "plan_id: tenant t has no plan other"},
		{"unknown plan version", func(r *comms.Record) { r.PlanVersion = 7 }, "plan_version: plan acme has no version 7"},
		{"unknown channel", func(r *comms.Record) { r.Channel = "fax" }, `plan acme has no channel "fax"`},
		{"in the future", func(r *comms.Record) { r.SentAt = at("2026-04-01 10:00") }, "sent_at: 2026-04-01T10:00:00+02:00 is after"},
		{"no time", func(r *comms.Record) { r.SentAt = time.Time{} }, "sent_at: the moment of acknowledgement is missing"},
		{"not an ack", func(r *comms.Record) { r.Type = comms.RecordTypeWaived }, `type: "waived" is not an acknowledgement`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := good
			c.edit(&bad)
			_, _, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{good, ackOf("bob", d2, "2026-03-05 11:00"), bad}, now)
			var ae *evidence.AckError
			if !errors.As(err, &ae) || !errors.Is(err, evidence.ErrRefused) {
				t.Fatalf("err = %v, want an *AckError", err)
			}
			if len(ae.Problems) == 0 || ae.Problems[0].Index != 2 || !strings.Contains(ae.Problems[0].Err.Error(), c.want) {
				t.Errorf("problems = %+v, want index 2 saying %q", ae.Problems, c.want)
			}
			if h := head(t, st); h != 0 {
				t.Errorf("a refused batch appended: head %d", h)
			}
		})
	}
	// A tenant without a roster has no one to acknowledge.
	bare := memory.New(nil)
	if _, err := bare.SavePlan(ctx, "t", history("")[0].Plan, 0); err != nil {
		t.Fatal(err)
	}
	_, _, err := evidence.AppendAcks(ctx, bare, "t", []comms.Record{ackOf("alice", d1, "2026-01-06 10:00")}, now)
	if !errors.Is(err, evidence.ErrRefused) || !strings.Contains(err.Error(), "has no roster") {
		t.Errorf("no roster: %v", err)
	}
}

// TestAppendRecordRecipients: a delivery naming a person the tenant's
// rosters do not hold is refused, and nothing is appended.
func TestAppendRecordRecipients(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	r := comms.Record{PlanID: "acme", ActivityID: "policy", SentAt: at("2026-01-05 09:00"), Digest: d1, Channel: "intranet",
		Occurrence: at("2026-01-05 09:00"), Recipients: []string{"alice", "mallory", "bob"}}
	_, err := evidence.AppendRecord(ctx, st, "t", r, at("2026-03-20 12:00"))
	if !errors.Is(err, evidence.ErrRefused) || !strings.Contains(err.Error(), `recipients[1]: tenant t has no person "mallory"`) {
		t.Fatalf("err = %v", err)
	}
	if h := head(t, st); h != 0 {
		t.Errorf("head %d after a refusal", h)
	}
	r.Recipients = []string{"alice", "bob"}
	if _, err := evidence.AppendRecord(ctx, st, "t", r, at("2026-03-20 12:00")); err != nil {
		t.Fatal(err)
	}
}

// TestTenantRoster: two rosters are one tenant's people; a person in both
// is one, in the groups of both.
func TestTenantRoster(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	if _, err := st.SaveRoster(ctx, "t", comms.Roster{ID: "vendors", People: []comms.Person{
		{ID: "erin", Name: "Erin V", Email: "erin@vendor.example", Stakeholders: []string{"management"}, Until: day(2026, 12, 31)},
		{ID: "vic", Stakeholders: []string{"contractors"}},
		{ID: "carol", Stakeholders: []string{"contractors"}, From: day(2026, 3, 1), Until: day(2026, 9, 30)},
	}}, 0); err != nil {
		t.Fatal(err)
	}
	r, ok, err := evidence.TenantRoster(ctx, st, "t")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if len(r.People) != 7 {
		t.Fatalf("%d people, want 7", len(r.People))
	}
	// erin: staff's name, vendors' e-mail (staff has none), both rosters'
	// groups, and staff's open last day over vendors' December 31.
	erin, _ := r.Person("erin")
	if erin.Name != "Erin" || erin.Email != "erin@vendor.example" || !erin.In("management") || !erin.In("contractors") || !erin.Until.IsZero() {
		t.Errorf("erin = %+v", erin)
	}
	// carol: from vendors' March 1 (before staff's June 10) to staff's open end.
	carol, _ := r.Person("carol")
	if carol.From != day(2026, 3, 1) || !carol.Until.IsZero() || !carol.In("contractors") {
		t.Errorf("carol = %+v", carol)
	}
	if _, ok, _ := evidence.TenantRoster(ctx, memory.New(nil), "t"); ok {
		t.Error("a tenant without rosters has a roster")
	}
}

// TestReportAcknowledgements: the report counts acknowledgements from
// people; names appear only when asked for; a group's size is the
// roster's count.
func TestReportAcknowledgements(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	now := at("2026-03-20 12:00")
	delivery := comms.Record{PlanID: "acme", ActivityID: "policy", SentAt: at("2026-01-05 09:00"), Digest: d1, Channel: "intranet",
		Occurrence: at("2026-01-05 09:00"), Audiences: []string{"employees"}, Recipients: []string{"alice", "bob", "dave", "erin"}}
	if _, err := evidence.AppendRecord(ctx, st, "t", delivery, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{
		ackOf("alice", d2, "2026-03-05 10:00"), ackOf("bob", d1, "2026-01-07 10:00"), ackOf("erin", d2, "2026-03-06 10:00"),
	}, now); err != nil {
		t.Fatal(err)
	}
	for _, names := range []bool{false, true} {
		rep, err := evidence.Build(ctx, st, evidence.BuildOptions{Tenant: "t", PlanID: "acme", Now: now, Names: names})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Acknowledgements) != 1 {
			t.Fatalf("acknowledgements: %+v", rep.Acknowledgements)
		}
		a := rep.Acknowledgements[0]
		// March 20: alice, bob, dave, erin are due (carol joins in June);
		// bob's acknowledgement is of d1, before the material change.
		if a.Total.Due != 4 || a.Total.Acknowledged != 2 || a.Total.Outstanding != 2 || a.Digest != d2 {
			t.Errorf("names=%v: total %+v digest %s", names, a.Total, a.Digest)
		}
		if got := len(a.People); names && got != 4 || !names && got != 0 {
			t.Errorf("names=%v: %d people listed", names, got)
		}
		var md strings.Builder
		if err := rep.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(md.String(), "Alice") != names {
			t.Errorf("names=%v: Markdown names Alice: %v", names, !names)
		}
		if !strings.Contains(md.String(), "| Security policy | all (version ") {
			t.Errorf("names=%v: no acknowledgement table:\n%s", names, md.String())
		}
		var js strings.Builder
		if err := rep.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(js.String(), `"dave"`) != names {
			t.Errorf("names=%v: the JSON names dave (a recipient): %v", names, !names)
		}
		var html strings.Builder
		if err := rep.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(html.String(), "Alice") != names || !strings.Contains(html.String(), "<h2>Acknowledgements</h2>") {
			t.Errorf("names=%v: HTML acknowledgements wrong", names)
		}
		// The plan says 100 employees; the roster has 4 on January 5
		// (alice, bob, dave, erin), and the record reached its 4
		// recipients.
		var emp *evidence.AudienceRate
		for i := range rep.KPIs.Audiences {
			if rep.KPIs.Audiences[i].StakeholderID == "employees" {
				emp = &rep.KPIs.Audiences[i]
			}
		}
		if emp == nil || emp.Expected != 4 || emp.Reached != 4 || emp.ReachRate != 1 {
			t.Errorf("employees reach = %+v, want expected 4 (the roster's count), reached 4", emp)
		}
	}
}

// TestAppendAcksFirstStands: a person who acknowledges a version again,
// at another time, in the same batch or a later one, keeps their first
// acknowledgement; the others of the batch are appended.
func TestAppendAcksFirstStands(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	now := at("2026-03-20 12:00")
	first, n, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{
		ackOf("alice", d2, "2026-03-05 10:00"), ackOf("alice", d2, "2026-03-05 10:05"),
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Seq != 1 || first[1].Seq != 1 || head(t, st) != 1 || n != 1 {
		t.Fatalf("in one batch: seqs %d %d, head %d", first[0].Seq, first[1].Seq, head(t, st))
	}
	again, n2, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{
		ackOf("bob", d2, "2026-03-06 10:00"), ackOf("alice", d2, "2026-03-07 09:00"),
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Seq != 2 || again[1].Seq != 1 || !again[1].SentAt.Equal(at("2026-03-05 10:00")) || head(t, st) != 2 || n2 != 1 {
		t.Errorf("later batch: %+v, head %d", again, head(t, st))
	}
	// A key of the caller's own is the store's: another record under it is
	// a conflict, and nothing of the batch is appended.
	mine := ackOf("erin", d2, "2026-03-06 10:00")
	mine.IdempotencyKey = "click-77"
	if _, _, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{mine}, now); err != nil {
		t.Fatal(err)
	}
	mine.SentAt = at("2026-03-06 11:00")
	_, _, err = evidence.AppendAcks(ctx, st, "t", []comms.Record{ackOf("dave", d2, "2026-03-06 10:00"), mine}, now)
	if !errors.Is(err, store.ErrConflict) || head(t, st) != 3 {
		t.Errorf("caller's key reused: %v, head %d", err, head(t, st))
	}
}

// plainStore hides every capability of a store but store.Store's methods
// and RosterStore: ReadOutstanding then reads through Records.
type plainStore struct {
	store.Store
	store.RosterStore
}

// TestReadOutstanding: read from a store, through its AckReader or through
// Records, the answer is Outstanding's over the whole log.
func TestReadOutstanding(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	now := at("2026-03-20 12:00")
	if _, err := evidence.AppendRecord(ctx, st, "t", comms.Record{PlanID: "acme", ActivityID: "policy", SentAt: at("2026-03-02 09:00"), Digest: d2,
		Channel: "intranet", Occurrence: at("2026-01-05 09:00"), Recipients: []string{"alice", "bob"}}, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{
		ackOf("alice", d2, "2026-03-05 10:00"), ackOf("bob", d1, "2026-01-07 10:00"), ackOf("erin", d2, "2026-03-21 10:00"),
	}, at("2026-03-22 12:00")); err != nil {
		t.Fatal(err)
	}
	var versions []store.Version
	for v, err := range st.Versions(ctx, "t", "acme") {
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	var log []comms.Record
	for r, err := range st.Records(ctx, "t", store.RecordQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, r)
	}
	want, err := evidence.Outstanding(versions, people(), log, "policy", now)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]store.Store{"AckReader": st, "Records": plainStore{st, st}} {
		got, err := evidence.ReadOutstanding(ctx, s, "t", "acme", "policy", now)
		if err != nil {
			t.Fatal(name, err)
		}
		if got.Total != want.Total || len(got.People) != len(want.People) {
			t.Fatalf("%s: total %+v, want %+v", name, got.Total, want.Total)
		}
		for i := range got.People {
			g, w := got.People[i], want.People[i]
			if g.PersonID != w.PersonID || g.State != w.State || !g.AcknowledgedAt.Equal(w.AcknowledgedAt) || !g.ReceivedAt.Equal(w.ReceivedAt) {
				t.Errorf("%s: %+v, want %+v", name, g, w)
			}
		}
	}
	// The tenant's log as remind reads it gives the same answer.
	for name, s := range map[string]store.Store{"AckReader": st, "Records": plainStore{st, st}} {
		tenantLog, err := evidence.ReadLog(ctx, s, "t", versions, now)
		if err != nil {
			t.Fatal(name, err)
		}
		got, err := evidence.Outstanding(versions, people(), tenantLog, "policy", now)
		if err != nil || got.Total != want.Total {
			t.Errorf("ReadLog through %s: %+v, %v; want %+v", name, got.Total, err, want.Total)
		}
	}
	// Erin acknowledged after now: outstanding at now, on both paths.
	if want.Total.Acknowledged != 1 || want.Total.Received != 2 {
		t.Errorf("the case is not what it tests: %+v", want.Total)
	}
}

// TestAcksOfTwoPlans: a tenant's two plans with an activity of the same
// ID and the same message version keep their acknowledgements apart.
func TestAcksOfTwoPlans(t *testing.T) {
	ctx := context.Background()
	st := ackStore(t)
	other := history(comms.ChangeMaterial)[1].Plan
	other.ID = "acme2"
	if _, err := st.SavePlan(ctx, "t", other, 0); err != nil {
		t.Fatal(err)
	}
	now := at("2026-03-20 12:00")
	first := ackOf("alice", d2, "2026-03-05 10:00")
	second := first
	second.PlanID, second.SentAt = "acme2", at("2026-03-06 10:00")
	for _, r := range []comms.Record{first, second} {
		got, _, err := evidence.AppendAcks(ctx, st, "t", []comms.Record{r}, now)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].PlanID != r.PlanID || !got[0].SentAt.Equal(r.SentAt) {
			t.Errorf("acknowledgement for %s answered with %s's of %v", r.PlanID, got[0].PlanID, got[0].SentAt)
		}
	}
	for _, s := range []store.Store{st, plainStore{st, st}} {
		for plan, when := range map[string]string{"acme": "2026-03-05 10:00", "acme2": "2026-03-06 10:00"} {
			got, err := evidence.ReadOutstanding(ctx, s, "t", plan, "policy", now)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total.Acknowledged != 1 {
				t.Fatalf("%s: %+v", plan, got.Total)
			}
			for _, p := range got.People {
				if p.PersonID == "alice" && !p.AcknowledgedAt.Equal(at(when)) {
					t.Errorf("%s: alice acknowledged at %v, want %s", plan, p.AcknowledgedAt, when)
				}
			}
		}
	}
}
