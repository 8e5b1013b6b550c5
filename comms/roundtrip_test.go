package comms_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// starterPlan is the example starter plan, decoded.
func starterPlan(t testing.TB) comms.Plan {
	t.Helper()
	p, err := comms.LoadPlan("../examples/plans/starter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestValidateDates: a plan built in Go with a date the calendar lacks, a
// time off the clock or a number a plan file cannot hold is refused by
// Validate, naming the field; before, such a plan was saved, and its
// stored form could never be read back (the review's D10). Each case is
// also one that the decoders refuse in the form the encoders write, which
// is why Validate must refuse it.
func TestValidateDates(t *testing.T) {
	d := func(y, m, day int) comms.Date { return comms.Date{Year: y, Month: time.Month(m), Day: day} }
	cases := []struct {
		name string
		edit func(p *comms.Plan)
		path string
		want string
	}{
		{"approved 2026-02-30", func(p *comms.Plan) { p.Approved = &comms.Approval{By: "iso", Date: d(2026, 2, 30)} }, "approved.date", "day 30 is not a day of February 2026 (1 to 28)"},
		{"approved in year 10000", func(p *comms.Plan) { p.Approved = &comms.Approval{Date: d(10000, 1, 1)} }, "approved.date", "year 10000 is out of range"},
		{"approved in month 0", func(p *comms.Plan) { p.Approved = &comms.Approval{Date: d(2026, 0, 1)} }, "approved.date", "month 0 is not a month"},
		{"holiday 2026-02-30", func(p *comms.Plan) {
			p.Calendars = append(p.Calendars, comms.Calendar{ID: "c", Holidays: []comms.Date{d(2026, 12, 25), d(2026, 2, 30)}})
		}, "calendars[0].holidays[1]", "day 30 is not a day of February 2026"},
		{"waiver until month 13", func(p *comms.Plan) {
			p.Waivers = append(p.Waivers, comms.Waiver{Rule: "CRISIS", Reason: "r", Until: d(2026, 13, 1)})
		}, "waivers[0].until", "month 13 is not a month"},
		{"start at hour 25", func(p *comms.Plan) { p.Activities[0].When.Start.Hour = 25 }, "activities[0].when.start", "hour 25 is not an hour"},
		{"start in year -5", func(p *comms.Plan) { p.Activities[0].When.Start.Year = -5 }, "activities[0].when.start", "year -5 is out of range"},
		{"until at second 61", func(p *comms.Plan) {
			p.Activities[0].When.Until = comms.DateTime{Date: d(2030, 1, 1), Second: 61}
		}, "activities[0].when.until", "second 61 is not a second"},
		{"minute 60 in an exdate", func(p *comms.Plan) {
			p.Activities[0].When.Exdates = []comms.DateTime{{Date: d(2027, 1, 15), Hour: 9, Minute: 60}}
		}, "activities[0].when.exdates[0]", "minute 60 is not a minute"},
		{"a date alone with an hour", func(p *comms.Plan) {
			p.Activities[0].When.Exdates = []comms.DateTime{{Date: d(2027, 1, 15), Hour: 9, DateOnly: true}}
		}, "activities[0].when.exdates[0]", "marked as a date alone (DateOnly) but has a time of day"},
		{"an rdate with a time and no date", func(p *comms.Plan) {
			p.Activities[0].When.Rdates = []comms.DateTime{{Hour: 9}}
		}, "activities[0].when.rdates[0]", "a time of day but no date"},
		{"a date alone with no date", func(p *comms.Plan) {
			p.Activities[0].When.Until = comms.DateTime{DateOnly: true}
		}, "activities[0].when.until", "a time of day but no date"},
		{"a stakeholder of 2^40 people", func(p *comms.Plan) { p.Stakeholders[0].Size = 1 << 40 }, "stakeholders[0].size", "1099511627776 is more than 2147483648"},
		{"a stakeholder of -1 people", func(p *comms.Plan) { p.Stakeholders[0].Size = -1 }, "stakeholders[0].size", "must not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := starterPlan(t)
			p.Activities[0].When.RRule, p.Activities[0].When.Start = "FREQ=YEARLY", comms.DateTime{Date: d(2026, 1, 15), Hour: 9}
			tc.edit(&p)
			err := p.Validate()
			var perr *comms.PlanError
			if !errors.As(err, &perr) {
				t.Fatalf("Validate accepted it (%v)", err)
			}
			found := false
			for _, prob := range perr.Problems {
				if prob.Path == tc.path && strings.Contains(prob.Message, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s saying %q:\n%v", tc.path, tc.want, err)
			}
			// What the encoders would write is not a plan the decoder
			// reads as this one.
			var buf bytes.Buffer
			if err := comms.EncodeJSON(&buf, p); err != nil {
				t.Fatal(err)
			}
			if q, err := comms.DecodePlan(&buf); err == nil && reflect.DeepEqual(normalized(p), normalized(q)) {
				t.Errorf("the decoder reads it back unchanged: Validate need not refuse it")
			}
		})
	}
}

// TestValidatedPlansRoundTrip: any plan Validate accepts is written by
// EncodeJSON and EncodeYAML as a file that DecodePlan reads back as the
// same plan (an empty list and none being the same). The plans are
// generated: IDs, names and texts drawn from a list of strings YAML and
// JSON treat specially ("yes", "null", "- a", "#", leading blanks, a
// byte order mark, line breaks), dates and times in and out of range,
// numbers in and out of range; about a third pass Validate.
func TestValidatedPlansRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 7))
	accepted := 0
	const n = 1500
	for i := range n {
		p := genPlan(r.IntN)
		if p.Validate() != nil {
			continue
		}
		accepted++
		roundTrip(t, p, "plan "+strconv.Itoa(i))
	}
	t.Logf("%d of %d generated plans passed Validate and round-tripped", accepted, n)
	if accepted < n/10 {
		t.Fatalf("only %d of %d generated plans are valid: the generator tests little", accepted, n)
	}
}

