package schedule

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/recur"
)

// ICSOptions configures [WriteICS]. The zero value gives the defaults.
type ICSOptions struct {
	// Stamp is the DTSTAMP of every event, when the file was made. Zero
	// means now.
	Stamp time.Time
	// UIDDomain ends every UID ("policy.acme-plan@<domain>"); it should
	// be a domain you control. Empty means "ismscomms.invalid".
	UIDDomain string
	// Duration is the length of each event. Zero means one hour (a whole
	// day for activities that start on a date).
	Duration time.Duration
	// Reminder is how long before each occurrence the reminder fires. Zero
	// means one day; a negative value leaves reminders out.
	Reminder time.Duration
}

// WriteICS writes the recurring activities of p as an iCalendar file
// (RFC 5545): one VEVENT per recurring activity, with DTSTART in the
// plan's zone, RRULE, EXDATE, RDATE, a SUMMARY, a DESCRIPTION that names
// what, with whom, how and who, CATEGORIES set to the topic, a VALARM
// reminder, and a UID that stays the same from one export to the next, so
// that re-importing the file updates the events instead of duplicating
// them. The plan's VTIMEZONE is included. Lines are folded at 75 octets
// without splitting a UTF-8 character, text is escaped, and lines end in
// CRLF.
//
// Activities that are only triggered (incident.aware) have no date and are
// left out. A nil o means the defaults.
func WriteICS(w io.Writer, p comms.Plan, o *ICSOptions) error {
	var opt ICSOptions
	if o != nil {
		opt = *o
	}
	if opt.Stamp.IsZero() {
		opt.Stamp = time.Now()
	}
	if opt.UIDDomain == "" {
		opt.UIDDomain = "ismscomms.invalid"
	}
	if opt.Reminder == 0 {
		opt.Reminder = 24 * time.Hour
	}
	loc, err := p.Location()
	if err != nil {
		return inContext(err, "write ICS: plan %s", p.ID)
	}
	cal := ics.NewCalendarFor("ismscomms")
	cal.SetProductId("-//ismscomms//ismscomms " + p.ID + "//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	name := "Communication plan"
	if p.Organization != "" {
		name += " — " + p.Organization
	}
	cal.SetXWRCalName(icsText(name))
	zoned := loc != time.UTC

	firstYear := 0
	var events []*ics.VEvent
	ix := p.Index()
	for _, a := range p.Activities {
		if !a.When.Recurring() {
			continue
		}
		rule, err := ActivityRule(p, a)
		if err != nil {
			return inContext(err, "write ICS")
		}
		if y := a.When.Start.Year; firstYear == 0 || y < firstYear {
			firstYear = y
		}
		e, err := activityEvent(p, ix, a, rule, loc, zoned, opt)
		if err != nil {
			return inContext(err, "write ICS: activity %s", a.ID)
		}
		events = append(events, e)
	}
	if zoned && len(events) > 0 {
		cal.AddVTimezone(vtimezone(loc, firstYear-1))
	}
	for _, e := range events {
		cal.AddVEvent(e)
	}
	if err := cal.SerializeTo(w, ics.WithNewLine("\r\n"), ics.WithLineLength(75)); err != nil {
		return inContext(err, "write ICS")
	}
	return nil
}

func activityEvent(p comms.Plan, ix *comms.Index, a comms.Activity, rule *Rule, loc *time.Location, zoned bool, opt ICSOptions) (*ics.VEvent, error) {
	e := ics.NewEvent(a.ID + "." + p.ID + "@" + opt.UIDDomain)
	e.SetDtStampTime(opt.Stamp.UTC())
	f := icsForm{loc: loc, zoned: zoned, dateOnly: a.When.Start.DateOnly}
	e.AddProperty(ics.ComponentPropertyDtStart, f.local(civilWall(a.When.Start)), f.tz()...)
	switch {
	case f.dateOnly:
		e.AddProperty(ics.ComponentPropertyDuration, "P1D")
	case opt.Duration > 0:
		e.AddProperty(ics.ComponentPropertyDuration, icsDuration(opt.Duration))
	default:
		e.AddProperty(ics.ComponentPropertyDuration, "PT1H")
	}
	if err := f.addRecurrence(e, a.When, rule); err != nil {
		return nil, err
	}
	describeEvent(e, ix, a, opt)
	return e, nil
}

// icsForm is how an activity's times are written: as dates, as local
// times with the plan's TZID (zoned), or in UTC.
type icsForm struct {
	loc             *time.Location
	zoned, dateOnly bool
}

// tz is the parameters of a time property in form f.
func (f icsForm) tz() []ics.PropertyParameter {
	if f.dateOnly {
		return []ics.PropertyParameter{ics.WithValue(string(ics.ValueDataTypeDate))}
	}
	if f.zoned {
		return []ics.PropertyParameter{&ics.KeyValues{Key: string(ics.ParameterTzid), Value: []string{f.loc.String()}}}
	}
	return nil
}

// local formats w in form f.
func (f icsForm) local(w recur.Wall) string {
	if f.dateOnly {
		return recur.FormatDate(w)
	}
	if f.zoned {
		return recur.FormatDateTime(w)
	}
	return recur.FormatDateTime(w) + "Z"
}

// addRecurrence adds t's RRULE (with its UNTIL as RFC 5545 wants it),
// EXDATE and RDATE to e; rule is t compiled, whose occurrences on a whole
// excluded day are named one by one.
func (f icsForm) addRecurrence(e *ics.VEvent, t comms.Timing, rule *Rule) error {
	rr, err := recur.ParseRRule(t.RRule)
	if err != nil {
		return err
	}
	if !t.Until.IsZero() {
		// RFC 5545: with a zoned DTSTART, UNTIL is given in UTC.
		w := civilWall(t.Until)
		if t.Until.DateOnly {
			w += 86399
		}
		if f.dateOnly {
			rr.Until = recur.Until{Wall: civilWall(t.Until) - civilWall(t.Until)%86400, IsDate: true, Present: true}
		} else {
			u := resolve(f.loc, w).UTC()
			rr.Until = recur.Until{Wall: recur.FromTime(u), IsUTC: true, Present: true}
		}
	}
	e.AddRrule(rr.String())

	var ex []string
	for _, d := range t.Exdates {
		if d.DateOnly && !f.dateOnly {
			// A whole excluded day: name each occurrence on it.
			dayStart := resolve(f.loc, recur.Wall(civilWall(d).Day())*86400)
			dayEnd := resolve(f.loc, recur.Wall(civilWall(d).Day()+1)*86400)
			bare := *rule
			bare.exdays, bare.exdates = nil, nil
			for at := range bare.Between(dayStart, dayEnd) {
				ex = append(ex, f.local(recur.FromTime(at.In(f.loc))))
			}
			continue
		}
		ex = append(ex, f.local(civilWall(d)))
	}
	if len(ex) > 0 {
		slices.Sort(ex)
		e.AddExdate(strings.Join(slices.Compact(ex), ","), f.tz()...)
	}
	var rd []string
	for _, d := range t.Rdates {
		rd = append(rd, f.local(civilWall(d)))
	}
	if len(rd) > 0 {
		e.AddRdate(strings.Join(rd, ","), f.tz()...)
	}
	return nil
}

// describeEvent gives e activity a's title, description, category,
// class and the reminder opt asks for.
func describeEvent(e *ics.VEvent, ix *comms.Index, a comms.Activity, opt ICSOptions) {
	title := a.Name
	if title == "" {
		title = a.ID
	}
	e.SetSummary(icsText(title))
	e.SetDescription(icsText(describeActivity(ix, a)))
	if a.What.Topic != "" {
		e.AddCategory(icsText(string(a.What.Topic)))
	}
	switch a.What.Classification {
	case comms.ClassificationPublic:
		e.SetClass(ics.ClassificationPublic)
	case comms.ClassificationInternal:
		e.SetClass(ics.ClassificationPrivate)
	case comms.ClassificationConfidential, comms.ClassificationRestricted:
		e.SetClass(ics.ClassificationConfidential)
	}
	if opt.Reminder > 0 {
		al := e.AddAlarm()
		al.SetAction(ics.ActionDisplay)
		al.SetTrigger("-" + icsDuration(opt.Reminder))
		al.SetProperty(ics.ComponentPropertyDescription, icsText("Reminder: "+title))
	}
}

// describeActivity names what, with whom, how and who, one line each.
func describeActivity(ix *comms.Index, a comms.Activity) string {
	names := func(ids []string, name func(string) (string, bool)) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = id
			if n, ok := name(id); ok && n != "" {
				out[i] = n
			}
		}
		return strings.Join(out, ", ")
	}
	stakeholder := func(id string) (string, bool) { s, ok := ix.Stakeholder(id); return s.Name, ok }
	channel := func(id string) (string, bool) { c, ok := ix.Channel(id); return c.Name, ok }
	role := func(id string) (string, bool) { r, ok := ix.Role(id); return r.Name, ok }
	var b strings.Builder
	what := a.What.Message
	if a.What.Topic != "" {
		what += " (" + string(a.What.Topic)
		if a.What.Classification != "" {
			what += ", " + string(a.What.Classification)
		}
		what += ")"
	}
	fmt.Fprintf(&b, "What: %s\n", strings.TrimSpace(what))
	fmt.Fprintf(&b, "With whom: %s\n", names(a.Whom, stakeholder))
	fmt.Fprintf(&b, "How: %s\n", names(a.How, channel))
	who := names(append([]string{a.Owner}, a.Support...), role)
	if a.Owner == "" {
		who = names(a.Support, role)
	}
	fmt.Fprintf(&b, "Who: %s", who)
	if a.When.Within != "" {
		fmt.Fprintf(&b, "\nDue within: %s", a.When.Within)
	}
	return b.String()
}

