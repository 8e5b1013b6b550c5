package postgres

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// A schema of version 4 whose log holds acknowledgements (record format
// v3) gets their copies when migrated to version 5, under FORCE ROW
// LEVEL SECURITY as the owner: Verify passes and Acks returns them as
// Records does, tenant by tenant.
func TestMigrateAcks(t *testing.T) {
	s, srv := openStore(t, nil)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	appended := map[string][]comms.Record{}
	for _, tenant := range []string{"acme", "globex"} {
		for i := 0; i < 12; i++ {
			r := storetest.Record("policy", base.Add(time.Duration(i)*time.Hour))
			switch i % 3 {
			case 1:
				r = storetest.Ack("policy", fmt.Sprintf("%s-%d \"ü\"", tenant, i), r.SentAt)
			case 2:
				r.Recipients, r.Reached, r.Acknowledged = []string{"e-1", "e-2"}, 2, 0
			}
			got, err := s.AppendRecord(ctx, tenant, r)
			if err != nil {
				t.Fatal(err)
			}
			appended[tenant] = append(appended[tenant], got)
		}
	}
	s.Close()
	owner := connect(t, srv.owner)
	sch := s.schema
	for _, q := range []string{
		`DROP TABLE ` + sch + `.tree_hashes`, `DROP TABLE ` + sch + `.tree_unbuilt`, // schema 7
		`DROP INDEX ` + sch + `.records_by_ack`,
		`ALTER TABLE ` + sch + `.records DROP COLUMN person_id, DROP COLUMN digest, DROP COLUMN channel`,
		`DELETE FROM ` + sch + `.schema_migrations WHERE version >= 5`,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s2, _ := openStore(t, &Options{Schema: sch})
	for tenant, records := range appended {
		if head, err := s2.Verify(ctx, tenant); err != nil || head.Seq != 12 {
			t.Fatalf("Verify of %s after migrating: %+v, %v", tenant, head, err)
		}
		var want, got []store.AckRecord
		for _, r := range records {
			if r.Type == comms.RecordTypeAck {
				want = append(want, store.AckRecord{Seq: r.Seq, PlanID: r.PlanID, ActivityID: r.ActivityID, PersonID: r.PersonID, Digest: r.Digest, SentAt: r.SentAt, Channel: r.Channel})
			}
		}
		for a, err := range s2.Acks(ctx, tenant, store.AckQuery{ActivityID: "policy"}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, a)
		}
		if len(want) != 4 || !reflect.DeepEqual(got, want) {
			t.Errorf("Acks of %s after migrating:\n got %+v\nwant %+v", tenant, got, want)
		}
	}
	// FORCE is back on: the application role with no tenant sees nothing.
	app := connect(t, srv.app)
	if n := count(t, app, sch, "records", ""); n != 0 {
		t.Errorf("after the migration the application role with no tenant sees %d records", n)
	}
	var forced bool
	if err := owner.QueryRow(ctx, `SELECT relforcerowsecurity FROM pg_class WHERE oid = $1::regclass`, sch+".records").Scan(&forced); err != nil || !forced {
		t.Errorf("records: FORCE ROW LEVEL SECURITY = %v, %v after the migration", forced, err)
	}
}
