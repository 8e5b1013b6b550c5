package sqlite

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// A file of schema 4 that holds acknowledgements (record format v3) gets
// their copies when migrated to schema 5: Verify passes and Acks returns
// them as Records does.
func TestMigrateAcks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := openT(t, path)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var appended []comms.Record
	for i := 0; i < 12; i++ {
		r := storetest.Record("policy", base.Add(time.Duration(i)*time.Hour))
		switch i % 3 {
		case 1:
			r = storetest.Ack("policy", fmt.Sprintf("e-%d \"ü\"", i), r.SentAt)
		case 2:
			r.Recipients, r.Reached, r.Acknowledged = []string{"e-1", "e-2"}, 2, 0
		}
		got, err := s.AppendRecord(ctx, "t", r)
		if err != nil {
			t.Fatal(err)
		}
		appended = append(appended, got)
	}
	s.Close()
	db := rawDB(t, path)
	for _, q := range []string{
		`DROP TABLE tree_hashes`, `DROP TABLE tree_unbuilt`, // schema 7
		`DROP INDEX records_by_ack`,
		`DROP INDEX records_by_kind`,
		`ALTER TABLE records DROP COLUMN person_id`,
		`ALTER TABLE records DROP COLUMN digest`,
		`ALTER TABLE records DROP COLUMN channel`,
		`PRAGMA user_version = 4`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	if _, err := Open(path, &Options{ReadOnly: true}); err == nil {
		t.Fatal("a read-only open of schema 4 did not refuse it")
	}
	s = openT(t, path)
	if head, err := s.Verify(ctx, "t"); err != nil || head.Seq != 12 {
		t.Fatalf("Verify after migrating: %+v, %v", head, err)
	}
	var want []store.AckRecord
	for _, r := range appended {
		if r.Type == comms.RecordTypeAck {
			want = append(want, store.AckRecord{Seq: r.Seq, PlanID: r.PlanID, ActivityID: r.ActivityID, PersonID: r.PersonID, Digest: r.Digest, SentAt: r.SentAt, Channel: r.Channel})
		}
	}
	var got []store.AckRecord
	for a, err := range s.Acks(ctx, "t", store.AckQuery{ActivityID: "policy"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if len(want) != 4 || !reflect.DeepEqual(got, want) {
		t.Errorf("Acks after migrating:\n got %+v\nwant %+v", got, want)
	}
}
