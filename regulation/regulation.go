// Package regulation is a catalog of legal notification obligations —
// GDPR, NIS2, DORA, HIPAA, SEC, NYDFS and more — as data: who notifies whom,
// from which milestone the clock runs, the deadline and the calendar it is
// counted in, with each entry's source and evidence level. It computes when
// each obligation falls due for an incident, and the incident clock: every
// communication owed for an event, with the time left.
//
//	o, ok := regulation.Lookup("gdpr-art33")
//	due := o.Due(incident, nil, loc) // 72 hours after incident.aware
//
// # Evidence
//
// Every entry carries its evidence level: primary (read in the
// instrument's own text) or secondary (secondary sources only). The
// library never presents a secondary figure as law; nothing unverified is
// in the catalog. Entries state an instrument's own text, not national
// transpositions or supervisory practice, which may differ — the notes say
// where.
//
// # Clocks
//
// An obligation arises at a milestone (its Trigger) and is due at the
// earliest of its clocks that has not already run out when it arises (DORA:
// 4 hours from classification, but no later than 24 hours from awareness —
// unless classification comes after those 24 hours). A clock may start at
// the actual submission of an earlier report ("submitted:nis2-notification"),
// so chained stages move when the earlier report is sent; a chained clock
// counts from the first submission or, as its [Clock.Submission] says,
// the latest (DORA's final report: the latest intermediate report). "Without
// undue delay" is a flag, with a hard limit when the law sets one.
//
// A follow-up of an obligation (a written record, a supplement, a final
// report after handling) is owed as an obligation of its own,
// "<obligation>.<follow-up id>" ("au-soci-critical.written-record"): a plan's
// activity may declare it, and [IncidentClock] lists it either way.
//
// # Law in force
//
// An obligation with an effective date is owed only for events whose clock
// starts on or after it; before it, the clock says "not yet in force (from
// 2026-09-11)". A proposal (CIRCIA) is marked "proposed, not law", a
// figure from secondary sources "secondary sources only", wherever an owed
// item is shown ([Owed.Standing]).
//
// # Working days
//
// Day-, business-day- and month-based deadlines, and effective dates, are
// counted in the law's own legal time zone (reference note 6) wherever the
// jurisdiction has one (Singapore, California, New York, China, Japan,
// Korea, Switzerland, South Africa, the UK, India, the SEC's Eastern time,
// Brazil's São Paulo time); for a jurisdiction that spans several (the EU,
// US federal law outside the SEC, Australia, Canada) the plan's zone stands
// for the entity's. EU periods in days or months whose last day is a
// weekend end with the next working day (Regulation 1182/71 Art. 3(4),
// reference note 5; no EU holidays are sourced, and DORA's RTS keep their
// own weekend rules), hours never move. Business days use the law's public
// holidays, shipped in the catalog with the law that creates each holiday
// (us-federal: 5 U.S.C. 6103; br-national: Lei 662/1949, Lei 6.802/1980,
// Lei 14.759/2023), never in the plan's calendar. A jurisdiction whose
// holidays the project cannot source is counted without holidays, and the
// deadline says so ([LegalDeadline.WithoutHolidays]). The US calendar leaves
// out Inauguration Day (5 U.S.C. 6103(c): a holiday only in the Washington,
// D.C. area) although the SEC's headquarters close on it (17 CFR 201.104):
// counting it as a business day gives an 8-K deadline never later than the
// law's. Where a filing cut-off moves the practical deadline (EDGAR: after
// 17:30 Eastern a filing counts as filed the next business day), the clock
// shows both ([LegalDeadline.Practical], [Owed.PracticalDue]).
package regulation

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/zone"
	"github.com/ismscomms/ismscomms/schedule"
)

//go:embed catalog.yaml
var catalogYAML []byte

// EvidenceLevel is how an entry was verified. Values are persisted.
type EvidenceLevel string

