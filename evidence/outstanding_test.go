package evidence_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/store"
)

var (
	d1 = comms.Digest([]byte("policy 1.0"))
	d2 = comms.Digest([]byte("policy 2.0"))
)

// ackPlan is a plan whose policy activity goes to employees and
// contractors, with a 14-day grace period and message version digest,
// change and effective day.
func ackPlan(digest string, change comms.ChangeClass, effective comms.Date) comms.Plan {
	return comms.Plan{
		Format: comms.Format, ID: "acme", Organization: "Acme", TimeZone: "Europe/Berlin", Grace: "14d",
		Roles: []comms.Role{{ID: "iso", Name: "ISO"}},
		Stakeholders: []comms.Stakeholder{
			{ID: "employees", Name: "Employees", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees, Size: 100},
			{ID: "contractors", Name: "Contractors", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees, Size: 100},
		},
		Channels: []comms.Channel{{ID: "intranet", Name: "Intranet", Kind: comms.ChannelKindIntranet, Reach: []comms.Scope{comms.ScopeInternal}}},
		Activities: []comms.Activity{{ID: "policy", Name: "Security policy",
			What: comms.Message{Topic: comms.TopicPolicy, Message: "Policy",
				Version: comms.MessageVersion{Digest: digest, Change: change, Effective: effective}},
			Whom: []string{"employees", "contractors"}, How: []string{"intranet"}, Owner: "iso",
			When: comms.Timing{RRule: "FREQ=YEARLY", Start: dt("2026-01-05T09:00"), Within: "5d"}}},
	}
}

func day(y, m, d int) comms.Date { return comms.Date{Year: y, Month: time.Month(m), Day: d} }

// history is version 1 (digest d1, January) and, if change is set, version
// 2 of March 1 (digest d2 of that change class, effective March 2).
func history(change comms.ChangeClass) []store.Version {
	vs := []store.Version{{PlanID: "acme", Number: 1, SavedAt: at("2026-01-01 08:00"), Plan: ackPlan(d1, comms.ChangeMaterial, day(2026, 1, 5))}}
	if change != "" {
		vs = append(vs, store.Version{PlanID: "acme", Number: 2, SavedAt: at("2026-03-01 08:00"), Plan: ackPlan(d2, change, day(2026, 3, 2))})
	}
	return vs
}

// people: alice and bob, employees since 2025; carol joins in June; dave
// leaves at the end of April; erin is a contractor and an employee.
func people() comms.Roster {
	return comms.Roster{ID: "staff", People: []comms.Person{
		{ID: "alice", Name: "Alice", Stakeholders: []string{"employees"}, From: day(2025, 1, 1)},
		{ID: "bob", Name: "Bob", Stakeholders: []string{"employees"}},
		{ID: "carol", Name: "Carol", Stakeholders: []string{"employees"}, From: day(2026, 6, 10)},
		{ID: "dave", Name: "Dave", Stakeholders: []string{"employees"}, Until: day(2026, 4, 30)},
		{ID: "erin", Name: "Erin", Stakeholders: []string{"contractors", "employees"}},
		{ID: "finn", Name: "Finn", Stakeholders: []string{"management"}}, // not an audience of the activity
	}}
}

func ackOf(person, digest, when string) comms.Record {
	return comms.Record{Type: comms.RecordTypeAck, PlanID: "acme", ActivityID: "policy", PersonID: person, Digest: digest, SentAt: at(when), Channel: "intranet"}
}

// januaryLog: the January delivery names everyone then in the groups, and
// everyone acknowledges d1.
func januaryLog() []comms.Record {
	return []comms.Record{
		{PlanID: "acme", ActivityID: "policy", SentAt: at("2026-01-05 09:00"), Digest: d1, Channel: "intranet",
			Recipients: []string{"alice", "bob", "dave", "erin"}},
		ackOf("alice", d1, "2026-01-06 10:00"),
		ackOf("bob", d1, "2026-01-07 10:00"),
		ackOf("dave", d1, "2026-01-08 10:00"),
		ackOf("erin", d1, "2026-01-09 10:00"),
	}
}

func states(st *evidence.AckStatus) string {
	var b []string
	for _, p := range st.People {
		b = append(b, p.PersonID+"="+string(p.State))
	}
	return strings.Join(b, " ")
}

func outstanding(t *testing.T, vs []store.Version, log []comms.Record, when string) *evidence.AckStatus {
	t.Helper()
	st, err := evidence.Outstanding(vs, people(), log, "policy", at(when))
	if err != nil {
		t.Fatalf("Outstanding at %s: %v", when, err)
	}
	return st
}