// FuzzValidatedPlanRoundTrip is TestValidatedPlansRoundTrip with the
// choices of the generator taken from the fuzzer's bytes.
func FuzzValidatedPlanRoundTrip(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		i := 0
		choose := func(n int) int {
			if i >= len(data) || n <= 0 {
				return 0
			}
			i++
			return int(data[i-1]) % n
		}
		p := genPlan(choose)
		if p.Validate() == nil {
			roundTrip(t, p, "")
		}
	})
}

func roundTrip(t *testing.T, p comms.Plan, name string) {
	t.Helper()
	for _, enc := range []struct {
		name string
		fn   func(*bytes.Buffer, comms.Plan) error
	}{
		{"EncodeJSON", func(b *bytes.Buffer, p comms.Plan) error { return comms.EncodeJSON(b, p) }},
		{"EncodeYAML", func(b *bytes.Buffer, p comms.Plan) error { return comms.EncodeYAML(b, p) }},
	} {
		var buf bytes.Buffer
		if err := enc.fn(&buf, p); err != nil {
			t.Fatalf("%s: %s of a valid plan: %v", name, enc.name, err)
		}
		text := buf.String()
		q, err := comms.DecodePlan(&buf)
		if err != nil {
			t.Fatalf("%s: Validate accepts the plan, but DecodePlan refuses what %s wrote: %v\n%s", name, enc.name, err, text)
		}
		if !reflect.DeepEqual(normalized(p), normalized(q)) {
			t.Fatalf("%s: the %s round trip changed the plan:\n got %#v\nwant %#v\n%s", name, enc.name, q, p, text)
		}
	}
}

// normalized returns p with every empty list made nil, recursively: the
// encoders omit an empty list, and a plan without it is the same plan.
func normalized(p comms.Plan) comms.Plan {
	v := reflect.New(reflect.TypeOf(p)).Elem()
	v.Set(reflect.ValueOf(p))
	normalize(v)
	return v.Interface().(comms.Plan)
}

func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			normalize(c.Index(i))
		}
		v.Set(c)
	case reflect.Pointer:
		if !v.IsNil() {
			e := reflect.New(v.Type().Elem())
			e.Elem().Set(v.Elem())
			normalize(e.Elem())
			v.Set(e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalize(v.Field(i))
			}
		}
	}
}

