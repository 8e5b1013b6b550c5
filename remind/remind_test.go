package remind_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/remind"
	"github.com/ismscomms/ismscomms/store"
)

var (
	d1 = comms.Digest([]byte("policy 1"))
	d2 = comms.Digest([]byte("policy 2"))
	d3 = comms.Digest([]byte("policy 2, typo fixed"))
)

const planText = `format: ismscomms/v1
id: acme
timezone: Europe/Berlin
roles:
  - {id: iso, name: Information Security Officer, contact: iso@example.com}
  - {id: ciso, name: CISO, contact: ciso@example.com}
  - {id: dpo, name: Data Protection Officer}
calendars:
  - {id: de, holidays: [2026-04-03, 2026-04-06]}
  - {id: office, hours: "09:00-17:00"}
stakeholders:
  - {id: employees, scope: internal, kind: employees}
  - {id: dpa, scope: external, kind: regulator}
channels:
  - {id: email, kind: email, reach: [internal, external], max_classification: restricted}
reminders:
  before: [7d, 1d]
  escalate: [{after: 2bd, to: ciso}]
activities:
  - id: newsletter
    what: {topic: awareness, message: Security newsletter, classification: internal}
    whom: [employees]
    how: [email]
    when: {rrule: "FREQ=MONTHLY;BYMONTHDAY=15", start: "2026-01-15T10:00", within: 1d}
    owner: iso
  - id: townhall
    what: {topic: awareness, message: Town hall, classification: internal}
    whom: [employees]
    how: [email]
    when: {rrule: "FREQ=WEEKLY;BYDAY=MO", start: "2026-03-02T10:00"}
    owner: iso
    calendar: office
    reminders: {before: [1d]}
  - id: policy
    what:
      topic: policy
      message: Information security policy
      classification: internal
      version: {digest: "DIGEST", label: "1", effective: EFFECTIVE}
    whom: [employees]
    how: [email]
    when: {rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15", start: "2026-01-15T09:00", within: 14d}
    owner: iso
    grace: 14d
    calendar: de
    reminders:
      chase: {every: 3bd, max: 4}
  - id: breach
    what: {topic: regulatory-report, message: Breach notification, classification: restricted}
    whom: [dpa]
    how: [email]
    when: {trigger: incident.aware, within: 72h}
    owner: iso
    obligations: [gdpr-art33]
    reminders:
      escalate: [{at: 80%, to: dpo}]
`

func plan(t testing.TB, digest, change, effective string) comms.Plan {
	t.Helper()
	s := strings.Replace(planText, "DIGEST", digest, 1)
	s = strings.Replace(s, "EFFECTIVE", effective, 1)
	if change != "" {
		s = strings.Replace(s, `label: "1"`, `label: "1", change: `+change, 1)
	}
	p, err := comms.DecodePlan(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a Berlin wall-clock time "2006-01-02 15:04".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) comms.Date {
	d, err := comms.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// world is a tenant: one plan version (policy version 1, effective
// Monday 2 March), four people.
func world(t testing.TB) remind.Input {
	return remind.Input{
		Tenant:   "acme",
		Versions: []store.Version{{PlanID: "acme", Number: 1, SavedAt: at("2026-03-01 12:00"), Plan: plan(t, d1, "", "2026-03-02")}},
		Roster: comms.Roster{ID: "staff", People: []comms.Person{
			{ID: "alice", Name: "Alice", Email: "alice@example.com", Stakeholders: []string{"employees"}},
			{ID: "bob", Name: "Bob", Email: "bob@example.com", Stakeholders: []string{"employees"}},
			{ID: "carol", Name: "Carol", Email: "carol@example.com", Stakeholders: []string{"employees"}, From: date("2026-03-09")},
			{ID: "dave", Name: "Dave", Email: "dave@example.com", Stakeholders: []string{"employees"}, Until: date("2026-03-04")},
		}},
		Log: []comms.Record{
			ack("bob", d1, at("2026-03-03 11:00")),
			// Every newsletter and town hall before March is done.
			sent("newsletter", at("2026-01-15 10:05")), sent("newsletter", at("2026-02-15 10:05")),
		},
	}
}

func ack(person, digest string, t time.Time) comms.Record {
	return comms.Record{Type: comms.RecordTypeAck, ActivityID: "policy", PersonID: person, Digest: digest, SentAt: t,
		IdempotencyKey: comms.AckKey("", "policy", digest, person)}
}

func sent(activity string, t time.Time) comms.Record {
	return comms.Record{Type: comms.RecordTypeSent, ActivityID: activity, SentAt: t, Channel: "email"}
}

func run(t *testing.T, in remind.Input, since, now string) []remind.Reminder {
	t.Helper()
	if since != "" {
		in.Since = at(since)
	}
	in.Now = at(now)
	got, err := remind.Due(in)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// brief is what a test compares: kind, step, moment, activity,
// recipient.
func brief(rs []remind.Reminder) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		who := r.To.RoleID
		if r.To.PersonID != "" {
			who = r.To.PersonID
		}
		out[i] = r.Step + " " + r.ActivityID + " " + r.At.In(berlin).Format("2006-01-02 15:04") + " " + who
	}
	return out
}

func only(rs []remind.Reminder, kind remind.Kind, activity string) []remind.Reminder {
	var out []remind.Reminder
	for _, r := range rs {
		if r.Kind == kind && r.ActivityID == activity {
			out = append(out, r)
		}
	}
	return out
}

func equal(t *testing.T, what string, got []remind.Reminder, want ...string) {
	t.Helper()
	g := brief(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, g, want)
	}
}