// icsText prepares text for a TEXT value: line breaks become \n (which the
// library escapes), other control characters are dropped (RFC 5545 §3.3.11
// allows none).
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// icsDuration formats a positive duration as an RFC 5545 DURATION.
func icsDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("P%dD", d/(24*time.Hour))
	}
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	b.WriteString("T")
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
		d -= m * time.Minute
	}
	if s := d / time.Second; s > 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}

// transition is a change of UTC offset in a zone.
type transition struct {
	at             time.Time
	fromOff, toOff int
	name           string
	dst            bool
}

func zoneTransitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	t := from
	for len(out) < 1000 {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		if !end.After(t) {
			// Go reports some bounds after 2037 wrongly (a zone ending
			// where it starts, on 31 December of leap years); step past.
			t = t.Add(time.Hour)
			continue
		}
		_, before := end.Add(-time.Second).In(loc).Zone()
		name, after := end.In(loc).Zone()
		if before != after {
			out = append(out, transition{end, before, after, name, end.In(loc).IsDST()})
		}
		t = end
	}
	return out
}

// vtimezone describes loc from the start of fromYear on. Where the zone
// follows yearly rules ("last Sunday of March at 02:00") the observances
// carry that RRULE, verified against the tz database for 30 years; other
// zones list each transition as an RDATE for 60 years.
func vtimezone(loc *time.Location, fromYear int) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	start := time.Date(fromYear, 1, 1, 0, 0, 0, 0, loc)
	firstYear := zoneTransitions(loc, start, start.AddDate(1, 0, 0))
	span := zoneTransitions(loc, start, start.AddDate(30, 0, 0))
	if len(firstYear) > 0 && len(firstYear) <= 2 {
		var obs []*ics.ComponentBase
		ok := true
		for _, tr := range firstYear {
			rule, onset, good := yearlyRule(loc, tr, span)
			if !good {
				ok = false
				break
			}
			obs = append(obs, observance(tr, onset, rule, nil))
		}
		if ok {
			for i, tr := range firstYear {
				addObservance(tz, tr.dst, obs[i])
			}
			return tz
		}
	}
	all := zoneTransitions(loc, start, start.AddDate(60, 0, 0))
	if len(all) == 0 {
		name, off := start.Zone()
		tr := transition{at: start, fromOff: off, toOff: off, name: name, dst: start.IsDST()}
		addObservance(tz, tr.dst, observance(tr, recur.FromTime(start), "", nil))
		return tz
	}
	// The offset in force before the first transition.
	name, off := start.Zone()
	lead := transition{at: start, fromOff: off, toOff: off, name: name, dst: start.IsDST()}
	addObservance(tz, lead.dst, observance(lead, recur.FromTime(start), "", nil))
	type key struct {
		from, to int
		name     string
		dst      bool
	}
	groups := map[key][]transition{}
	var order []key
	for _, tr := range all {
		k := key{tr.fromOff, tr.toOff, tr.name, tr.dst}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], tr)
	}
	for _, k := range order {
		trs := groups[k]
		var rdates []string
		for _, tr := range trs[1:] {
			rdates = append(rdates, recur.FormatDateTime(onsetWall(tr)))
		}
		addObservance(tz, k.dst, observance(trs[0], onsetWall(trs[0]), "", rdates))
	}
	return tz
}

