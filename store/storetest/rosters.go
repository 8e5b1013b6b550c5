package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// Roster returns a small valid roster with the given ID; n varies its
// content (n+2 people, the last of whom left on 2026-06-30).
func Roster(id string, n int) comms.Roster {
	r := comms.Roster{ID: id}
	for i := 0; i < n+2; i++ {
		p := comms.Person{
			ID:           fmt.Sprintf("e-%03d", i),
			Name:         fmt.Sprintf("Person %d of %d — ünïcödé", i, n),
			Email:        fmt.Sprintf("p%d.v%d@example.com", i, n),
			Stakeholders: []string{"employees"},
			From:         comms.Date{Year: 2026, Month: 1, Day: 1 + i%28},
		}
		if i == n+1 {
			p.Until = comms.Date{Year: 2026, Month: 6, Day: 30}
			p.Stakeholders = append(p.Stakeholders, "contractors")
		}
		r.People = append(r.People, p)
	}
	return r
}

func rosterStore(t *testing.T, s store.Store) store.RosterStore {
	t.Helper()
	rs, ok := s.(store.RosterStore)
	if !ok {
		t.Skip("the store does not implement store.RosterStore")
	}
	return rs
}

func mustSaveRoster(t *testing.T, rs store.RosterStore, tenant string, r comms.Roster, expect int) int {
	t.Helper()
	v, err := rs.SaveRoster(ctx, tenant, r, expect)
	if err != nil {
		t.Fatalf("SaveRoster(%s, %s, expect %d): %v", tenant, r.ID, expect, err)
	}
	return v
}

// SaveRoster returns 1 for a new roster, then one more than the latest;
// who saved it and why come from the context; Roster 0 is the latest,
// RosterVersions every version oldest first, Rosters the latest of each
// in byte order of ID.
func testRosterVersions(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	before := time.Now()
	c := store.WithSaveInfo(ctx, store.SaveInfo{By: "hr-import", Note: "March export"})
	if v, err := rs.SaveRoster(c, "t1", Roster("staff", 1), 0); err != nil || v != 1 {
		t.Fatalf("create: %d, %v", v, err)
	}
	if v, err := rs.SaveRoster(ctx, "t1", Roster("staff", 2), 1); err != nil || v != 2 {
		t.Fatalf("update: %d, %v", v, err)
	}
	for _, id := range []string{"b", "B", "a-b", "a"} {
		mustSaveRoster(t, rs, "t1", Roster(id, 0), 0)
	}
	after := time.Now()
	latest, err := rs.Roster(ctx, "t1", "staff", 0)
	if err != nil {
		t.Fatal(err)
	}
	if latest.Number != 2 || latest.RosterID != "staff" || latest.SavedBy != "" || !reflect.DeepEqual(latest.Roster, Roster("staff", 2)) {
		t.Errorf("latest = %+v", latest)
	}
	first, err := rs.Roster(ctx, "t1", "staff", 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Number != 1 || first.SavedBy != "hr-import" || first.Note != "March export" || !reflect.DeepEqual(first.Roster, Roster("staff", 1)) {
		t.Errorf("version 1 = %+v", first)
	}
	near(t, "SavedAt", first.SavedAt, before, after)
	if first.SavedAt.Location() != time.UTC {
		t.Errorf("SavedAt in %v, want UTC", first.SavedAt.Location())
	}
	vs := collect(t, rs.RosterVersions(ctx, "t1", "staff"))
	if len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 || !reflect.DeepEqual(vs[1].Roster, Roster("staff", 2)) {
		t.Errorf("RosterVersions: %+v", vs)
	}
	var ids []string
	for _, v := range collect(t, rs.Rosters(ctx, "t1")) {
		ids = append(ids, v.RosterID)
		if v.RosterID == "staff" && v.Number != 2 {
			t.Errorf("Rosters yields version %d of staff, want the latest", v.Number)
		}
	}
	if got := strings.Join(ids, ","); got != "B,a,a-b,b,staff" {
		t.Errorf("Rosters in order %s, want byte order B,a,a-b,b,staff", got)
	}
}

// A stale expected version fails with ErrConflict and changes nothing;
// of concurrent saves with the same expected version exactly one
// succeeds.
func testRosterConflict(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	mustSaveRoster(t, rs, "t1", Roster("staff", 1), 0)
	mustSaveRoster(t, rs, "t1", Roster("staff", 2), 1)
	for _, expect := range []int{0, 1, 3, -1} {
		if _, err := rs.SaveRoster(ctx, "t1", Roster("staff", 9), expect); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale expect %d: %v, want ErrConflict", expect, err)
		}
	}
	if _, err := rs.SaveRoster(ctx, "t1", Roster("new", 1), 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("expect 1 on a new roster: %v, want ErrConflict", err)
	}
	if v, err := rs.Roster(ctx, "t1", "staff", 0); err != nil || v.Number != 2 || !reflect.DeepEqual(v.Roster, Roster("staff", 2)) {
		t.Errorf("a conflict changed the roster: %+v, %v", v.Number, err)
	}
	if _, err := rs.Roster(ctx, "t1", "new", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a conflict created a roster: %v", err)
	}
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, conflicts := 0, 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := rs.SaveRoster(ctx, "t1", Roster("staff", 10+i), 2)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("concurrent SaveRoster: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || conflicts != n-1 {
		t.Errorf("%d concurrent saves of version 3: %d succeeded, %d conflicted; want 1 and %d", n, won, conflicts, n-1)
	}
	if vs := collect(t, rs.RosterVersions(ctx, "t1", "staff")); len(vs) != 3 {
		t.Errorf("%d versions after the race, want 3", len(vs))
	}
}

