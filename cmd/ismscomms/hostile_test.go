package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// Characters a terminal obeys: a reset (ESC c), a title change ended by
// BEL, a C1 CSI, a carriage return, a line feed and a tab that would
// break a table, and a right-to-left override that reorders what follows.
const (
	termReset = "\x1bc\x1b]0;owned\x07"
	rlo       = "\u202etxt.exe"
	hostile   = termReset + rlo + "\u009b31m\rhidden\n\tx"
)

// TestHostileText feeds control and bidirectional-formatting characters
// to the command through a store (a plan's save info, an event, records,
// all put in through the library directly) and through flags and file
// names, and checks that no text output of the command passes one through:
// each is shown escaped (\x1b, \u202e) instead. The transcript is
// testdata/hostile.golden.
func TestHostileText(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	st, err := sqlite.Open(c.path("ismscomms.db"), &sqlite.Options{Now: func() time.Time { return c.clock }})
	if err != nil {
		t.Fatal(err)
	}
	p, err := comms.LoadPlan(starterPlan)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SavePlan(store.WithSaveInfo(ctx, store.SaveInfo{By: hostile, Note: hostile}), "default", p, 0); err != nil {
		t.Fatal(err)
	}
	incident := "INC" + termReset
	detected := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	if err := st.SaveEvent(ctx, "default", comms.Event{ID: incident, Kind: "incident", Title: hostile, Milestones: []comms.Milestone{
		{Name: "detected", At: detected, Note: hostile},
		{Name: "aware" + rlo, At: detected.Add(time.Hour)},
	}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []comms.Record{
		{PlanID: "starter", PlanVersion: 1, ActivityID: "incident-response", EventID: incident, SentAt: detected.Add(30 * time.Minute),
			Channel: "email", Audiences: []string{"employees"}, Sender: hostile, Subject: hostile, Note: hostile},
		{PlanID: "starter", PlanVersion: 1, ActivityID: "security-metrics", Occurrence: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC),
			SentAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Channel: "dashboards" + termReset, Audiences: []string{"management" + rlo},
			Sender: hostile, SenderRole: "iso" + termReset, Subject: hostile},
		{PlanID: "starter", PlanVersion: 1, ActivityID: "security-metrics", Type: comms.RecordTypeWaived, Occurrence: time.Date(2026, 10, 5, 7, 0, 0, 0, time.UTC),
			SentAt: time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC), Note: hostile},
	} {
		if _, err := st.AppendRecord(ctx, "default", r); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// A plan file whose name is hostile, and a tenant whose ID is.
	planFile := c.path("plan" + termReset + rlo + ".yaml")
	data, err := os.ReadFile(starterPlan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tenant := rlo + "-tenant"
	other := incident + "2"

	for _, args := range [][]string{
		// What the store holds.
		{"plan", "list"},
		{"plan", "list", "starter"},
		{"incident", "list"},
		{"incident", "clock", incident},
		{"verify"},
		{"agenda", "--evidence", "--from", "2026-10-01", "--to", "2026-12-01", starterPlan},
		{"report", "--format", "md", "--from", "2026-10-01", "--out", c.path("report" + termReset + ".md")},
		// What flags and file names carry.
		{"agenda", "--from", "2026-12-01", "--to", "2026-12-08", planFile},
		{"--tenant", tenant, "plan", "save", "--by", hostile, "--note", hostile, planFile},
		{"--tenant", tenant, "plan", "list"},
		{"--tenant", tenant, "record", "--activity", "security-metrics", "--occurrence", "2026-11-02T09:00:00+01:00", "--waived", "--note", hostile},
		{"--tenant", tenant, "incident", "open", other, "--title", hostile, "--at", "2026-11-26T08:00:00Z"},
		{"--tenant", tenant, "incident", "milestone", other, "aware" + termReset},
		{"--tenant", tenant, "incident", "milestone", other, "aware" + termReset, "--force", "--at", "2026-11-25T08:00:00Z"},
		{"--tenant", tenant, "incident", "list"},
		{"--tenant", tenant, "incident", "clock", other},
		{"--tenant", tenant, "verify"},
		{"--tenant", tenant + "2", "verify"},
		{"--tenant", tenant, "incident", "clock", "NO" + termReset},
		{"--tenant", tenant, "plan", "list", "NO" + rlo},
		{"check", c.path("nosuch" + termReset + ".yaml")},
		{"init", c.path("new" + rlo + ".yaml")},
		{"plan", "sav" + termReset},
		{"check", "--profile", "x" + rlo, starterPlan},
		{"report", "--out", c.path("nodir" + termReset + "/r.md")},
	} {
		stdout, stderr, _ := c.run(args...)
		for name, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
			if i := safetext.Index(out, false); i >= 0 {
				t.Errorf("ismscomms %s: %s passes %q through at byte %d:\n%q", safetext.Line(strings.Join(args, " ")), name, out[i:min(i+4, len(out))], i, out)
			}
		}
	}
	got := c.transcript.String()
	for _, want := range []string{`\x1bc\x1b]0;owned\x07`, `\u202etxt.exe`, `\x9b31m\rhidden\n\tx`, `INC\x1bc`, `aware\u202etxt.exe`} {
		if !strings.Contains(got, want) {
			t.Errorf("the outputs never show %s: a hostile value was dropped, not escaped", want)
		}
	}
	golden(t, "hostile.golden", got)
}
