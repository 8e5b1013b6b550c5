package schedule_test

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
)

var update = flag.Bool("update", false, "rewrite golden files")

var stamp = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func writeICS(t testing.TB, p comms.Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := schedule.WriteICS(&buf, p, &schedule.ICSOptions{Stamp: stamp, UIDDomain: "example.org"}); err != nil {
		t.Fatalf("WriteICS: %v", err)
	}
	return buf.Bytes()
}

// checkLines holds the output to RFC 5545 §3.1: CRLF line ends, at most 75
// octets a line, folds that never split a UTF-8 character.
func checkLines(t testing.TB, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatal("output does not end in CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if !utf8.Valid(line) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, line)
		}
	}
}

func TestICSStarterGolden(t *testing.T) {
	out := writeICS(t, matrix.Starter())
	checkLines(t, out)
	if *update {
		if err := os.WriteFile("testdata/starter.ics", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/starter.ics")
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(out, want) {
		t.Error("ICS output differs from testdata/starter.ics (run go test -update after checking the change)")
	}
	if again := writeICS(t, matrix.Starter()); !bytes.Equal(out, again) {
		t.Error("two exports of the same plan differ: UIDs must be stable")
	}
}

// The starter plan's export imports into an independent parser (go-ical)
// with every event and rule intact: the occurrences it computes from the
// file (through rrule-go) are ours.
func TestICSImportsIntoIndependentParser(t *testing.T) {
	p := matrix.Starter()
	// Exercise EXDATE (a whole day and an exact time), RDATE and UNTIL too.
	p.Activities[0].When.Exdates = []comms.DateTime{{Date: comms.Date{Year: 2027, Month: 1, Day: 15}, DateOnly: true}}
	p.Activities[12].When.Exdates = []comms.DateTime{{Date: comms.Date{Year: 2026, Month: 4, Day: 6}, Hour: 9}}
	p.Activities[12].When.Rdates = []comms.DateTime{{Date: comms.Date{Year: 2026, Month: 4, Day: 8}, Hour: 9}}
	p.Activities[5].When.Until = comms.DateTime{Date: comms.Date{Year: 2027, Month: 12, Day: 31}, DateOnly: true}
	out := writeICS(t, p)
	checkLines(t, out)
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot parse the export: %v", err)
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Errorf("VERSION = %q", v)
	}
	var tzids []string
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			id, _ := c.Props.Text(ical.PropTimezoneID)
			tzids = append(tzids, id)
		}
	}
	if !slices.Equal(tzids, []string{"Europe/Berlin"}) {
		t.Errorf("VTIMEZONEs: %v", tzids)
	}
	berlin := loadLoc(t, "Europe/Berlin")
	events := cal.Events()
	var recurring []comms.Activity
	for _, a := range p.Activities {
		if a.When.Recurring() {
			recurring = append(recurring, a)
		}
	}
	if len(events) != len(recurring) {
		t.Fatalf("got %d events, want %d", len(events), len(recurring))
	}
	for i, ev := range events {
		a := recurring[i]
		uid, _ := ev.Props.Text(ical.PropUID)
		if uid != a.ID+".starter@example.org" {
			t.Errorf("UID = %q", uid)
		}
		if s, _ := ev.Props.Text(ical.PropSummary); s != a.Name {
			t.Errorf("SUMMARY = %q, want %q", s, a.Name)
		}
		if c, _ := ev.Props.Text(ical.PropCategories); c != string(a.What.Topic) {
			t.Errorf("CATEGORIES = %q", c)
		}
		desc, _ := ev.Props.Text(ical.PropDescription)
		for _, want := range []string{"What: " + a.What.Message, "With whom: ", "How: ", "Who: "} {
			if !strings.Contains(desc, want) {
				t.Errorf("%s: DESCRIPTION lacks %q: %q", a.ID, want, desc)
			}
		}
		if ev.Props.Get(ical.PropDateTimeStamp) == nil || ev.Props.Get(ical.PropDuration) == nil {
			t.Errorf("%s: DTSTAMP or DURATION missing", a.ID)
		}
		var alarms int
		for _, c := range ev.Children {
			if c.Name == ical.CompAlarm {
				alarms++
				if tr := c.Props.Get(ical.PropTrigger); tr == nil || tr.Value != "-P1D" {
					t.Errorf("alarm trigger %v", tr)
				}
			}
		}
		if alarms != 1 {
			t.Errorf("%s: %d alarms", a.ID, alarms)
		}
		start := ev.Props.Get(ical.PropDateTimeStart)
		if start.Params.Get(ical.ParamTimezoneID) != "Europe/Berlin" {
			t.Errorf("DTSTART params %v", start.Params)
		}

		// Occurrences: the parsed file through rrule-go, against ours.
		dtstart, err := start.DateTime(berlin)
		if err != nil {
			t.Fatal(err)
		}
		ro, err := ev.Props.RecurrenceRule()
		if err != nil {
			t.Fatalf("%s: RRULE: %v", a.ID, err)
		}
		ro.Dtstart = dtstart
		rr, err := rrule.NewRRule(*ro)
		if err != nil {
			t.Fatal(err)
		}
		var set rrule.Set
		set.RRule(rr)
		for _, name := range []string{ical.PropExceptionDates, ical.PropRecurrenceDates} {
			for _, prop := range ev.Props.Values(name) {
				for _, v := range strings.Split(prop.Value, ",") {
					at, err := time.ParseInLocation("20060102T150405", v, berlin)
					if err != nil {
						t.Fatalf("%s %s %q: %v", a.ID, name, v, err)
					}
					if name == ical.PropExceptionDates {
						set.ExDate(at)
					} else {
						set.RDate(at)
					}
				}
			}
		}
		from, to := dtstart, dtstart.AddDate(3, 0, 0)
		theirs := set.Between(from, to.Add(-time.Second), true) // rrule-go's bounds are inclusive
		rule, err := schedule.ActivityRule(p, a)
		if err != nil {
			t.Fatal(err)
		}
		ours := slices.Collect(rule.Between(from, to))
		if !slices.EqualFunc(ours, theirs, time.Time.Equal) || len(ours) == 0 {
			t.Errorf("%s: occurrences differ:\n ours   %v\n theirs %v", a.ID, ours, theirs)
		}
	}
}

