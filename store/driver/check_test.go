package driver_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
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

// A drill's mark is refused where no drill can be: on an acknowledgement
// (of a message version, never of an exercise) and on a record that
// names no event; a drill record answering an event is accepted.
func TestCheckRecordDrill(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ok := comms.Record{PlanID: "plan", ActivityID: "regulator", EventID: "DRILL-1", SentAt: at, Drill: true}
	if err := driver.CheckRecord(ok); err != nil {
		t.Errorf("a drill record answering its event: %v", err)
	}
	for name, r := range map[string]comms.Record{
		"a drill acknowledgement": {Type: comms.RecordTypeAck, PlanID: "plan", ActivityID: "policy", PersonID: "alice", Digest: "sha256:ab",
			SentAt: at, EventID: "DRILL-1", Drill: true},
		"a drill acknowledgement naming no event": {Type: comms.RecordTypeAck, PlanID: "plan", ActivityID: "policy", PersonID: "alice",
			Digest: "sha256:ab", SentAt: at, Drill: true},
		"a drill waiver naming no event":      {Type: comms.RecordTypeWaived, Note: "x", SentAt: at, Drill: true},
		"a drill sent record naming no event": {Type: comms.RecordTypeSent, PlanID: "plan", ActivityID: "regulator", SentAt: at, Drill: true},
	} {
		if err := driver.CheckRecord(r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		} else if !strings.Contains(err.Error(), "drill") {
			t.Errorf("%s: %q does not say what is wrong", name, err)
		}
	}
}
