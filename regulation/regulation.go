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
// so chained stages move when the earlier report is sent. "Without undue
// delay" is a flag, with a hard limit when the law sets one.
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
}

// FollowUp is a later stage of the same obligation (a supplement, a
// written record of an oral report). Clocks may be empty when the law
// states no starting point the catalog can use.
type FollowUp struct {
	Name   string  `yaml:"name" json:"name"`
	Clocks []Clock `yaml:"clocks,omitempty" json:"clocks,omitempty"`
}

// CalendarRef names the calendar day and business-day deadlines are
// counted in: a time zone (empty: the plan's) and a holiday calendar of the
// catalog (empty: none).
type CalendarRef struct {
	TimeZone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	Holidays string `yaml:"holidays,omitempty" json:"holidays,omitempty"`
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
}

// holidayCalendar is a rule-based holiday calendar of the catalog.
type holidayCalendar struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Source  string   `yaml:"source"`
	Weekend []string `yaml:"weekend"`
	Fixed   []struct {
		Name string `yaml:"name"`
		Date string `yaml:"date"` // MM-DD
	} `yaml:"fixed"`
	NthWeekday []struct {
		Name    string `yaml:"name"`
		Month   int    `yaml:"month"`
		Weekday string `yaml:"weekday"`
		N       int    `yaml:"n"`
	} `yaml:"nth_weekday"`
	Observed string `yaml:"observed"`
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

// Lookup returns the obligation with the given ID.
func Lookup(id string) (Obligation, bool) {
	for _, o := range catalog().Obligations {
		if o.ID == id {
			return o.clone(), true
		}
	}
	return Obligation{}, false
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
	return fmt.Sprintf("%s: %s → %s", where, o.Notifier, strings.Join(names, ", "))
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
	if o.Calendar.Holidays == "" {
		return schedule.NewCalendar(loc, schedule.CalendarOptions{}), nil
	}
	h, ok := holidays(o.Calendar.Holidays)
	if !ok {
		return nil, fmt.Errorf("regulation: %s: unknown holiday calendar %q", o.ID, o.Calendar.Holidays)
	}
	var dates []comms.Date
	for y := year - 1; y <= year+2; y++ {
		dates = append(dates, h.dates(y)...)
	}
	return schedule.NewCalendar(loc, schedule.CalendarOptions{Holidays: dates}), nil
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
		var m, d int
		fmt.Sscanf(f.Date, "%d-%d", &m, &d)
		observe(time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC))
	}
	for _, nw := range h.NthWeekday {
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
	// At is the hard deadline; zero when the law sets none (see UndueDelay).
	At time.Time
	// Clock is the clock that set At.
	Clock      Clock
	UndueDelay bool
}

// DeadlineFor computes when o falls due for event e. submitted maps obligation IDs
// to the time their report was actually submitted, for chained clocks
// ("submitted:nis2-notification"). planLoc is the zone day deadlines are
// counted in unless the catalog names one. ok is false while o has not
// arisen (its trigger milestone is not reached, or the earlier report is
// not submitted).
func (o Obligation) DeadlineFor(e comms.Event, submitted map[string]time.Time, planLoc *time.Location) (LegalDeadline, bool, error) {
	start, ok := reached(o.Trigger, e, submitted)
	if !ok {
		return LegalDeadline{}, false, nil
	}
	d := LegalDeadline{Obligation: o.ID, Start: start, UndueDelay: o.UndueDelay}
	cal, err := o.DayCalendar(planLoc, start.Year())
	if err != nil {
		return LegalDeadline{}, false, err
	}
	for _, c := range o.Clocks {
		from, ok := reached(c.From, e, submitted)
		if !ok {
			continue
		}
		if c.Anchor == "end-of-year" {
			local := from.In(cal.Location())
			from = time.Date(local.Year(), 12, 31, 12, 0, 0, 0, cal.Location())
		}
		at := c.Within.From(from, cal)
		if at.Before(start) {
			continue // this clock ran out before the obligation arose
		}
		if d.At.IsZero() || at.Before(d.At) {
			d.At, d.Clock = at, c
		}
	}
	return d, true, nil
}

// reached returns when a milestone ("incident.aware") or a submission
// ("submitted:<id>") happened.
func reached(from string, e comms.Event, submitted map[string]time.Time) (time.Time, bool) {
	if id, ok := strings.CutPrefix(from, SubmittedPrefix); ok {
		t, ok := submitted[id]
		return t, ok && !t.IsZero()
	}
	return e.Reached(from)
}