// Tenants share nothing: the same roster ID in two tenants is two
// rosters, with their own versions; an invalid tenant ID fails every
// method with ErrInvalid.
func testRosterIsolation(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	mustSaveRoster(t, rs, "t1", Roster("staff", 1), 0)
	mustSaveRoster(t, rs, "t1", Roster("staff", 2), 1)
	if v := mustSaveRoster(t, rs, "t2", Roster("staff", 7), 0); v != 1 {
		t.Errorf("t2's first version of staff is %d, want 1 (versions are counted per tenant)", v)
	}
	if v, err := rs.Roster(ctx, "t2", "staff", 0); err != nil || v.Number != 1 || !reflect.DeepEqual(v.Roster, Roster("staff", 7)) {
		t.Errorf("t2 reads %+v, %v; want its own version 1", v.Number, err)
	}
	if _, err := rs.Roster(ctx, "t2", "staff", 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("t2 reads t1's version 2: %v", err)
	}
	if vs := collect(t, rs.RosterVersions(ctx, "t2", "staff")); len(vs) != 1 {
		t.Errorf("t2 has %d versions of staff, want 1", len(vs))
	}
	if vs := collect(t, rs.Rosters(ctx, "t3")); len(vs) != 0 {
		t.Errorf("t3 lists %d rosters of other tenants", len(vs))
	}
	if _, err := rs.SaveRoster(ctx, "t2", Roster("staff", 8), 2); !errors.Is(err, store.ErrConflict) {
		t.Errorf("t2 saved against t1's version: %v, want ErrConflict", err)
	}
	for _, bad := range []string{"", "a\x00b", "a\nb", strings.Repeat("x", store.MaxIDLen+1), "\xff"} {
		checks := map[string]error{}
		_, checks["SaveRoster"] = rs.SaveRoster(ctx, bad, Roster("staff", 1), 0)
		_, checks["Roster"] = rs.Roster(ctx, bad, "staff", 0)
		checks["RosterVersions"] = firstErr(rs.RosterVersions(ctx, bad, "staff"))
		checks["Rosters"] = firstErr(rs.Rosters(ctx, bad))
		for name, err := range checks {
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s with tenant %q: %v, want ErrInvalid", name, bad, err)
			}
		}
	}
}

// An invalid roster fails with ErrInvalid wrapping its *comms.RosterError
// and stores nothing.
func testRosterInvalid(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	mustSaveRoster(t, rs, "t1", Roster("staff", 1), 0)
	dupEmail := Roster("staff", 2)
	dupEmail.People[1].Email = strings.ToUpper(dupEmail.People[0].Email)
	noID := Roster("staff", 2)
	noID.People[0].ID = ""
	dupID := Roster("staff", 2)
	dupID.People[1].ID = dupID.People[0].ID
	control := Roster("staff", 2)
	control.People[0].Name = "Mallory\x1b[2J"
	notUTF8 := Roster("staff", 2)
	notUTF8.People[0].Email = "\xff@example.com"
	badDate := Roster("staff", 2)
	badDate.People[0].Until = comms.Date{Year: 2025, Month: 1, Day: 1}
	for name, r := range map[string]comms.Roster{
		"duplicate e-mail": dupEmail, "no person ID": noID, "duplicate person ID": dupID,
		"control character": control, "not UTF-8": notUTF8, "until before from": badDate,
		"no roster ID": {People: Roster("x", 1).People}, "bad roster ID": {ID: "a b"},
	} {
		_, err := rs.SaveRoster(ctx, "t1", r, 1)
		var re *comms.RosterError
		if !errors.Is(err, store.ErrInvalid) || !errors.As(err, &re) {
			t.Errorf("%s: %v, want ErrInvalid wrapping a *comms.RosterError", name, err)
		}
	}
	if vs := collect(t, rs.RosterVersions(ctx, "t1", "staff")); len(vs) != 1 || !reflect.DeepEqual(vs[0].Roster, Roster("staff", 1)) {
		t.Errorf("after the refusals the roster has %d versions, want the first alone", len(vs))
	}
}