// The owner is reminded 7 days and 1 day before an occurrence, once each:
// each run sends what came due since the one before.
func TestBefore(t *testing.T) {
	in := world(t)
	got := only(run(t, in, "2026-03-08 09:00", "2026-03-08 11:00"), remind.KindBefore, "newsletter")
	equal(t, "7 days before 15 March", got, "before/7d newsletter 2026-03-08 10:00 iso")
	r := got[0]
	if r.To.Address != "iso@example.com" || r.To.Name != "Information Security Officer" || !r.Occurrence.Equal(at("2026-03-15 10:00")) ||
		!r.Due.Equal(at("2026-03-16 23:59").Add(59*time.Second)) || !strings.Contains(r.Subject, "newsletter on 2026-03-15 10:00 CET") || r.Tenant != "acme" {
		t.Errorf("reminder = %+v", r)
	}
	equal(t, "the next run, before the 1-day moment",
		only(run(t, in, "2026-03-08 11:00", "2026-03-14 09:59"), remind.KindBefore, "newsletter"))
	equal(t, "1 day before", only(run(t, in, "2026-03-14 09:59", "2026-03-14 10:00"), remind.KindBefore, "newsletter"),
		"before/1d newsletter 2026-03-14 10:00 iso")
	// Done early: a record naming the occurrence.
	in.Log = append(in.Log, comms.Record{Type: comms.RecordTypeSent, ActivityID: "newsletter", Occurrence: at("2026-03-15 10:00"), SentAt: at("2026-03-13 10:00")})
	equal(t, "done early", only(run(t, in, "2026-03-14 09:59", "2026-03-14 10:00"), remind.KindBefore, "newsletter"))
}

