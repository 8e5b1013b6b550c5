package driver_test

import (
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store/driver"
)

// The checks every append runs allocate nothing for a valid record.
func TestCheckRecordAllocs(t *testing.T) {
	r := comms.Record{PlanID: "plan", PlanVersion: 1, ActivityID: "policy", EventID: "inc-1", SentAt: time.Now(), Channel: "email",
		Audiences: []string{"employees", "contractors"}, Sender: "Zoë", SenderRole: "iso", Subject: "s", Digest: "d", Note: "n", IdempotencyKey: "msg-1"}
	e := comms.Event{ID: "inc-1", Kind: "incident", Title: "t", Labels: map[string]string{"k": "v"}, Milestones: []comms.Milestone{{Name: "aware", At: time.Now()}}}
	if n := testing.AllocsPerRun(100, func() {
		if err := driver.CheckRecord(r); err != nil {
			t.Fatal(err)
		}
		if err := driver.CheckEvent(e); err != nil {
			t.Fatal(err)
		}
		if err := driver.CheckTenant("acme"); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("CheckRecord, CheckEvent and CheckTenant allocate %.0f times for valid input", n)
	}
}