// Evidence levels.
const (
	EvidenceLevelPrimary   EvidenceLevel = "primary"   // read in the instrument's own text
	EvidenceLevelSecondary EvidenceLevel = "secondary" // secondary sources only
)

// LegalStatus is whether an instrument is law. Values are persisted.
type LegalStatus string

// Statuses.
const (
	LegalStatusInForce  LegalStatus = "in-force"
	LegalStatusProposed LegalStatus = "proposed" // not law (CIRCIA)
)

// SubmittedPrefix starts a clock that runs from the actual submission of
// another obligation's report: "submitted:nis2-notification".
const SubmittedPrefix = "submitted:"

// Recipient is who is notified, with the stakeholder kinds that stand for
// it in a plan (any one of them will do).
type Recipient struct {
	Name  string                  `yaml:"name" json:"name"`
	Kinds []comms.StakeholderKind `yaml:"kinds" json:"kinds"`
}

// Clock is one deadline: Within after the milestone From (or, for
// Anchor "end-of-year", after the end of the calendar year of From).
type Clock struct {
	From   string            `yaml:"from" json:"from"`
	Anchor string            `yaml:"anchor,omitempty" json:"anchor,omitempty"`
	Within schedule.Deadline `yaml:"within" json:"within"`
	// Submission says which submission a chained clock (From
	// "submitted:<id>") counts from when that report was submitted more
	// than once (an updated report): the first (the zero value) or the
	// latest. DORA's final report counts from the latest intermediate
	// report (RTS 2025/301 Art. 5(1)(c)).
	Submission Submission `yaml:"submission,omitempty" json:"submission,omitempty"`
}

// Submission is which submission of an earlier report a chained [Clock]
// counts from. Values are persisted.
type Submission string

// Submissions a chained clock counts from.
const (
	// SubmissionFirst counts from the first submission (the zero value).
	SubmissionFirst Submission = "first"
	// SubmissionLatest counts from the latest submission: an updated
	// report restarts the clock.
	SubmissionLatest Submission = "latest"
)

// Submitted is when an obligation's report was submitted for an event:
// the first time and the latest (the same when it was sent once).
type Submitted struct {
	First, Latest time.Time
}

// FollowUp is a later stage of the same obligation (a supplement, a
// written record of an oral report). It is owed as an obligation of its
// own, with the ID "<obligation>.<follow-up id>" ([Obligation.FollowUpObligations]),
// which a plan's activity may declare. Clocks may be empty when the law
// states no starting point the catalog can use; Name then says so.
type FollowUp struct {
	// ID is stable within the obligation ("written-record").
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
	// Trigger is the milestone at which the follow-up arises, once the
	// obligation itself has; empty: its first clock's From, or, without
	// clocks, the obligation's Trigger.
	Trigger string  `yaml:"trigger,omitempty" json:"trigger,omitempty"`
	Clocks  []Clock `yaml:"clocks,omitempty" json:"clocks,omitempty"`
	// UndueDelay: the follow-up is owed "without undue delay".
	UndueDelay bool `yaml:"undue_delay,omitempty" json:"undue_delay,omitempty"`
	// Recipients, if any, replace the obligation's (the California
	// Attorney General rather than the residents).
	Recipients []Recipient `yaml:"recipients,omitempty" json:"recipients,omitempty"`
}

// CalendarRef names the calendar day and business-day deadlines are
// counted in: a time zone (empty: the plan's) and a holiday calendar of the
// catalog (empty: none — business days are then counted without public
// holidays, and [LegalDeadline.WithoutHolidays] says so). It is never the
// plan's calendar: a law counts the working days of its own jurisdiction.
type CalendarRef struct {
	TimeZone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	Holidays string `yaml:"holidays,omitempty" json:"holidays,omitempty"`
	// Cutoff is a filing cut-off, "HH:MM" in TimeZone: a report submitted
	// after it counts as submitted on the next business day (EDGAR:
	// 17:30 Eastern), so the practical deadline is the cut-off of the
	// deadline's day ([LegalDeadline.Practical]).
	Cutoff string `yaml:"cutoff,omitempty" json:"cutoff,omitempty"`
	// KeepDays: the instrument's own rules say how its deadlines meet a
	// weekend (DORA's RTS), so a day or month deadline of an EU act is not
	// moved to the next working day by Regulation 1182/71.
	KeepDays bool `yaml:"keep_days,omitempty" json:"keep_days,omitempty"`
}