// onsetWall is a transition's local time in the offset before it, as
// VTIMEZONE's DTSTART and RDATE give it.
func onsetWall(tr transition) recur.Wall {
	return recur.Wall(tr.at.Unix() + int64(tr.fromOff))
}

// yearlyRule finds "FREQ=YEARLY;BYMONTH=m;BYDAY=nWD" matching tr in every
// year of span that has a transition of the same kind.
func yearlyRule(loc *time.Location, tr transition, span []transition) (rule string, onset recur.Wall, ok bool) {
	onset = onsetWall(tr)
	y, m, d, _, _, _ := onset.Civil()
	wd := recur.Weekday(onset.Day())
	var cands []int
	if d+7 > recur.DaysIn(y, m) {
		cands = append(cands, -1)
	}
	cands = append(cands, (d-1)/7+1)
	var same []transition
	for _, s := range span {
		if s.fromOff == tr.fromOff && s.toOff == tr.toOff {
			same = append(same, s)
		}
	}
	if len(same) < 25 {
		return "", 0, false // the zone stops or changes its rules
	}
	for _, n := range cands {
		good := true
		for _, s := range same {
			w := onsetWall(s)
			sy, sm, sd, _, _, _ := w.Civil()
			want := nthWeekdayOf(sy, m, n, wd)
			if sm != m || sd != want || w.Secs() != onset.Secs() {
				good = false
				break
			}
		}
		if good {
			return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", m, n, recur.DayCode(wd)), onset, true
		}
	}
	return "", 0, false
}