// A reminder whose moment passed while nothing ran is not sent late; an
// escalation is, within the look-back, and only while nothing was sent.
func TestNeverLateButEscalate(t *testing.T) {
	in := world(t)
	in.Log = in.Log[:2] // February's newsletter was never sent
	// The last run was on 7 March; the scheduler was down until the 10th.
	got := run(t, in, "2026-03-07 12:00", "2026-03-10 12:00")
	equal(t, "before-reminders of 8 March are more than a day late", only(got, remind.KindBefore, "newsletter"))
	// 15 Feb 10:00, due by the end of the 16th (within 1d), overdue by
	// 2 business days at the end of Wednesday 18 February.
	esc := only(got, remind.KindEscalate, "newsletter")
	equal(t, "escalation of February", esc, "escalate/after-2bd newsletter 2026-02-18 23:59 ciso")
	if !esc[0].Occurrence.Equal(at("2026-02-15 10:00")) || esc[0].To.Address != "ciso@example.com" {
		t.Errorf("escalation = %+v", esc[0])
	}
	// Escalations are retroactive: the next run has it again (the
	// delivery log sends it once), with the same key.
	again := only(run(t, in, "2026-03-10 12:00", "2026-03-11 12:00"), remind.KindEscalate, "newsletter")
	if len(again) != 1 || again[0].Key != esc[0].Key {
		t.Errorf("the next run: %q", brief(again))
	}
	// Sent late, on 1 March: no longer escalated.
	in.Log = append(in.Log, sent("newsletter", at("2026-03-01 10:00")))
	equal(t, "sent late", only(run(t, in, "2026-03-10 12:00", "2026-03-11 12:00"), remind.KindEscalate, "newsletter"))
	// With MaxLate wide, the 8 March reminder is still sent.
	in.MaxLate = 72 * time.Hour
	equal(t, "MaxLate 72h", only(run(t, in, "2026-03-07 12:00", "2026-03-10 12:00"), remind.KindBefore, "newsletter"),
		"before/7d newsletter 2026-03-08 10:00 iso")
	// Since wins over MaxLate.
	equal(t, "Since after the moment", only(run(t, in, "2026-03-08 10:00", "2026-03-10 12:00"), remind.KindBefore, "newsletter"))
}

// People who have not acknowledged are chased every 3 business days from
// the start of the round, at most 4 times; the acknowledged, those who
// left and those not yet joined are not; a joiner from the day they join.
func TestChase(t *testing.T) {
	in := world(t)
	// Round start Monday 2 March 00:00: Thu 5, Tue 10, Fri 13, Wed 18.
	equal(t, "first chase", run(t, in, "2026-03-04 12:00", "2026-03-05 06:00"), "chase/1 policy 2026-03-05 00:00 alice")
	// One run covering two weeks (MaxLate widened to see them all).
	in.MaxLate = 30 * 24 * time.Hour
	got := run(t, in, "2026-03-05 06:00", "2026-03-18 06:00")
	// Bob acknowledged on 3 March; Dave left on 4 March; Carol joined on
	// Monday 9 March: Thu 12, Tue 17.
	equal(t, "the next two weeks", got,
		"chase/2 policy 2026-03-10 00:00 alice",
		"chase/1 policy 2026-03-12 00:00 carol",
		"chase/3 policy 2026-03-13 00:00 alice",
		"chase/2 policy 2026-03-17 00:00 carol",
		"chase/4 policy 2026-03-18 00:00 alice")
	c := got[0]
	if c.To.Address != "alice@example.com" || c.To.Name != "Alice" || c.Digest != d1 || !c.Due.Equal(at("2026-03-16 23:59").Add(59*time.Second)) ||
		strings.Contains(c.Text, "Bob") || !strings.Contains(c.Text, "Alice") {
		t.Errorf("chase = %+v", c)
	}
	equal(t, "max 4: nothing after Alice's fourth", only(run(t, in, "2026-03-18 06:00", "2026-03-31 06:00"), remind.KindChase, "policy"),
		"chase/3 policy 2026-03-20 00:00 carol", "chase/4 policy 2026-03-25 00:00 carol")
	// Alice acknowledges: no longer chased.
	in.Log = append(in.Log, ack("alice", d1, at("2026-03-11 08:00")))
	equal(t, "after Alice's acknowledgement", run(t, in, "2026-03-11 09:00", "2026-03-14 06:00"),
		"chase/1 policy 2026-03-12 00:00 carol")
	// Dave, had he not left, would have been chased.
	in.Roster.People[3].Until = comms.Date{}
	equal(t, "Dave staying", run(t, in, "2026-03-04 12:00", "2026-03-05 06:00"),
		"chase/1 policy 2026-03-05 00:00 alice", "chase/1 policy 2026-03-05 00:00 dave")
}