// Obligation is one legal notification obligation.
type Obligation struct {
	// ID is stable ("gdpr-art33"); plans name it in an activity's
	// obligations.
	ID           string `yaml:"id" json:"id"`
	Jurisdiction string `yaml:"jurisdiction" json:"jurisdiction"`
	Instrument   string `yaml:"instrument" json:"instrument"`
	Article      string `yaml:"article" json:"article"`
	// Notifier is who must notify; Recipients whom.
	Notifier   string      `yaml:"notifier" json:"notifier"`
	Recipients []Recipient `yaml:"recipients" json:"recipients"`
	// Trigger is the milestone at which the obligation arises, written as
	// a plan trigger ("incident.aware") or "submitted:<id>".
	Trigger string `yaml:"trigger" json:"trigger"`
	// Clocks are the deadlines; the obligation is due at the earliest one
	// that has not run out before it arises. None: no hard deadline.
	Clocks []Clock `yaml:"clocks,omitempty" json:"clocks,omitempty"`
	// UndueDelay: the law says "without undue delay" (or "as soon as
	// practicable", "promptly"); Clocks, if any, are the outer limit.
	UndueDelay bool       `yaml:"undue_delay,omitempty" json:"undue_delay,omitempty"`
	FollowUps  []FollowUp `yaml:"follow_ups,omitempty" json:"follow_ups,omitempty"`
	// Stages lists the obligations this one leads to.
	Stages    []string      `yaml:"stages,omitempty" json:"stages,omitempty"`
	Calendar  CalendarRef   `yaml:"calendar,omitempty" json:"calendar,omitzero"`
	Evidence  EvidenceLevel `yaml:"evidence" json:"evidence"`
	Status    LegalStatus   `yaml:"status,omitempty" json:"status"`
	Effective comms.Date    `yaml:"effective,omitempty" json:"effective,omitzero"`
	Source    string        `yaml:"source" json:"source"`
	Note      string        `yaml:"note" json:"note"`
	// VariantOf names the reference row this entry is a labelled variant
	// of (cn-cac-cii: the 1-hour limit of critical information
	// infrastructure operators under cn-cac).
	VariantOf string `yaml:"variant_of,omitempty" json:"variant_of,omitempty"`
	// FollowUpOf is set on a follow-up owed as an obligation of its own
	// ([Obligation.FollowUpObligations]): the ID of the obligation it
	// follows. It is owed only once that obligation has arisen.
	FollowUpOf string `yaml:"-" json:"follow_up_of,omitempty"`
	// FollowUp is the follow-up's name when FollowUpOf is set.
	FollowUp string `yaml:"-" json:"follow_up,omitempty"`
}

// holidayCalendar is a rule-based holiday calendar of the catalog. Every
// holiday rule names the law that creates it (source).
type holidayCalendar struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Source  string   `yaml:"source"`
	Note    string   `yaml:"note"`
	Weekend []string `yaml:"weekend"`
	Fixed   []struct {
		Name   string `yaml:"name"`
		Date   string `yaml:"date"` // MM-DD
		Source string `yaml:"source"`
		// Since is the first year the holiday is kept (0: always).
		Since int `yaml:"since"`
	} `yaml:"fixed"`
	NthWeekday []struct {
		Name    string `yaml:"name"`
		Month   int    `yaml:"month"`
		Weekday string `yaml:"weekday"`
		N       int    `yaml:"n"`
		Source  string `yaml:"source"`
		Since   int    `yaml:"since"`
	} `yaml:"nth_weekday"`
	Observed string `yaml:"observed"`
	// ObservedSource is the law that moves a holiday to the day it is
	// observed.
	ObservedSource string `yaml:"observed_source"`
}