func TestICSEscapingAndFolding(t *testing.T) {
	p := matrix.Starter()
	p.Activities = p.Activities[:1]
	a := &p.Activities[0]
	a.Name = "Policy; review, \"quoted\" \\ back-slash — ünïcödé 🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐"
	a.What.Message = "Line one\r\nline two\rline three\nbell\a and tab\t" + strings.Repeat("é", 200)
	out := writeICS(t, p)
	checkLines(t, out)
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	ev := cal.Events()[0]
	if s, _ := ev.Props.Text(ical.PropSummary); s != a.Name {
		t.Errorf("SUMMARY round trip:\n got %q\nwant %q", s, a.Name)
	}
	desc, _ := ev.Props.Text(ical.PropDescription)
	if !strings.Contains(desc, "Line one\nline two\nline three\nbell and tab\t"+strings.Repeat("é", 200)) {
		t.Errorf("DESCRIPTION round trip: %q", desc)
	}
}

func TestICSDateOnlyAndUTC(t *testing.T) {
	p := comms.Plan{ID: "p", Activities: []comms.Activity{
		{ID: "a", Name: "All day", When: comms.Timing{RRule: "FREQ=MONTHLY;BYMONTHDAY=-1", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 31}, DateOnly: true}, Until: comms.DateTime{Date: comms.Date{Year: 2026, Month: 6, Day: 30}, DateOnly: true}}},
		{ID: "b", Name: "Triggered only", When: comms.Timing{Trigger: "incident.aware", Within: "72h"}},
	}}
	out := string(writeICS(t, p))
	for _, want := range []string{"DTSTART;VALUE=DATE:20260131\r\n", "RRULE:FREQ=MONTHLY;UNTIL=20260630;BYMONTHDAY=-1\r\n", "DURATION:P1D\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "VTIMEZONE") || strings.Contains(out, "Triggered only") {
		t.Errorf("a UTC plan needs no VTIMEZONE and triggered activities have no date:\n%s", out)
	}
}