// A material change starts a new round, so a new chase of everyone
// (Bob's acknowledgement of version 1 no longer counts), counted in
// business days over the Easter holidays; a minor change does not.
func TestChaseAfterMaterialChange(t *testing.T) {
	in := world(t)
	in.MaxLate = 30 * 24 * time.Hour
	v2 := store.Version{PlanID: "acme", Number: 2, SavedAt: at("2026-03-31 12:00"), Plan: plan(t, d2, "material", "2026-04-01")}
	in.Versions = append(in.Versions, v2)
	in.Log = append(in.Log, ack("alice", d1, at("2026-03-06 08:00")), ack("carol", d1, at("2026-03-10 08:00")))
	// Round start Wednesday 1 April: 3 business days in the calendar de
	// (Good Friday 3 April and Easter Monday 6 April are holidays) are
	// Thursday 2, Tuesday 7, Wednesday 8.
	got := only(run(t, in, "2026-04-01 06:00", "2026-04-08 06:00"), remind.KindChase, "policy")
	equal(t, "everyone chased again", got,
		"chase/1 policy 2026-04-08 00:00 alice", "chase/1 policy 2026-04-08 00:00 bob", "chase/1 policy 2026-04-08 00:00 carol")
	if got[1].Digest != d2 {
		t.Errorf("digest = %q, want version 2's", got[1].Digest)
	}
	old := run(t, world(t), "2026-03-04 12:00", "2026-03-05 06:00")
	if got[0].Key == old[0].Key {
		t.Errorf("the new round's chase/1 of Alice has the old round's key %q: the delivery log would not send it", got[0].Key)
	}
	// A minor change carries acknowledgements over: no new round.
	in.Versions[1] = store.Version{PlanID: "acme", Number: 2, SavedAt: at("2026-03-31 12:00"), Plan: plan(t, d3, "minor", "2026-04-01")}
	equal(t, "minor change", only(run(t, in, "2026-04-01 06:00", "2026-04-08 06:00"), remind.KindChase, "policy"))
}

// Business hours move a reminder that falls outside them to the next
// opening; without them it keeps its moment.
func TestBusinessHours(t *testing.T) {
	in := world(t)
	// The town hall on Monday 9 March 10:00; 1d before is Sunday 10:00,
	// not a business day: moved to Monday 09:00.
	got := only(run(t, in, "2026-03-08 06:00", "2026-03-09 09:30"), remind.KindBefore, "townhall")
	equal(t, "moved to Monday's opening", got, "before/1d townhall 2026-03-09 09:00 iso")
	if !got[0].Occurrence.Equal(at("2026-03-09 10:00")) {
		t.Errorf("occurrence %v", got[0].Occurrence)
	}
	equal(t, "not yet at 08:59", only(run(t, in, "2026-03-08 06:00", "2026-03-09 08:59"), remind.KindBefore, "townhall"))
	// Without business hours: Sunday 10:00.
	in.Versions[0].Plan.Calendars[1].Hours = ""
	equal(t, "without hours", only(run(t, in, "2026-03-08 06:00", "2026-03-09 09:30"), remind.KindBefore, "townhall"),
		"before/1d townhall 2026-03-08 10:00 iso")
	// Evenings move to the next morning; a holiday is skipped.
	in.Versions[0].Plan.Calendars[1] = comms.Calendar{ID: "office", Hours: "09:00-17:00", Holidays: []comms.Date{date("2026-03-10")}}
	in.Versions[0].Plan.Activities[1].When = comms.Timing{RRule: "FREQ=WEEKLY;BYDAY=WE", Start: comms.DateTime{Date: date("2026-03-04"), Hour: 18}}
	// Wednesday 11 March 18:00; 1d before is Tuesday 18:00, after hours;
	// Wednesday is the next business day (Tuesday is a holiday anyway).
	equal(t, "evening", only(run(t, in, "2026-03-10 06:00", "2026-03-11 09:00"), remind.KindBefore, "townhall"),
		"before/1d townhall 2026-03-11 09:00 iso")
	// A town hall at Monday 09:00: 1d before is Sunday 09:00, and the
	// next opening is the occurrence itself. The reminder goes back to
	// Friday's opening, not to nothing.
	in.Versions[0].Plan.Calendars[1] = comms.Calendar{ID: "office", Hours: "09:00-17:00"}
	in.Versions[0].Plan.Activities[1].When = comms.Timing{RRule: "FREQ=WEEKLY;BYDAY=MO", Start: comms.DateTime{Date: date("2026-03-02"), Hour: 9}}
	equal(t, "back to Friday", only(run(t, in, "2026-03-06 08:00", "2026-03-06 09:30"), remind.KindBefore, "townhall"),
		"before/1d townhall 2026-03-06 09:00 iso")
	equal(t, "not again on Monday", only(run(t, in, "2026-03-06 09:30", "2026-03-09 08:59"), remind.KindBefore, "townhall"))
}