type catalogFile struct {
	Obligations []Obligation      `yaml:"obligations"`
	Calendars   []holidayCalendar `yaml:"calendars"`
}

var load = sync.OnceValues(func() (catalogFile, error) {
	var c catalogFile
	dec := yaml.NewDecoder(strings.NewReader(string(catalogYAML)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("regulation: catalog: %w", err)
	}
	for i := range c.Obligations {
		if c.Obligations[i].Status == "" {
			c.Obligations[i].Status = LegalStatusInForce
		}
	}
	return c, nil
})

func catalog() catalogFile {
	c, err := load()
	if err != nil {
		// The catalog is embedded and checked by the tests; a broken one is
		// a build defect, not bad input.
		panic(err)
	}
	return c
}

// All returns every obligation of the catalog, in catalog order. The slice
// is a copy.
func All() []Obligation {
	c := catalog()
	out := make([]Obligation, len(c.Obligations))
	for i, o := range c.Obligations {
		out[i] = o.clone()
	}
	return out
}

// Lookup returns the obligation with the given ID, or the follow-up with
// the ID "<obligation>.<follow-up id>" as an obligation of its own
// ([Obligation.FollowUpObligations]).
func Lookup(id string) (Obligation, bool) {
	for _, o := range catalog().Obligations {
		if o.ID == id {
			return o.clone(), true
		}
		if rest, ok := strings.CutPrefix(id, o.ID+"."); ok {
			for _, f := range o.FollowUps {
				if f.ID == rest {
					return o.followUp(f), true
				}
			}
		}
	}
	return Obligation{}, false
}

// FollowUpObligations returns o's follow-ups, each as an obligation of its
// own: ID "<o.ID>.<follow-up id>", FollowUpOf o.ID, the follow-up's
// trigger, clocks and recipients, and o's jurisdiction, instrument,
// calendar, evidence level, status, effective date and source. It is owed
// once o has arisen and its own trigger is reached. A plan's activity may
// declare it among its obligations; [IncidentClock] lists it as owed
// either way.
func (o Obligation) FollowUpObligations() []Obligation {
	out := make([]Obligation, len(o.FollowUps))
	for i, f := range o.FollowUps {
		out[i] = o.followUp(f)
	}
	return out
}

func (o Obligation) followUp(f FollowUp) Obligation {
	fo := o.clone()
	fo.ID = o.ID + "." + f.ID
	fo.FollowUpOf, fo.FollowUp = o.ID, f.Name
	fo.Trigger = f.Trigger
	if fo.Trigger == "" && len(f.Clocks) > 0 {
		fo.Trigger = f.Clocks[0].From
	}
	if fo.Trigger == "" {
		fo.Trigger = o.Trigger
	}
	fo.Clocks = slices.Clone(f.Clocks)
	fo.UndueDelay = f.UndueDelay
	if len(f.Recipients) > 0 {
		fo.Recipients = slices.Clone(f.Recipients)
	}
	fo.FollowUps, fo.Stages = nil, nil
	fo.Note = f.Name + ": a follow-up of " + o.ID + ". " + o.Note
	return fo
}

func (o Obligation) clone() Obligation {
	o.Recipients = slices.Clone(o.Recipients)
	for i := range o.Recipients {
		o.Recipients[i].Kinds = slices.Clone(o.Recipients[i].Kinds)
	}
	o.Clocks = slices.Clone(o.Clocks)
	o.FollowUps = slices.Clone(o.FollowUps)
	for i := range o.FollowUps {
		o.FollowUps[i].Clocks = slices.Clone(o.FollowUps[i].Clocks)
	}
	o.Stages = slices.Clone(o.Stages)
	return o
}

// Title is a one-line name: "Regulation (EU) 2016/679 (GDPR) Art. 33(1):
// controller → supervisory authority".
func (o Obligation) Title() string {
	names := make([]string, len(o.Recipients))
	for i, r := range o.Recipients {
		names[i] = r.Name
	}
	where := o.Instrument
	if !strings.Contains(o.Instrument, o.Article) {
		where += " " + o.Article
	}
	t := fmt.Sprintf("%s: %s → %s", where, o.Notifier, strings.Join(names, ", "))
	if o.FollowUp != "" {
		t += " (" + o.FollowUp + ")"
	}
	return t
}

// DeadlineText says the deadline in words: "72h after incident.aware,
// without undue delay", "without undue delay", "none set".
func (o Obligation) DeadlineText() string {
	var parts []string
	for _, c := range o.Clocks {
		from := c.From
		if c.Anchor == "end-of-year" {
			from = "the end of the year of " + from
		}
		parts = append(parts, c.Within.String()+" after "+from)
	}
	text := strings.Join(parts, " or ")
	if len(o.Clocks) > 1 {
		text = "the earlier of " + text
	}
	switch {
	case o.UndueDelay && text != "":
		return "without undue delay, at most " + text
	case o.UndueDelay:
		return "without undue delay"
	case text == "":
		return "none set"
	}
	return text
}

// Secondary reports whether the entry rests on secondary sources only.
func (o Obligation) Secondary() bool { return o.Evidence != EvidenceLevelPrimary }

// DayCalendar returns the calendar o counts days in, for deadlines around
// the given year: the catalog's time zone and holidays where the law uses
// them, otherwise planLoc (UTC if nil) with a Saturday-Sunday weekend.
func (o Obligation) DayCalendar(planLoc *time.Location, year int) (*schedule.Calendar, error) {
	loc := planLoc
	if loc == nil {
		loc = time.UTC
	}
	if o.Calendar.TimeZone != "" {
		l, err := zone.Load(o.Calendar.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("regulation: %s: %w", o.ID, err)
		}
		loc = l
	}
	// EU acts count periods by Regulation 1182/71: one in days or months
	// whose last day is a Saturday, Sunday or public holiday ends with the
	// next working day (Art. 3(4), reference note 5); hours do not move.
	// No EU holidays are sourced, so only weekends move a deadline: it is
	// never later than the law's. An instrument with weekend rules of its
	// own (DORA's RTS, dora-weekend) keeps its days (Calendar.KeepDays):
	// never later either.
	roll := o.Jurisdiction == "EU" && !o.Calendar.KeepDays
	if o.Calendar.Holidays == "" {
		return schedule.NewCalendar(loc, schedule.CalendarOptions{RollForward: roll}), nil
	}
	h, ok := holidays(o.Calendar.Holidays)
	if !ok {
		return nil, fmt.Errorf("regulation: %s: unknown holiday calendar %q", o.ID, o.Calendar.Holidays)
	}
	var dates []comms.Date
	for y := year - 1; y <= year+2; y++ {
		dates = append(dates, h.dates(y)...)
	}
	return schedule.NewCalendar(loc, schedule.CalendarOptions{Holidays: dates, RollForward: roll}), nil
}

func holidays(id string) (holidayCalendar, bool) {
	for _, h := range catalog().Calendars {
		if h.ID == id {
			return h, true
		}
	}
	return holidayCalendar{}, false
}

// Holidays returns the dates of a holiday calendar of the catalog
// ("us-federal") in year, as observed, ascending.
func Holidays(id string, year int) ([]comms.Date, bool) {
	h, ok := holidays(id)
	if !ok {
		return nil, false
	}
	return h.dates(year), true
}

func (h holidayCalendar) dates(year int) []comms.Date {
	var out []comms.Date
	observe := func(d time.Time) {
		if h.Observed == "saturday-friday-sunday-monday" {
			switch d.Weekday() {
			case time.Saturday:
				d = d.AddDate(0, 0, -1)
			case time.Sunday:
				d = d.AddDate(0, 0, 1)
			}
		}
		out = append(out, comms.DateOf(d))
	}
	for _, f := range h.Fixed {
		if year < f.Since {
			continue
		}
		var m, d int
		fmt.Sscanf(f.Date, "%d-%d", &m, &d)
		observe(time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC))
	}
	for _, nw := range h.NthWeekday {
		if year < nw.Since {
			continue
		}
		wd := weekday(nw.Weekday)
		var d time.Time
		if nw.N > 0 {
			d = time.Date(year, time.Month(nw.Month), 1, 0, 0, 0, 0, time.UTC)
			for d.Weekday() != wd {
				d = d.AddDate(0, 0, 1)
			}
			d = d.AddDate(0, 0, 7*(nw.N-1))
		} else {
			d = time.Date(year, time.Month(nw.Month)+1, 0, 0, 0, 0, 0, time.UTC)
			for d.Weekday() != wd {
				d = d.AddDate(0, 0, -1)
			}
			d = d.AddDate(0, 0, 7*(nw.N+1))
		}
		observe(d)
	}
	slices.SortFunc(out, func(a, b comms.Date) int {
		if a.Before(b) {
			return -1
		}
		if b.Before(a) {
			return 1
		}
		return 0
	})
	return out
}