func nthWeekdayOf(y, m, n int, wd time.Weekday) int {
	first := recur.DaysFromCivil(y, m, 1)
	length := recur.DaysIn(y, m)
	if n > 0 {
		return 1 + (int(wd)-int(recur.Weekday(first))+7)%7 + (n-1)*7
	}
	last := first + length - 1
	return length - (int(recur.Weekday(last))-int(wd)+7)%7
}

func observance(tr transition, onset recur.Wall, rule string, rdates []string) *ics.ComponentBase {
	c := &ics.ComponentBase{}
	c.AddProperty(ics.ComponentPropertyDtStart, recur.FormatDateTime(onset))
	c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(tr.fromOff))
	c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(tr.toOff))
	if tr.name != "" && !strings.HasPrefix(tr.name, "+") && !strings.HasPrefix(tr.name, "-") {
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzname), icsText(tr.name)) // a zone file can hold anything
	}
	if rule != "" {
		c.AddProperty(ics.ComponentPropertyRrule, rule)
	}
	if len(rdates) > 0 {
		c.AddProperty(ics.ComponentPropertyRdate, strings.Join(rdates, ","))
	}
	return c
}

func addObservance(tz *ics.VTimezone, dst bool, c *ics.ComponentBase) {
	if dst {
		tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: *c})
	} else {
		tz.Components = append(tz.Components, &ics.Standard{ComponentBase: *c})
	}
}

// utcOffset formats an offset in seconds as ±HHMM or ±HHMMSS.
func utcOffset(off int) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	if s := off % 60; s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, off/3600, off/60%60, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, off/3600, off/60%60)
}