// tricky are strings that YAML or JSON writers must quote or escape, and
// some that Validate refuses.
var tricky = []string{
	"", "a", "yes", "no", "on", "off", "null", "Null", "~", "true", "False", "123", "-1", "0x1F", "0o17", "1e3", ".inf", "-.Inf", ".nan",
	"- a", "-", "? a", ": b", "a: b", "a:b", "#c", "a #c", "'q'", `"dq"`, "!tag", "!!str", "&a", "*a", "<<", "%YAML", "@x", "`x", "|", ">", "[a]", "{a: b}", ",",
	"  lead", "trail  ", " ", "\u00a0nbsp", "\ufeffbom", "x\ufeff", "Ünïcödé", "😀", "日本語", "2026-01-01", "2026-01-01T09:00", "12:30", "1_000",
	"multi\nline", "line\n", "\n", "\nlead", "a\n\nb", "tab\there", "\t", "a\r\nb", "a\rb", "trailing \n", " \n ", "---", "...", "--- a", "a\n---\nb",
	"\u202e", "\x1b[2J", "\xff", "\x00", "\u2028", "\x7f", "\u0085",
	strings.Repeat("long ", 40),
}

var ids = []string{"a", "b", "iso", "x-1", "a.b", "a_b", "A9", "s0", "c0", "r0"}