func weekday(code string) time.Weekday {
	for i, c := range []string{"su", "mo", "tu", "we", "th", "fr", "sa"} {
		if strings.EqualFold(code, c) {
			return time.Weekday(i)
		}
	}
	return -1
}

// LegalDeadline is when an obligation falls due for an event.
type LegalDeadline struct {
	Obligation string
	// Start is when the obligation arose (its Trigger was reached).
	Start time.Time
	// At is the hard deadline; zero when the law sets none (see UndueDelay)
	// or is not in force for the event (NotInForce).
	At time.Time
	// Clock is the clock that set At, and ClockStart when it started (the
	// milestone, or the submission it counts from).
	Clock      Clock
	ClockStart time.Time
	UndueDelay bool
	// Practical is the last moment a submission counts as made by At when
	// a filing cut-off moves it earlier (EDGAR: a filing after 17:30
	// Eastern counts as filed the next business day); zero when no cut-off
	// applies.
	Practical time.Time
	// NotInForce: the obligation applies only to events whose clock starts
	// on or after Effective, and this one started before it; At is zero.
	NotInForce bool
	Effective  comms.Date
	// WithoutHolidays: At was counted in business days without public
	// holidays, because the catalog holds no sourced holiday calendar for
	// the law's jurisdiction; the real deadline may be later.
	WithoutHolidays bool
	// Evidence and Status are the obligation's (see [Obligation]).
	Evidence EvidenceLevel
	Status   LegalStatus
}