func TestOutstandingWorkedCases(t *testing.T) {
	cases := []struct {
		name   string
		change comms.ChangeClass
		extra  []comms.Record
		when   string
		want   string
	}{
		{"January, all acknowledged", "", nil, "2026-02-01 12:00",
			"alice=acknowledged bob=acknowledged dave=acknowledged erin=acknowledged"},
		{"before the January deadline, someone outstanding", "", nil, "2026-01-06 12:00",
			"alice=acknowledged bob=outstanding dave=outstanding erin=outstanding"},
		{"a material change in March: everyone outstanding within grace", comms.ChangeMaterial, nil, "2026-03-10 12:00",
			"alice=outstanding bob=outstanding dave=outstanding erin=outstanding"},
		{"a material change in March: overdue after grace", comms.ChangeMaterial, []comms.Record{ackOf("alice", d2, "2026-03-12 10:00"), ackOf("bob", d1, "2026-03-12 10:00")}, "2026-03-20 12:00",
			"alice=acknowledged bob=overdue dave=overdue erin=overdue"},
		{"a minor change in March carries acknowledgements over", comms.ChangeMinor, nil, "2026-03-20 12:00",
			"alice=acknowledged bob=acknowledged dave=acknowledged erin=acknowledged"},
		{"a person who joins in June is due from June", comms.ChangeMinor, nil, "2026-06-15 12:00",
			"alice=acknowledged bob=acknowledged carol=outstanding erin=acknowledged"},
		{"and overdue after her own grace period", comms.ChangeMinor, nil, "2026-06-25 12:00",
			"alice=acknowledged bob=acknowledged carol=overdue erin=acknowledged"},
		{"who acknowledges the minor version", comms.ChangeMinor, []comms.Record{ackOf("carol", d2, "2026-06-20 10:00")}, "2026-06-25 12:00",
			"alice=acknowledged bob=acknowledged carol=acknowledged erin=acknowledged"},
		{"a person who left is not chased", comms.ChangeMaterial, nil, "2026-05-02 12:00",
			"alice=overdue bob=overdue erin=overdue"},
		{"an acknowledgement after the moment asked about does not count", "", []comms.Record{}, "2026-01-07 09:00",
			"alice=acknowledged bob=outstanding dave=outstanding erin=outstanding"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log := append(januaryLog(), c.extra...)
			if got := states(outstanding(t, history(c.change), log, c.when)); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestOutstandingDetails(t *testing.T) {
	vs := history(comms.ChangeMaterial)
	log := append(januaryLog(),
		comms.Record{PlanID: "acme", ActivityID: "policy", SentAt: at("2026-03-03 09:00"), Digest: d2, Channel: "intranet", Recipients: []string{"alice", "erin"}},
		ackOf("erin", d2, "2026-03-04 10:00"),
		ackOf("erin", d2, "2026-03-05 10:00"), // a second acknowledgement: the first counts
		comms.Record{Type: comms.RecordTypeAck, ActivityID: "other", PersonID: "bob", Digest: d2, SentAt: at("2026-03-04 10:00")},
	)
	st := outstanding(t, vs, log, "2026-03-20 12:00")
	if st.Digest != d2 || !slices.Equal(st.Accepted, []string{d2}) || st.PlanVersion != 2 {
		t.Errorf("version %d digest %s accepted %v", st.PlanVersion, st.Digest, st.Accepted)
	}
	// The round starts on the effective day (March 2); the grace of 14d
	// ends, as deadlines of the plan format do, at the end of the 14th day.
	if !st.Since.Equal(at("2026-03-02 00:00")) {
		t.Errorf("Since = %v, want the effective day", st.Since)
	}
	byID := map[string]evidence.PersonAck{}
	for _, p := range st.People {
		byID[p.PersonID] = p
	}
	if e := byID["erin"]; e.State != evidence.AckDone || !e.AcknowledgedAt.Equal(at("2026-03-04 10:00")) || e.AckDigest != d2 ||
		!e.ReceivedAt.Equal(at("2026-03-03 09:00")) || !slices.Equal(e.Stakeholders, []string{"contractors", "employees"}) {
		t.Errorf("erin: %+v", e)
	}
	if b := byID["bob"]; b.State != evidence.AckOverdue || !b.ReceivedAt.IsZero() || !b.DueBy.Equal(at("2026-03-16 23:59").Add(59*time.Second)) {
		t.Errorf("bob (an acknowledgement of another activity does not count; January's delivery was of d1): %+v", b)
	}
	want := evidence.AckCounts{Due: 4, Received: 2, Acknowledged: 1, Outstanding: 3, Overdue: 3, Rate: 0.25}
	if st.Total != want {
		t.Errorf("total %+v, want %+v", st.Total, want)
	}
	wantGroups := []evidence.StakeholderAcks{
		{StakeholderID: "employees", AckCounts: want},
		{StakeholderID: "contractors", AckCounts: evidence.AckCounts{Due: 1, Received: 1, Acknowledged: 1, Rate: 1}},
	}
	if !slices.Equal(st.Stakeholders, wantGroups) {
		t.Errorf("stakeholders %+v\nwant %+v", st.Stakeholders, wantGroups)
	}
	// Without an effective day the round starts at the first delivery of
	// the version.
	vs[1].Plan.Activities[0].What.Version.Effective = comms.Date{}
	if st := outstanding(t, vs, log, "2026-03-20 12:00"); !st.Since.Equal(at("2026-03-03 09:00")) {
		t.Errorf("Since without an effective day = %v, want the first delivery", st.Since)
	}
	// Joining later than the round: the grace counts from joining.
	st = outstanding(t, vs, log, "2026-06-15 12:00")
	for _, p := range st.People {
		if p.PersonID == "carol" && !p.DueBy.Equal(at("2026-06-24 23:59").Add(59*time.Second)) {
			t.Errorf("carol due by %v, want 14 days after joining", p.DueBy)
		}
	}
}

func TestOutstandingRefuses(t *testing.T) {
	vs := history("")
	if _, err := evidence.Outstanding(vs, people(), nil, "policy", at("2025-12-01 00:00")); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("before the first version: %v, want ErrInvalid", err)
	}
	if _, err := evidence.Outstanding(vs, people(), nil, "nope", at("2026-02-01 00:00")); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("unknown activity: %v, want ErrInvalid", err)
	}
	vs[0].Plan.Activities[0].What.Version = comms.MessageVersion{}
	if _, err := evidence.Outstanding(vs, people(), nil, "policy", at("2026-02-01 00:00")); !errors.Is(err, evidence.ErrInvalid) {
		t.Errorf("unversioned message: %v, want ErrInvalid", err)
	}
}

// Outstanding is linear: doubling people and acknowledgements at most
// doubles its allocations (plus a constant).
func TestOutstandingLinear(t *testing.T) {
	allocs := func(n int) float64 {
		vs, roster, log := ackTenant(n, 1)
		return testing.AllocsPerRun(3, func() {
			if _, err := evidence.Outstanding(vs, roster, log, "a0", at("2026-12-31 12:00")); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(1000), allocs(4000)
	if large > 4.5*small+100 {
		t.Errorf("allocations: %.0f for 1,000 people, %.0f for 4,000: not linear", small, large)
	}
}

// An acknowledgement is not a communication: it answers no occurrence and
// is no ad hoc record of the evidence report.
func TestAcksAreNotCommunications(t *testing.T) {
	vs := history("")
	log := januaryLog()[1:] // the acknowledgements only
	rep, err := evidence.Evaluate(evidence.Input{Tenant: "t", Versions: vs, Records: log,
		From: at("2026-01-01 00:00"), To: at("2027-01-01 00:00"), Now: at("2026-02-01 00:00")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rep.Occurrences {
		if o.Record != nil {
			t.Errorf("occurrence %v answered by %+v", o.At, o.Record)
		}
	}
	if len(rep.AdHoc) != 0 {
		t.Errorf("ad hoc records: %+v", rep.AdHoc)
	}
}

// ackTenant is a tenant of n people in employees, activities a0…a(k-1)
// with a material change each quarter, one delivery per quarter naming
// everyone and every person's acknowledgement of each version: a year.
func ackTenant(n, k int) ([]store.Version, comms.Roster, []comms.Record) {
	quarters := []string{"2026-01-01 08:00", "2026-04-01 08:00", "2026-07-01 08:00", "2026-10-01 08:00"}
	var vs []store.Version
	digests := make([]string, len(quarters))
	for q, when := range quarters {
		digests[q] = comms.Digest([]byte(fmt.Sprint("v", q)))
		p := ackPlan(digests[q], comms.ChangeMaterial, comms.Date{})
		base := p.Activities[0]
		p.Activities = nil
		for i := 0; i < k; i++ {
			a := base
			a.ID = fmt.Sprintf("a%d", i)
			p.Activities = append(p.Activities, a)
		}
		vs = append(vs, store.Version{PlanID: "acme", Number: q + 1, SavedAt: at(when), Plan: p})
	}
	roster := comms.Roster{ID: "staff"}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("E-%05d", i)
		roster.People = append(roster.People, comms.Person{ID: ids[i], Stakeholders: []string{"employees"}})
	}
	var log []comms.Record
	for q, when := range quarters {
		for i := 0; i < k; i++ {
			a := fmt.Sprintf("a%d", i)
			log = append(log, comms.Record{PlanID: "acme", ActivityID: a, SentAt: at(when).Add(time.Hour), Digest: digests[q], Channel: "intranet", Recipients: ids})
			for j, id := range ids {
				if j%10 == 0 { // a tenth never acknowledges
					continue
				}
				log = append(log, comms.Record{Type: comms.RecordTypeAck, PlanID: "acme", ActivityID: a, PersonID: id, Digest: digests[q],
					SentAt: at(when).Add(time.Duration(24+j%300) * time.Hour), Channel: "intranet"})
			}
		}
	}
	return vs, roster, log
}