// Business days before an occurrence skip weekends and holidays.
func TestBeforeInBusinessDays(t *testing.T) {
	in := world(t)
	p := &in.Versions[0].Plan
	p.Activities[0].Calendar = "de"
	p.Reminders.Before = []string{"2bd"}
	// Newsletter Tuesday 7 April 10:00 (moved there by an rdate): 2
	// business days before, skipping Easter Monday 6 April, the weekend
	// and Good Friday 3 April, is Wednesday 1 April 10:00.
	p.Activities[0].When.Rdates = []comms.DateTime{{Date: date("2026-04-07"), Hour: 10}}
	equal(t, "2bd over Easter", only(run(t, in, "2026-04-01 09:00", "2026-04-01 10:00"), remind.KindBefore, "newsletter"),
		"before/2bd newsletter 2026-04-01 10:00 iso")
	// Monday 15 June (a plain week): 2bd before is Thursday 11 June.
	equal(t, "2bd over a weekend", only(run(t, in, "2026-06-11 09:00", "2026-06-11 10:00"), remind.KindBefore, "newsletter"),
		"before/2bd newsletter 2026-06-11 10:00 iso")
}

// The incident clock: 80% of the 72 hours GDPR Art. 33 allows, to the
// DPO (a role without contact: no address), until the notification is
// sent.
func TestIncidentEscalation(t *testing.T) {
	in := world(t)
	aware := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	in.Events = []comms.Event{{ID: "INC/7", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: aware}}}}
	// 80% of 72h is 57h36m.
	moment := aware.Add(57*time.Hour + 36*time.Minute)
	in.Since, in.Now = moment.Add(-time.Hour), moment.Add(-time.Second)
	if got, err := remind.Due(in); err != nil || len(only(got, remind.KindEscalate, "breach")) != 0 {
		t.Fatalf("before 80%%: %q, %v", brief(got), err)
	}
	in.Now = moment
	got, err := remind.Due(in)
	if err != nil {
		t.Fatal(err)
	}
	esc := only(got, remind.KindEscalate, "breach")
	if len(esc) != 1 {
		t.Fatalf("at 80%%: %q", brief(got))
	}
	e := esc[0]
	if e.Step != "escalate/at-80" || !e.At.Equal(moment) || e.EventID != "INC/7" || e.To.RoleID != "dpo" || e.To.Address != "" ||
		!e.Due.Equal(aware.Add(72*time.Hour)) || e.Key != "remind/v1/acme/acme/breach/event:INC%2F7/role:dpo/escalate/at-80" {
		t.Errorf("escalation = %+v", e)
	}
	// Retroactive: a run a day later still has it.
	in.Since, in.Now = moment.Add(20*time.Hour), moment.Add(24*time.Hour)
	if got, _ := remind.Due(in); len(only(got, remind.KindEscalate, "breach")) != 1 {
		t.Errorf("a day later: %q", brief(got))
	}
	// Sent: nothing more.
	in.Log = append(in.Log, comms.Record{Type: comms.RecordTypeSent, ActivityID: "breach", EventID: "INC/7", SentAt: moment.Add(time.Hour)})
	if got, _ := remind.Due(in); len(only(got, remind.KindEscalate, "breach")) != 0 {
		t.Errorf("after the notification: %q", brief(got))
	}
}