// DeadlineFor computes when o falls due for event e. submitted maps obligation IDs
// to the time their report was actually submitted, for chained clocks
// ("submitted:nis2-notification"). planLoc is the zone day deadlines are
// counted in unless the catalog names one. ok is false while o has not
// arisen (its trigger milestone is not reached, or the earlier report is
// not submitted).
//
// DeadlineFor knows one submission per report; [Obligation.DeadlineWith]
// tells the first from the latest, for clocks that count from the latest
// (DORA's final report).
func (o Obligation) DeadlineFor(e comms.Event, submitted map[string]time.Time, planLoc *time.Location) (LegalDeadline, bool, error) {
	subs := make(map[string]Submitted, len(submitted))
	for id, t := range submitted {
		subs[id] = Submitted{First: t, Latest: t}
	}
	return o.DeadlineWith(e, subs, planLoc)
}

// DeadlineWith is [Obligation.DeadlineFor] with the first and the latest
// submission of each earlier report: an obligation arises at the first
// submission of the report its Trigger names; a clock counts from the
// first or the latest, as its Submission says.
//
// An obligation with an Effective date is owed only for events whose
// clock starts (o's Trigger, or, for a follow-up, the obligation it
// follows) on or after that date in the law's time zone; before it, the
// result has NotInForce set and no deadline.
func (o Obligation) DeadlineWith(e comms.Event, submitted map[string]Submitted, planLoc *time.Location) (LegalDeadline, bool, error) {
	start, ok := reached(o.Trigger, e, submitted, SubmissionFirst)
	if !ok {
		return LegalDeadline{}, false, nil
	}
	began := start
	if o.FollowUpOf != "" {
		parent, ok := Lookup(o.FollowUpOf)
		if !ok {
			return LegalDeadline{}, false, fmt.Errorf("regulation: %s: follow-up of unknown obligation %q", o.ID, o.FollowUpOf)
		}
		if began, ok = reached(parent.Trigger, e, submitted, SubmissionFirst); !ok {
			return LegalDeadline{}, false, nil // the obligation it follows has not arisen
		}
	}
	d := LegalDeadline{Obligation: o.ID, Start: start, UndueDelay: o.UndueDelay, Evidence: o.Evidence, Status: o.Status}
	cal, err := o.DayCalendar(planLoc, start.Year())
	if err != nil {
		return LegalDeadline{}, false, err
	}
	if !o.Effective.IsZero() && comms.DateOf(began.In(cal.Location())).Before(o.Effective) {
		d.NotInForce, d.Effective, d.UndueDelay = true, o.Effective, false
		return d, true, nil
	}
	for _, c := range o.Clocks {
		from, ok := reached(c.From, e, submitted, c.Submission)
		if !ok {
			continue
		}
		clockStart := from
		if c.Anchor == "end-of-year" {
			local := from.In(cal.Location())
			from = time.Date(local.Year(), 12, 31, 12, 0, 0, 0, cal.Location())
		}
		at := c.Within.From(from, cal)
		if at.Before(start) {
			continue // this clock ran out before the obligation arose
		}
		if d.At.IsZero() || at.Before(d.At) {
			d.At, d.Clock, d.ClockStart = at, c, clockStart
		}
	}
	if !d.At.IsZero() {
		d.WithoutHolidays = d.Clock.Within.Unit == schedule.BusinessDays && o.Calendar.Holidays == ""
		if d.Practical, err = o.practical(d.At, cal.Location()); err != nil {
			return LegalDeadline{}, false, err
		}
	}
	return d, true, nil
}

