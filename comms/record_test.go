package comms_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

func TestCheckRecord(t *testing.T) {
	p, err := comms.LoadPlan("../examples/plans/starter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	occ := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	sent := occ.Add(time.Hour)
	tests := []struct {
		name string
		r    comms.Record
		want []string // substrings of the error; none: valid
	}{
		{"recurring sent", comms.Record{PlanID: "starter", ActivityID: "security-metrics", Occurrence: occ, SentAt: sent,
			Channel: "reports", Audiences: []string{"management"}, SenderRole: "iso"}, nil},
		{"triggered sent", comms.Record{ActivityID: "incident-response", EventID: "INC-1", SentAt: sent, Channel: "email"}, nil},
		{"ad hoc", comms.Record{SentAt: sent, Channel: "email", Audiences: []string{"employees"}}, nil},
		{"waiver", comms.Record{Type: comms.RecordTypeWaived, ActivityID: "security-metrics", Occurrence: occ, SentAt: sent, Note: "shutdown"}, nil},
		{"other plan", comms.Record{PlanID: "other", SentAt: sent}, []string{`plan_id: record is for plan "other"`}},
		{"unknown activity", comms.Record{ActivityID: "metrics", SentAt: sent}, []string{`activity_id: plan starter has no activity "metrics"`}},
		{"occurrence of triggered", comms.Record{ActivityID: "incident-response", Occurrence: occ, SentAt: sent}, []string{"occurrence: activity incident-response does not recur"}},
		{"event of recurring", comms.Record{ActivityID: "security-metrics", EventID: "INC-1", SentAt: sent}, []string{"event_id: activity security-metrics is not triggered"}},
		{"waiver without occurrence", comms.Record{Type: comms.RecordTypeWaived, ActivityID: "security-metrics", SentAt: sent, Note: "x"}, []string{"type: a waiver names"}},
		{"every reference wrong", comms.Record{SentAt: sent, Channel: "fax", Audiences: []string{"employees", "martians"}, SenderRole: "cfo"}, []string{
			`channel: plan starter has no channel "fax"`,
			`audiences[1]: plan starter has no stakeholder "martians"`,
			`sender_role: plan starter has no role "cfo"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantRecordProblems(t, p, tt.r, tt.want) })
	}
}

// wantRecordProblems checks that p.CheckRecord(r) reports exactly the
// problems want (each a substring of one line), or none when want is
// empty.
func wantRecordProblems(t *testing.T, p comms.Plan, r comms.Record, want []string) {
	t.Helper()
	err := p.CheckRecord(r)
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("CheckRecord: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("CheckRecord = nil, want %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("CheckRecord = %q, want it to contain %q", err, w)
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != len(want) {
		t.Errorf("CheckRecord reported %d problems, want %d: %v", got, len(want), err)
	}
}