// A drill's escalations are marked as a drill in every part a sender or
// recipient sees (the Drill field, the subject, the text, the key), never
// passing for a real incident's, and a real incident's say nothing of
// drills; only drill records answer a drill.
func TestDrillEscalation(t *testing.T) {
	in := world(t)
	aware := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	in.Events = []comms.Event{
		{ID: "DRILL-1", Kind: comms.EventKindDrill, Exercises: "incident", Scenario: "ransomware\non the\tfile servers",
			Milestones: []comms.Milestone{{Name: "aware", At: aware}}},
		{ID: "INC-1", Kind: "incident", Milestones: []comms.Milestone{{Name: "aware", At: aware}}},
	}
	moment := aware.Add(57*time.Hour + 36*time.Minute) // 80% of 72h
	in.Since, in.Now = moment.Add(-time.Hour), moment
	esc := only(run(t, in, "", moment.In(berlin).Format("2006-01-02 15:04")), remind.KindEscalate, "breach")
	if len(esc) != 2 {
		t.Fatalf("escalations: %q", brief(esc))
	}
	var drill, real remind.Reminder
	for _, e := range esc {
		if e.EventID == "DRILL-1" {
			drill = e
		} else {
			real = e
		}
	}
	if !drill.Drill || !strings.HasPrefix(drill.Subject, remind.DrillSubject) || !strings.Contains(drill.Subject, "drill DRILL-1") ||
		!strings.Contains(drill.Text, "this is a DRILL") || !strings.Contains(drill.Text, "not a real incident") ||
		!strings.Contains(drill.Text, "scenario: ransomware on the file servers)") ||
		!strings.Contains(drill.Text, "(the legal deadline the real incident would have)") {
		t.Errorf("drill escalation not marked as a drill: %+v", drill)
	}
	if drill.Key != "remind/v1/acme/acme/breach/drill:DRILL-1/role:dpo/escalate/at-80" {
		t.Errorf("drill escalation key = %q", drill.Key)
	}
	if real.Drill || strings.Contains(strings.ToLower(real.Subject+real.Text), "drill") ||
		real.Key != "remind/v1/acme/acme/breach/event:INC-1/role:dpo/escalate/at-80" {
		t.Errorf("real escalation = %+v", real)
	}
	// The JSON a sender hands on (notify.Message.Data) says so too.
	if b, err := json.Marshal(drill); err != nil || !strings.Contains(string(b), `"drill":true`) {
		t.Errorf("JSON %s, %v", b, err)
	}
	// A record not marked as a drill does not answer the drill; a drill
	// record does, and answers no real incident.
	in.Log = append(in.Log,
		comms.Record{Type: comms.RecordTypeSent, ActivityID: "breach", EventID: "DRILL-1", SentAt: moment.Add(-time.Minute)},
		comms.Record{Type: comms.RecordTypeSent, ActivityID: "breach", EventID: "INC-1", SentAt: moment.Add(-time.Minute), Drill: true})
	if got := only(run(t, in, "", moment.In(berlin).Format("2006-01-02 15:04")), remind.KindEscalate, "breach"); len(got) != 2 {
		t.Errorf("mismatched records answered a clock: %q", brief(got))
	}
	in.Log[len(in.Log)-2].Drill = true
	in.Log[len(in.Log)-1].Drill = false
	if got := only(run(t, in, "", moment.In(berlin).Format("2006-01-02 15:04")), remind.KindEscalate, "breach"); len(got) != 0 {
		t.Errorf("after both notifications: %q", brief(got))
	}
}

// A drill's records never stand for a real acknowledgement or delivery:
// a person whose only acknowledgement is marked as a drill is still
// chased.
func TestDrillAckNotCounted(t *testing.T) {
	in := world(t)
	drillAck := ack("alice", d1, at("2026-03-03 11:00"))
	drillAck.Drill, drillAck.EventID = true, "DRILL-1"
	in.Log = append(in.Log, drillAck)
	equal(t, "alice chased despite a drill acknowledgement", run(t, in, "2026-03-04 12:00", "2026-03-05 06:00"),
		"chase/1 policy 2026-03-05 00:00 alice")
}