// What is missing: a lookup fails with ErrNotFound, a listing is empty.
func testRosterMissing(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	for _, v := range []int{0, 1, -1} {
		if _, err := rs.Roster(ctx, "t1", "staff", v); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Roster(%d) of a tenant with none: %v, want ErrNotFound", v, err)
		}
	}
	mustSaveRoster(t, rs, "t1", Roster("staff", 1), 0)
	for _, v := range []int{2, -1} {
		if _, err := rs.Roster(ctx, "t1", "staff", v); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Roster version %d of 1: %v, want ErrNotFound", v, err)
		}
	}
	for _, id := range []string{"other", "a\x00b", "\xff", strings.Repeat("x", 1000)} {
		if _, err := rs.Roster(ctx, "t1", id, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Roster %q: %v, want ErrNotFound", id, err)
		}
		if vs := collect(t, rs.RosterVersions(ctx, "t1", id)); len(vs) != 0 {
			t.Errorf("RosterVersions %q: %d versions", id, len(vs))
		}
	}
	if vs := collect(t, rs.Rosters(ctx, "t2")); len(vs) != 0 {
		t.Errorf("Rosters of a tenant with none: %d", len(vs))
	}
}

// Nothing returned shares memory with the store or with what it was
// given; listings are lazy and may be iterated again.
func testRosterCopies(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	r := Roster("staff", 1)
	seq := rs.Rosters(ctx, "t1") // made before the write: lazy
	mustSaveRoster(t, rs, "t1", r, 0)
	r.People[0].Stakeholders[0] = "changed"
	r.People[1].Name = "changed"
	got, err := rs.Roster(ctx, "t1", "staff", 0)
	if err != nil || !reflect.DeepEqual(got.Roster, Roster("staff", 1)) {
		t.Fatalf("the store shares memory with what it was given: %+v, %v", got.Roster.People, err)
	}
	got.Roster.People[0].Stakeholders[0] = "changed"
	for _, seqOf := range []func() []store.RosterVersion{
		func() []store.RosterVersion { return collect(t, seq) },
		func() []store.RosterVersion { return collect(t, rs.RosterVersions(ctx, "t1", "staff")) },
	} {
		vs := seqOf()
		if len(vs) != 1 || !reflect.DeepEqual(vs[0].Roster, Roster("staff", 1)) {
			t.Errorf("a listing sees %d versions, or a changed roster", len(vs))
		}
		if len(vs) == 1 {
			vs[0].Roster.People[0].Name = "changed"
		}
	}
	if again := collect(t, seq); len(again) != 1 || !reflect.DeepEqual(again[0].Roster, Roster("staff", 1)) {
		t.Error("a listing iterated again differs, or returned shared memory")
	}
}

// With a done context every method fails with the context's error and
// changes nothing.
func testRosterCancellation(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	mustSaveRoster(t, rs, "t1", Roster("staff", 1), 0)
	done, cancel := context.WithCancel(ctx)
	cancel()
	checks := map[string]error{}
	_, checks["SaveRoster"] = rs.SaveRoster(done, "t1", Roster("staff", 2), 1)
	_, checks["Roster"] = rs.Roster(done, "t1", "staff", 0)
	checks["RosterVersions"] = firstErr(rs.RosterVersions(done, "t1", "staff"))
	checks["Rosters"] = firstErr(rs.Rosters(done, "t1"))
	for name, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
		}
	}
	if v, err := rs.Roster(ctx, "t1", "staff", 0); err != nil || v.Number != 1 {
		t.Errorf("a cancelled save changed the roster: version %d, %v", v.Number, err)
	}
}

// A large roster (10,000 people) is kept and read back whole.
func testRosterLarge(t *testing.T, s store.Store) {
	rs := rosterStore(t, s)
	r := Roster("staff", 9998)
	mustSaveRoster(t, rs, "t1", r, 0)
	got, err := rs.Roster(ctx, "t1", "staff", 0)
	if err != nil || !reflect.DeepEqual(got.Roster, r) {
		t.Errorf("a roster of %d people read back with %d, %v", len(r.People), len(got.Roster.People), err)
	}
}
