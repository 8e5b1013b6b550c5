package evidence_test

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/memory"
)

// filledStore holds the test plan's two versions, input()'s records (9)
// and events for tenant "t".
func filledStore(t *testing.T) (*memory.Store, evidence.Input) {
	t.Helper()
	ctx := context.Background()
	clock := at("2025-12-01 10:00")
	mem := memory.New(&memory.Options{Now: func() time.Time { return clock }})
	in := input()
	if _, err := mem.SavePlan(store.WithSaveInfo(ctx, store.SaveInfo{By: "ina"}), "t", plan(false), 0); err != nil {
		t.Fatal(err)
	}
	clock = at("2026-07-01 00:00")
	if _, err := mem.SavePlan(ctx, "t", plan(true), 1); err != nil {
		t.Fatal(err)
	}
	clock = at("2026-12-03 11:00")
	for _, r := range in.Records {
		r.Seq = 0
		if _, err := mem.AppendRecord(ctx, "t", r); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range in.Events {
		if err := mem.SaveEvent(ctx, "t", e); err != nil {
			t.Fatal(err)
		}
	}
	return mem, in
}

// readStore returns, from Records, what read makes of the inner store's
// records; Verify is the inner store's, then after (if set).
type readStore struct {
	store.Store
	read  func(inner iter.Seq2[comms.Record, error]) iter.Seq2[comms.Record, error]
	after func()
	query func(store.RecordQuery) store.RecordQuery
}

func (s readStore) Verify(ctx context.Context, tenant string) (store.Head, error) {
	h, err := s.Store.Verify(ctx, tenant)
	if s.after != nil {
		s.after()
	}
	return h, err
}

func (s readStore) Records(ctx context.Context, tenant string, q store.RecordQuery) iter.Seq2[comms.Record, error] {
	if s.query != nil {
		q = s.query(q)
	}
	inner := s.Store.Records(ctx, tenant, q)
	if s.read == nil {
		return inner
	}
	return s.read(inner)
}

// edit applies f to each record the inner store returns; f returns false
// to leave a record out.
func edit(f func(*comms.Record) bool) func(iter.Seq2[comms.Record, error]) iter.Seq2[comms.Record, error] {
	return func(inner iter.Seq2[comms.Record, error]) iter.Seq2[comms.Record, error] {
		return func(yield func(comms.Record, error) bool) {
			for r, err := range inner {
				if err == nil && !f(&r) {
					continue
				}
				if !yield(r, err) {
					return
				}
			}
		}
	}
}

// The report is computed from exactly the records verified, and says how
// many and which head.
func TestBuildReportsWhatItVerified(t *testing.T) {
	ctx := context.Background()
	mem, in := filledStore(t)
	head, err := mem.Verify(ctx, "t")
	if err != nil || head.Seq != 9 {
		t.Fatalf("verify: %+v %v", head, err)
	}
	rep, err := evidence.Build(ctx, mem, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	if want := (evidence.Chain{Checked: true, OK: true, Verified: 9, HeadHash: head.Hash}); !reflect.DeepEqual(rep.Chain, want) {
		t.Fatalf("chain %+v, want %+v", rep.Chain, want)
	}
	if rep.KPIs.OnTime != 6 || rep.KPIs.Missed != 12 || rep.KPIs.AdHoc != 1 {
		t.Errorf("kpis %+v", rep.KPIs)
	}
	var md, html, js bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if want := "**Record chain verified: 9 records, intact and in sequence; the report is computed from exactly these.** Head hash: " + head.Hash + "."; !strings.Contains(md.String(), want) {
		t.Errorf("Markdown lacks %q", want)
	}
	if !strings.Contains(html.String(), "Record chain verified: 9 records") || !strings.Contains(html.String(), `<code id="head-hash">`+head.Hash+`</code>`) {
		t.Error("HTML does not show the count and the head hash")
	}
	var back struct {
		Chain map[string]any `json:"chain"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Chain["verified"] != 9.0 || back.Chain["head_hash"] != head.Hash || back.Chain["ok"] != true {
		t.Errorf("JSON chain: %v %v", back.Chain, err)
	}
}

func TestBuildNoticesOtherRecords(t *testing.T) {
	ctx := context.Background()
	mem, in := filledStore(t)
	head, _ := mem.Verify(ctx, "t")
	forged := func(r *comms.Record) {
		r.SentAt = r.SentAt.Add(time.Hour)
		sealed, _ := driver.Seal("t", r.Seq, r.PrevHash, r.RecordedAt, *r)
		*r = sealed
	}
	for _, tc := range []struct {
		name   string
		st     readStore
		seq    int64
		reason string
	}{
		{"a field edited outside the hash", readStore{read: edit(func(r *comms.Record) bool {
			if r.Seq == 4 {
				r.Channel = "email" // hides a deviation
			}
			return true
		})}, 4, "record 4 does not match its hash"},
		{"a record hidden (a query column edited)", readStore{read: edit(func(r *comms.Record) bool { return r.Seq != 4 })}, 4, "record 4 is missing"},
		{"a record resealed", readStore{read: edit(func(r *comms.Record) bool {
			if r.Seq == 3 {
				forged(r)
			}
			return true
		})}, 4, "record 4 does not link to the record before it"},
		{"the head resealed", readStore{read: edit(func(r *comms.Record) bool {
			if r.Seq == 9 {
				forged(r)
			}
			return true
		})}, 9, "record 9 is not the head that was verified"},
		{"the log cut short", readStore{read: edit(func(r *comms.Record) bool { return r.Seq < 8 })}, 8, "the store returned 7 records, not 9"},
		{"a filter the caller did not ask for", readStore{query: func(q store.RecordQuery) store.RecordQuery {
			q.From = at("2026-04-01 00:00")
			return q
		}}, 1, "record 1 is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.st.Store = mem
			rep, err := evidence.Build(ctx, tc.st, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Chain
			if c.OK || !c.Checked || c.Seq != tc.seq || !strings.Contains(c.Error, tc.reason) || c.Verified != 9 || c.HeadHash != head.Hash {
				t.Fatalf("chain %+v, want record %d: %s", c, tc.seq, tc.reason)
			}
			var html, md bytes.Buffer
			rep.WriteHTML(&html)
			rep.WriteMarkdown(&md)
			out := html.String()
			if i := strings.Index(out, "RECORDS NOT AS VERIFIED at record"); i < 0 || i > strings.Index(out, `id="kpis"`) || !strings.Contains(out, `class="chain broken"`) {
				t.Error("the HTML report does not lead with the mismatch")
			}
			if !strings.HasPrefix(strings.SplitN(md.String(), "\n\n", 3)[1], "**RECORDS NOT AS VERIFIED at record") {
				t.Error("the Markdown report does not lead with the mismatch")
			}
		})
	}
}

// Records appended after Verify are not in the report, even from a store
// that ignores the limit: the report is one snapshot.
func TestBuildIgnoresLaterRecords(t *testing.T) {
	ctx := context.Background()
	for _, ignoreLimit := range []bool{false, true} {
		mem, in := filledStore(t)
		head, _ := mem.Verify(ctx, "t")
		st := readStore{Store: mem, after: func() {
			// Appended between Verify and Records; it would answer
			// December's newsletter.
			if _, err := mem.AppendRecord(ctx, "t", sent("newsletter", "2026-12-02 10:00", 90, 10)); err != nil {
				t.Fatal(err)
			}
		}}
		if ignoreLimit {
			st.query = func(q store.RecordQuery) store.RecordQuery { q.Limit = 0; return q }
		}
		rep, err := evidence.Build(ctx, st, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Chain.OK || rep.Chain.Verified != head.Seq || rep.Chain.HeadHash != head.Hash {
			t.Errorf("ignore limit %v: chain %+v, want the %d records verified", ignoreLimit, rep.Chain, head.Seq)
		}
		if got := statuses(rep, "newsletter"); got[len(got)-1] != "12-01 due" {
			t.Errorf("ignore limit %v: a record appended after Verify was used: %v", ignoreLimit, got)
		}
	}
}

// A broken chain leads the report, which says how many records before it
// verified.
func TestBuildBrokenChain(t *testing.T) {
	ctx := context.Background()
	mem, in := filledStore(t)
	rep, err := evidence.Build(ctx, chainStore{mem}, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Chain; c.OK || c.Seq != 4 || c.Verified != 3 || c.HeadHash != "" {
		t.Errorf("chain %+v", c)
	}
	var md bytes.Buffer
	rep.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "**RECORD CHAIN BROKEN at record 4: its content does not match its hash (records 1 to 3 verified)**") {
		t.Errorf("Markdown:\n%s", md.String()[:400])
	}
	// An empty log verifies, and says so.
	empty := memory.New(nil)
	if _, err := empty.SavePlan(ctx, "t", plan(false), 0); err != nil {
		t.Fatal(err)
	}
	rep, err = evidence.Build(ctx, empty, evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil || !rep.Chain.OK || rep.Chain.Verified != 0 {
		t.Fatalf("empty log: %+v %v", rep.Chain, err)
	}
	md.Reset()
	rep.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "Record chain verified: the tenant has no records.") {
		t.Error("empty log not said")
	}
}

// unreadable is chainStore whose Records refuses the records in bad as a
// store refuses an edited record: a *store.ChainError, as the last pair.
func unreadable(inner store.Store, bad ...int64) readStore {
	return readStore{Store: chainStore{inner}, read: func(seq iter.Seq2[comms.Record, error]) iter.Seq2[comms.Record, error] {
		return func(yield func(comms.Record, error) bool) {
			for r, err := range seq {
				if err == nil && slices.Contains(bad, r.Seq) {
					yield(comms.Record{}, &store.ChainError{Tenant: "t", Seq: r.Seq, Reason: "its content does not match its hash"})
					return
				}
				if !yield(r, err) {
					return
				}
			}
		}
	}}
}

// TestBuildUnreadableRecords: with a broken chain, a record the store
// will not return (its content no longer matches its hash) is left out,
// named, and read past: one edited record does not keep every report
// from being written (the review's D22: report exited 3).
func TestBuildUnreadableRecords(t *testing.T) {
	ctx := context.Background()
	mem, in := filledStore(t)
	all, err := fallible.Collect(mem.Records(ctx, "t", store.RecordQuery{}))
	if err != nil || len(all) < 6 {
		t.Fatalf("%d records, %v", len(all), err)
	}
	rep, err := evidence.Build(ctx, unreadable(mem, 2, 5), evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Chain; c.OK || !slices.Equal(seqsOf(c.Unreadable), []int64{2, 5}) || c.ReadTo != 0 {
		t.Errorf("chain %+v", c)
	}
	var md bytes.Buffer
	rep.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "Left out, as the store would not return them: #2 (its content does not match its hash), #5 (its content does not match its hash)") {
		t.Errorf("Markdown does not name the records left out:\n%.600s", md.String())
	}
	// Past MaxUnreadable the report stops reading, and says where.
	big := memory.New(nil)
	if _, err := big.SavePlan(ctx, "t", plan(false), 0); err != nil {
		t.Fatal(err)
	}
	var bad []int64
	for i := range evidence.MaxUnreadable + 5 {
		r, err := big.AppendRecord(ctx, "t", comms.Record{PlanID: "acme", ActivityID: "x", SentAt: in.From.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		bad = append(bad, r.Seq)
	}
	if rep, err = evidence.Build(ctx, unreadable(big, bad...), evidence.BuildOptions{Tenant: "t", PlanID: "acme", From: in.From, To: in.To, Now: in.Now}); err != nil {
		t.Fatal(err)
	}
	if c := rep.Chain; len(c.Unreadable) != evidence.MaxUnreadable || c.ReadTo != evidence.MaxUnreadable {
		t.Errorf("past MaxUnreadable: %d unreadable, read to %d", len(c.Unreadable), c.ReadTo)
	}
}

func seqsOf(us []evidence.Unreadable) []int64 {
	var out []int64
	for _, u := range us {
		out = append(out, u.Seq)
	}
	return out
}