// Keys are stable across runs and differ in every field; no ID can forge
// another field's boundary.
func TestKeys(t *testing.T) {
	in := world(t)
	a := run(t, in, "2026-03-08 09:00", "2026-03-08 11:00")
	in.MaxLate = 48 * time.Hour
	b := run(t, in, "2026-03-07 09:00", "2026-03-08 12:00")
	if len(a) == 0 || len(b) < len(a) || a[0].Key != b[0].Key || a[0].Key != "remind/v1/acme/acme/newsletter/at:2026-03-15T09:00:00Z/role:iso/before/7d" {
		t.Fatalf("keys across runs: %q / %q", keys(a), keys(b))
	}
	base := remind.Reminder{Tenant: "t", Kind: remind.KindBefore, Step: "before/1d", ActivityID: "a", Occurrence: at("2026-03-15 10:00"), To: remind.Recipient{RoleID: "r"}}
	variants := []remind.Reminder{base}
	vary := func(f func(*remind.Reminder)) {
		r := base
		f(&r)
		variants = append(variants, r)
	}
	vary(func(r *remind.Reminder) { r.Tenant = "u" })
	vary(func(r *remind.Reminder) { r.Tenant, r.ActivityID = "t/a", "b" })
	vary(func(r *remind.Reminder) { r.Tenant, r.ActivityID = "t", "a/b" })
	vary(func(r *remind.Reminder) { r.ActivityID = "b" })
	vary(func(r *remind.Reminder) { r.Occurrence = r.Occurrence.Add(time.Second) })
	vary(func(r *remind.Reminder) { r.Occurrence = r.Occurrence.Add(time.Millisecond) })
	vary(func(r *remind.Reminder) { r.To.RoleID = "s" })
	vary(func(r *remind.Reminder) { r.To = remind.Recipient{PersonID: "r"} })
	vary(func(r *remind.Reminder) { r.To = remind.Recipient{PersonID: "r/role:x"} })
	vary(func(r *remind.Reminder) { r.To = remind.Recipient{PersonID: "r%2Frole:x"} })
	vary(func(r *remind.Reminder) { r.Step = "before/7d" })
	vary(func(r *remind.Reminder) { r.EventID = "e" })
	vary(func(r *remind.Reminder) { r.EventID = "e/role:r" })
	vary(func(r *remind.Reminder) { r.EventID, r.Drill = "e", true })
	vary(func(r *remind.Reminder) {
		r.Kind, r.Step, r.Digest, r.To = remind.KindChase, "chase/1", d1, remind.Recipient{PersonID: "p"}
	})
	vary(func(r *remind.Reminder) {
		r.Kind, r.Step, r.Digest, r.To = remind.KindChase, "chase/1", d2, remind.Recipient{PersonID: "p"}
	})
	vary(func(r *remind.Reminder) { r.ActivityID, r.Obligation, r.EventID = "", "gdpr-art33", "e" })
	vary(func(r *remind.Reminder) { r.PlanID = "p2" })
	vary(func(r *remind.Reminder) { r.PlanID, r.ActivityID = "p2/a", "b" })
	vary(func(r *remind.Reminder) { // the same version, another round (due day)
		r.Kind, r.Step, r.Digest, r.To, r.Due = remind.KindChase, "chase/1", d1, remind.Recipient{PersonID: "p"}, at("2026-04-01 00:00")
	})
	long := strings.Repeat("x/", 200)
	vary(func(r *remind.Reminder) { r.Tenant, r.PlanID, r.To = long, long, remind.Recipient{PersonID: long} })
	vary(func(r *remind.Reminder) {
		r.Tenant, r.PlanID, r.To = long, long, remind.Recipient{PersonID: long + "y"}
	})
	seen := map[string]int{}
	for i, r := range variants {
		k := remind.Key(r)
		if j, dup := seen[k]; dup {
			t.Errorf("variants %d and %d share the key %q", j, i, k)
		}
		seen[k] = i
		if strings.Count(k, "/") != 8 {
			t.Errorf("key %q has %d slashes, want 8 (a field's slash not escaped)", k, strings.Count(k, "/"))
		}
		if len(k) > remind.MaxKeyLen {
			t.Errorf("key of %d bytes, over MaxKeyLen %d: %q", len(k), remind.MaxKeyLen, k)
		}
	}
}

func keys(rs []remind.Reminder) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Key
	}
	return out
}

// Output order is the moment, then the key.
func TestOrder(t *testing.T) {
	in := world(t)
	in.MaxLate = 60 * 24 * time.Hour
	in.Log = in.Log[:2]
	got := run(t, in, "2026-02-01 00:00", "2026-03-20 00:00")
	if len(got) < 5 {
		t.Fatalf("only %d reminders", len(got))
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a.At.After(b.At) || (a.At.Equal(b.At) && a.Key >= b.Key) {
			t.Errorf("out of order at %d: %q then %q", i, a.Key, b.Key)
		}
	}
}