// practical returns the cut-off of at's day when at is after it (zero
// without a cut-off, or when at is not after it).
func (o Obligation) practical(at time.Time, loc *time.Location) (time.Time, error) {
	if o.Calendar.Cutoff == "" {
		return time.Time{}, nil
	}
	hm, err := time.Parse("15:04", o.Calendar.Cutoff)
	if err != nil {
		return time.Time{}, fmt.Errorf("regulation: %s: cutoff %q: %w", o.ID, o.Calendar.Cutoff, err)
	}
	local := at.In(loc)
	cut := time.Date(local.Year(), local.Month(), local.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
	if !local.After(cut) {
		return time.Time{}, nil
	}
	return cut, nil
}

// reached returns when a milestone ("incident.aware") or a submission
// ("submitted:<id>", its first or latest as which says) happened.
func reached(from string, e comms.Event, submitted map[string]Submitted, which Submission) (time.Time, bool) {
	if id, ok := strings.CutPrefix(from, SubmittedPrefix); ok {
		s := submitted[id]
		t := s.First
		if which == SubmissionLatest && !s.Latest.IsZero() {
			t = s.Latest
		}
		return t, !t.IsZero()
	}
	if t, ok := e.Reached(from); ok {
		return t, true
	}
	return e.ReachedInDrill(from) // a drill's clock runs as the real one's
}