// VTIMEZONE evaluated by the rules it states must give Go's offset at every
// hour boundary it covers, in zones with yearly rules, half-hour rules and
// none.
func TestVTimezone(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo", "America/Sao_Paulo", "Africa/Casablanca"} {
		t.Run(zone, func(t *testing.T) {
			p := comms.Plan{ID: "p", TimeZone: zone, Activities: []comms.Activity{{ID: "a",
				When: comms.Timing{RRule: "FREQ=YEARLY", Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 15}, Hour: 9}}}}}
			out := writeICS(t, p)
			checkLines(t, out)
			cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			loc := loadLoc(t, zone)
			type onset struct {
				at  time.Time
				off int
			}
			var onsets []onset
			for _, c := range cal.Children {
				if c.Name != ical.CompTimezone {
					continue
				}
				for _, ob := range c.Children {
					from := parseOffset(t, ob.Props.Get(ical.PropTimezoneOffsetFrom).Value)
					to := parseOffset(t, ob.Props.Get(ical.PropTimezoneOffsetTo).Value)
					text := "DTSTART:" + ob.Props.Get(ical.PropDateTimeStart).Value
					if r := ob.Props.Get(ical.PropRecurrenceRule); r != nil {
						text += "\nRRULE:" + r.Value
					}
					if r := ob.Props.Get(ical.PropRecurrenceDates); r != nil {
						text += "\nRDATE:" + r.Value
					}
					rule := mustParse(t, text) // floating: local time in the "from" offset
					for w := range rule.Between(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)) {
						onsets = append(onsets, onset{w.Add(-time.Duration(from) * time.Second), to})
					}
				}
			}
			slices.SortFunc(onsets, func(a, b onset) int { return a.at.Compare(b.at) })
			if len(onsets) == 0 {
				t.Fatal("no observances")
			}
			for at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2055; at = at.Add(time.Hour) {
				i, _ := slices.BinarySearchFunc(onsets, at, func(o onset, t time.Time) int {
					if o.at.After(t) {
						return 1
					}
					return -1
				})
				if i == 0 {
					t.Fatalf("%v is before every observance", at)
				}
				_, want := at.In(loc).Zone()
				if got := onsets[i-1].off; got != want {
					t.Fatalf("at %v the VTIMEZONE says offset %d, the tz database %d", at, got, want)
				}
			}
		})
	}
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	d := s[1:]
	h, m, sec := atoi(d[0:2]), atoi(d[2:4]), 0
	if len(d) == 6 {
		sec = atoi(d[4:6])
	}
	return sign * (h*3600 + m*60 + sec)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// FuzzWriteICS: whatever text a plan holds, the export parses back, keeps
// its lines within 75 octets, and the summary survives.
func FuzzWriteICS(f *testing.F) {
	f.Add("Policy", "The policy; and, why", "Acme \\ Co", "FREQ=YEARLY")
	f.Add("🔐"+strings.Repeat("x", 80), "a\r\nb\x00c", "", "FREQ=WEEKLY;BYDAY=MO,FR")
	f.Add(strings.Repeat("é", 100), "\"quoted\"", "Org:\n2", "FREQ=MONTHLY;BYDAY=-1FR")
	f.Fuzz(func(t *testing.T, name, message, org, rule string) {
		p := comms.Plan{ID: "p", Organization: org, TimeZone: "Europe/Berlin", Activities: []comms.Activity{{
			ID: "a", Name: name, What: comms.Message{Message: message},
			When: comms.Timing{RRule: rule, Start: comms.DateTime{Date: comms.Date{Year: 2026, Month: 1, Day: 5}, Hour: 9}},
		}}}
		if p.Validate() != nil {
			return
		}
		var buf bytes.Buffer
		if err := schedule.WriteICS(&buf, p, &schedule.ICSOptions{Stamp: stamp}); err != nil {
			t.Fatalf("WriteICS on a valid plan: %v", err)
		}
		checkLines(t, buf.Bytes())
		cal, err := ical.NewDecoder(&buf).Decode()
		if err != nil {
			t.Fatalf("the export does not parse: %v", err)
		}
		got, _ := cal.Events()[0].Props.Text(ical.PropSummary)
		want := strings.Map(func(r rune) rune {
			if r == '\r' {
				return '\n'
			}
			return r
		}, strings.ReplaceAll(strings.ToValidUTF8(name, "\uFFFD"), "\r\n", "\n"))
		want = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
				return -1
			}
			return r
		}, want)
		if name == "" {
			want = "a"
		}
		if got != want {
			t.Fatalf("SUMMARY: got %q, want %q", got, want)
		}
	})
}