func TestRefuses(t *testing.T) {
	in := world(t)
	for name, c := range map[string]struct {
		f    func(*remind.Input)
		want error
	}{
		"no now":       {func(in *remind.Input) { in.Now = time.Time{} }, remind.ErrInvalid},
		"since > now":  {func(in *remind.Input) { in.Since = in.Now.Add(time.Hour) }, remind.ErrInvalid},
		"no plan":      {func(in *remind.Input) { in.Versions = nil }, remind.ErrInvalid},
		"no tenant":    {func(in *remind.Input) { in.Tenant = "" }, remind.ErrInvalid},
		"invalid plan": {func(in *remind.Input) { in.Versions[0].Plan.Reminders.Escalate[0].To = "nobody" }, remind.ErrInvalid},
		"bad bd reach": {func(in *remind.Input) { in.Versions[0].Plan.Reminders.Before = []string{"2w"} }, remind.ErrInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			x := in
			x.Versions = []store.Version{{PlanID: "acme", Number: 1, SavedAt: in.Versions[0].SavedAt, Plan: plan(t, d1, "", "2026-03-02")}}
			x.Now = at("2026-03-05 06:00")
			c.f(&x)
			if _, err := remind.Due(x); !errors.Is(err, c.want) {
				t.Errorf("Due: %v, want %v", err, c.want)
			}
		})
	}
}

// Holding a drill answers the recurring activity of topic drill that
// plans it, as the evidence report reads it: no escalation chases a drill
// that was held, and one that was not is escalated.
func TestDrillHeldNotChased(t *testing.T) {
	in := world(t)
	p := in.Versions[0].Plan
	p.Activities = append(p.Activities, comms.Activity{ID: "exercise", What: comms.Message{Topic: comms.TopicDrill, Message: "Incident drill"},
		Whom: []string{"employees"}, How: []string{"email"}, Owner: "iso",
		When: comms.Timing{RRule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=2", Start: mustDateTime("2026-03-02T10:00"), Within: "7d"}})
	in.Versions[0].Plan = p
	escalations := func() []remind.Reminder {
		return only(run(t, in, "2026-03-10 12:00", "2026-03-20 12:00"), remind.KindEscalate, "exercise")
	}
	if len(escalations()) != 1 {
		t.Fatalf("a drill not held: escalations %q, want one", brief(escalations()))
	}
	in.Events = []comms.Event{{ID: "D1", Kind: comms.EventKindDrill, Exercises: comms.EventKindIncident, Scenario: "ransomware",
		Milestones: []comms.Milestone{{Name: "aware", At: at("2026-03-04 09:00")}}}}
	equal(t, "a drill held on 4 March", escalations())
	// A real incident is no drill.
	in.Events[0].Kind, in.Events[0].Exercises, in.Events[0].Scenario = comms.EventKindIncident, "", ""
	if len(escalations()) != 1 {
		t.Errorf("a real incident answered the drill activity: %q", brief(escalations()))
	}
}

func mustDateTime(s string) comms.DateTime {
	d, err := comms.ParseDateTime(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Feedback about an activity is no communication of it: it never stops
// a reminder or an escalation (review 4, defect 2).
func TestFeedbackIsNotSent(t *testing.T) {
	in := world(t)
	in.Log = in.Log[:2] // February's newsletter was never sent
	score := 2
	in.Log = append(in.Log, comms.Record{Type: comms.RecordTypeFeedback, ActivityID: "newsletter", From: "employees", SentAt: at("2026-02-16 10:00"), Score: &score})
	equal(t, "escalation of February despite the complaint", only(run(t, in, "2026-03-07 12:00", "2026-03-10 12:00"), remind.KindEscalate, "newsletter"),
		"escalate/after-2bd newsletter 2026-02-18 23:59 ciso")
	// An untyped record is a sent one.
	in.Log = append(in.Log, comms.Record{ActivityID: "newsletter", SentAt: at("2026-02-16 10:00")})
	equal(t, "sent (untyped)", only(run(t, in, "2026-03-07 12:00", "2026-03-10 12:00"), remind.KindEscalate, "newsletter"))
}