// genPlan generates a plan, making every choice with choose(n), which
// returns a number in [0, n).
func genPlan(choose func(int) int) comms.Plan {
	pick := func(list []string) string { return list[choose(len(list))] }
	oneIn := func(n int) bool { return choose(n) == 0 }
	text := func() string {
		if oneIn(3) {
			return pick(tricky)
		}
		return pick([]string{"", "Name", "Acme Corp", "Information Security Officer"})
	}
	id := func() string {
		if oneIn(15) {
			return pick(tricky)
		}
		return pick(ids)
	}
	number := func() int {
		switch choose(8) {
		case 0:
			return -1
		case 1:
			return 1 << 31
		case 2:
			return 1<<31 + 1
		case 3:
			return choose(1000)
		}
		return 0
	}
	date := func() comms.Date {
		switch choose(10) {
		case 0:
			return comms.Date{}
		case 1:
			return comms.Date{Year: pick2(choose, 0, 10000, -1, 1, 9999), Month: time.Month(choose(14)), Day: choose(33)}
		}
		return comms.Date{Year: 2020 + choose(10), Month: time.Month(1 + choose(12)), Day: 1 + choose(31)}
	}
	dateTime := func() comms.DateTime {
		dt := comms.DateTime{Date: date()}
		switch choose(4) {
		case 0:
			dt.DateOnly = true
			if oneIn(5) {
				dt.Hour = 9
			}
		case 1:
			dt.Hour, dt.Minute, dt.Second = choose(26), choose(62), choose(62)
		default:
			dt.Hour, dt.Minute = choose(24), choose(60)
		}
		return dt
	}
	list := func(max int, f func() string) []string {
		n := choose(max + 1)
		if n == 0 && oneIn(2) {
			return []string{}
		}
		out := make([]string, n)
		for i := range out {
			out[i] = f()
		}
		return out
	}
	p := comms.Plan{Format: pick([]string{"", comms.Format}), ID: id(), Organization: text()}
	if oneIn(3) {
		p.TimeZone = pick([]string{"UTC", "Europe/Berlin", "America/New_York"})
	}
	if oneIn(3) {
		p.Review = "FREQ=YEARLY"
	}
	if oneIn(3) {
		p.Approved = &comms.Approval{By: text(), Date: date()}
	}
	if oneIn(4) {
		p.Profiles = list(2, func() string { return pick([]string{"gdpr", "nis2"}) })
	}
	for i := range choose(3) {
		c := comms.Calendar{ID: "cal" + strconv.Itoa(i), Weekend: list(2, func() string { return pick([]string{"sa", "su"}) })}
		for range choose(3) {
			c.Holidays = append(c.Holidays, date())
		}
		p.Calendars = append(p.Calendars, c)
	}
	for i := range choose(3) {
		p.Roles = append(p.Roles, comms.Role{ID: "r" + strconv.Itoa(i), Name: text(), Contact: text()})
	}
	for i := range choose(3) {
		p.Stakeholders = append(p.Stakeholders, comms.Stakeholder{ID: "s" + strconv.Itoa(i), Name: text(),
			Scope: comms.Scope(pick([]string{"", "internal", "external"})), Kind: comms.StakeholderKind(pick([]string{"", "employees", "regulator"})), Size: number()})
	}
	requirements := 0
	for i := range choose(3) {
		p.Channels = append(p.Channels, comms.Channel{ID: "c" + strconv.Itoa(i), Name: text(), Kind: comms.ChannelKind(pick([]string{"", "email", "portal"})),
			Reach:             []comms.Scope{comms.Scope(pick([]string{"internal", "external"}))},
			MaxClassification: comms.Classification(pick([]string{"", "internal", "restricted"})), Inbound: oneIn(2)})
	}
	for i := range choose(4) {
		a := comms.Activity{ID: "a" + strconv.Itoa(i), Name: text(), Notes: text(),
			What: comms.Message{Topic: comms.Topic(pick([]string{"", "policy", "awareness"})), Message: text(), Classification: comms.Classification(pick([]string{"", "public", "internal"}))}}
		if len(p.Stakeholders) > 0 && !oneIn(3) {
			a.Whom = []string{p.Stakeholders[choose(len(p.Stakeholders))].ID}
		}
		if len(p.Channels) > 0 && !oneIn(3) {
			a.How = []string{p.Channels[choose(len(p.Channels))].ID}
		}
		if len(p.Roles) > 0 && !oneIn(3) {
			a.Owner = p.Roles[choose(len(p.Roles))].ID
		}
		if len(p.Calendars) > 0 && oneIn(3) {
			a.Calendar = p.Calendars[choose(len(p.Calendars))].ID
		}
		switch choose(3) {
		case 0:
			a.When = comms.Timing{RRule: pick([]string{"FREQ=YEARLY", "FREQ=MONTHLY;BYDAY=1MO", "FREQ=WEEKLY;COUNT=3"}), Start: dateTime()}
			if oneIn(3) {
				a.When.Until = dateTime()
			}
			for range choose(3) {
				a.When.Exdates = append(a.When.Exdates, dateTime())
			}
			for range choose(2) {
				a.When.Rdates = append(a.When.Rdates, dateTime())
			}
		case 1:
			a.When = comms.Timing{Trigger: "incident.aware", Within: pick([]string{"72h", "3bd", "1mo"})}
		}
		p.Activities = append(p.Activities, a)
	}
	for i := range p.Stakeholders {
		for range choose(2) {
			r := comms.Requirement{ID: "q" + strconv.Itoa(requirements), Text: text()}
			requirements++
			if len(p.Activities) > 0 && oneIn(2) {
				r.Activities = []string{p.Activities[choose(len(p.Activities))].ID}
			}
			p.Stakeholders[i].Requirements = append(p.Stakeholders[i].Requirements, r)
		}
	}
	if oneIn(3) {
		p.Feedback = &comms.Feedback{HandleWithin: pick([]string{"", "5bd", "72h"})}
		if oneIn(10) {
			p.Feedback.HandleWithin = "5 days"
		}
		if !oneIn(3) {
			p.Feedback.Scale = &comms.Scale{Min: pick2(choose, 0, 1), Max: pick2(choose, 5, 10)}
			if oneIn(10) {
				p.Feedback.Scale.Max = 101
			}
		}
	}
	for i := range choose(3) {
		o := comms.Objective{ID: "o" + strconv.Itoa(i), Statement: text(),
			Direction: comms.Direction(pick([]string{"", "at-least", "at-most"})), Period: comms.Period(pick([]string{"", "monthly", "yearly"}))}
		switch choose(4) {
		case 0:
			o.Measure, o.Target = comms.MeasureOnTimeRate, pick([]string{"95%", "100%", "99.5%", ""})
		case 1:
			o.Measure, o.Target = comms.MeasureFeedbackResponseTime, pick([]string{"5bd", "72h"})
		case 2:
			if p.Feedback != nil && p.Feedback.Scale != nil {
				o.Measure, o.Target = comms.MeasureSatisfaction, pick([]string{"4", "4.5", "5"})
			}
		}
		if oneIn(10) {
			o.Target = pick([]string{"100.5%", "4", "95"}) // wrong for most measures
		}
		if len(p.Stakeholders) > 0 && oneIn(2) {
			o.Scope.Stakeholder = p.Stakeholders[choose(len(p.Stakeholders))].ID
		}
		if oneIn(3) {
			o.Scope.Topic = comms.Topic(pick([]string{"policy", "drill", "media-inquiry"}))
		}
		p.Objectives = append(p.Objectives, o)
	}
	for range choose(3) {
		p.Waivers = append(p.Waivers, comms.Waiver{Rule: pick([]string{"CRISIS", "FEEDBACK"}), Subject: id(), Reason: text(), By: text(), Until: date()})
	}
	return p
}

func pick2(choose func(int) int, values ...int) int { return values[choose(len(values))] }
