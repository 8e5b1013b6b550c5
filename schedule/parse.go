package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/internal/recur"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/internal/zone"
)

// maxRuleText bounds the text Parse reads.
const maxRuleText = 1 << 20

// ParseError is a problem with rule text: the 1-based line it is on (0 for
// the text as a whole) and what is wrong.
type ParseError struct {
	Line int
	Msg  string
	Err  error // the underlying error, if any
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("schedule: line %d: %s", e.Line, e.Msg)
	}
	return "schedule: " + e.Msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrNoOccurrence is wrapped by errors from rules whose pattern matches no
// date at all (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30).
var ErrNoOccurrence = recur.ErrNoOccurrence

// Parse reads a rule from RFC 5545 content lines: one DTSTART (required),
// at most one RRULE, and any number of RDATE and EXDATE lines, each of
// which may list several comma-separated values:
//
//	DTSTART;TZID=Europe/Berlin:20260115T090000
//	RRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15
//	EXDATE;TZID=Europe/Berlin:20270115T090000
//
// DTSTART may carry a TZID, end in Z (UTC), be floating (read in UTC), or
// be a DATE (DTSTART;VALUE=DATE:20260101). Names are case-insensitive and
// folded lines are unfolded. A bare RRULE with no DTSTART is an error:
// without it the rule would silently start at the present moment.
//
// Rules recur at most daily (FREQ=HOURLY and finer are rejected); BYEASTER
// and other non-RFC parts are rejected; a rule that can never match a date
// is rejected with an error wrapping [ErrNoOccurrence].
func Parse(text string) (*Rule, error) {
	if len(text) > maxRuleText {
		return nil, &ParseError{Msg: fmt.Sprintf("rule text is longer than %d bytes", maxRuleText)}
	}
	b := builder{loc: time.UTC, form: formFloating}
	haveStart := false
	startLine := 0
	lines, err := unfold(text)
	if err != nil {
		return nil, err
	}
	for _, cl := range lines {
		n, line := cl.n, cl.text
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, params, val, err := contentLine(line)
		if err != nil {
			return nil, &ParseError{Line: n, Msg: err.Error()}
		}
		switch name {
		case "DTSTART":
			if haveStart {
				return nil, &ParseError{Line: n, Msg: "DTSTART appears more than once"}
			}
			haveStart, startLine = true, n
			vs, loc, err := values(params, val, nil, false)
			if err != nil {
				return nil, &ParseError{Line: n, Msg: "DTSTART: " + err.Error()}
			}
			if len(vs) != 1 {
				return nil, &ParseError{Line: n, Msg: "DTSTART takes one value"}
			}
			b.startW, b.form, b.loc = vs[0].w, vs[0].form, loc
		case "RRULE":
			if b.hasRule {
				return nil, &ParseError{Line: n, Msg: "more than one RRULE: RFC 5545 allows one"}
			}
			if len(params) > 0 {
				return nil, &ParseError{Line: n, Msg: "RRULE takes no parameters"}
			}
			rr, err := recur.ParseRRule(val)
			if err != nil {
				return nil, &ParseError{Line: n, Msg: "RRULE: " + err.Error(), Err: err}
			}
			b.rrule, b.hasRule = rr, true
		case "RDATE", "EXDATE":
			if !haveStart {
				return nil, &ParseError{Line: n, Msg: name + " before DTSTART: give DTSTART first"}
			}
			vs, _, err := values(params, val, b.loc, true)
			if err != nil {
				return nil, &ParseError{Line: n, Msg: name + ": " + err.Error()}
			}
			if name == "RDATE" {
				b.rdates = append(b.rdates, vs...)
			} else {
				b.exdates = append(b.exdates, vs...)
			}
			if len(b.rdates) > recur.MaxDates || len(b.exdates) > recur.MaxDates {
				return nil, &ParseError{Line: n, Msg: fmt.Sprintf("more than %d %s values", recur.MaxDates, name)}
			}
		default:
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("%s is not a recurrence property (DTSTART, RRULE, RDATE, EXDATE)", name)}
		}
	}
	if !haveStart {
		if b.hasRule {
			return nil, &ParseError{Msg: "missing DTSTART: an RRULE needs a start (such as DTSTART;TZID=Europe/Berlin:20260115T090000); without one it would start at the present moment"}
		}
		return nil, &ParseError{Msg: "missing DTSTART"}
	}
	if b.hasRule && b.rrule.Until.Present {
		u := b.rrule.Until
		switch {
		case b.form == formDate && !u.IsDate:
			return nil, &ParseError{Line: startLine, Msg: "UNTIL must be a DATE when DTSTART is a DATE (RFC 5545 §3.3.10)"}
		case b.form == formUTC && !u.IsUTC && !u.IsDate:
			return nil, &ParseError{Line: startLine, Msg: "UNTIL must be in UTC (ending in Z) when DTSTART is (RFC 5545 §3.3.10)"}
		}
	}
	r, err := b.build()
	if err != nil {
		return nil, &ParseError{Line: startLine, Msg: err.Error(), Err: err}
	}
	return r, nil
}

type numberedLine struct {
	n    int // 1-based number of the line the content line starts on
	text string
}

// unfold splits text into content lines, joining folded continuation lines
// (a line break followed by a space or tab, RFC 5545 §3.1), in time linear
// in the text however it is folded. It refuses control characters other
// than TAB (and the CR of a CRLF line end) and bidirectional formatting
// characters, naming the line and column of the first.
func unfold(text string) ([]numberedLine, error) {
	var lines []numberedLine
	cur, curN := "", 0         // the content line being read, and its line number
	var joined strings.Builder // cur and its continuations, once it has any
	folded := false
	flush := func() {
		if curN == 0 {
			return
		}
		if folded {
			cur, joined, folded = joined.String(), strings.Builder{}, false
		}
		lines = append(lines, numberedLine{n: curN, text: cur})
	}
	for n, rest := 1, text; ; n++ {
		l, more, found := strings.Cut(rest, "\n")
		l = strings.TrimSuffix(l, "\r")
		if i := safetext.Index(l, false); i >= 0 {
			r, _ := utf8.DecodeRuneInString(l[i:])
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("column %d: %s is not allowed in rule text", utf8.RuneCountInString(l[:i])+1, describeRune(l[i:], r))}
		}
		if curN > 0 && l != "" && (l[0] == ' ' || l[0] == '\t') {
			if !folded {
				joined.WriteString(cur)
				folded = true
			}
			joined.WriteString(l[1:])
		} else {
			flush()
			cur, curN = l, n
		}
		if !found {
			break
		}
		rest = more
	}
	flush()
	return lines, nil
}

// describeRune names the unsafe character r that s starts with.
func describeRune(s string, r rune) string {
	if r == utf8.RuneError {
		return fmt.Sprintf("the byte 0x%02x (not UTF-8)", s[0])
	}
	return fmt.Sprintf("the character %U (%s)", r, safetext.Escape(string(r)))
}

// contentLine splits "NAME;PARAM=V;PARAM=V:VALUE".
func contentLine(line string) (name string, params map[string]string, val string, err error) {
	line = strings.TrimRight(line, " \t")
	// The value starts at the first colon outside a quoted parameter value.
	inQuote := false
	colon := -1
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				colon = i
			}
		}
		if colon >= 0 {
			break
		}
	}
	if colon < 0 {
		if strings.HasPrefix(strings.ToUpper(line), "FREQ=") {
			return "", nil, "", errors.New("a bare FREQ=… line: write RRULE:FREQ=… after a DTSTART line")
		}
		return "", nil, "", fmt.Errorf("%q is not a content line (NAME:VALUE)", truncate(line))
	}
	head, val := line[:colon], line[colon+1:]
	parts := splitParams(head)
	name = strings.ToUpper(strings.TrimSpace(parts[0]))
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return "", nil, "", fmt.Errorf("parameter %q has no value", p)
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if strings.HasPrefix(k, "X-") {
			continue // experimental parameters carry nothing we use
		}
		if k != "TZID" && k != "VALUE" {
			return "", nil, "", fmt.Errorf("%s: parameter %s is not supported here", name, k)
		}
		if _, dup := params[k]; dup {
			return "", nil, "", fmt.Errorf("%s: parameter %s given twice", name, k)
		}
		params[k] = v
	}
	return name, params, val, nil
}

func splitParams(head string) []string {
	var out []string
	inQuote := false
	start := 0
	for i := 0; i < len(head); i++ {
		switch head[i] {
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				out = append(out, head[start:i])
				start = i + 1
			}
		}
	}
	return append(out, head[start:])
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// values parses the comma-separated DATE or DATE-TIME values of a property.
// When ruleLoc is not nil (RDATE, EXDATE), a value without TZID or Z is
// local to the rule's zone, as the rule's own times are.
func values(params map[string]string, val string, ruleLoc *time.Location, list bool) ([]value, *time.Location, error) {
	loc := time.UTC
	if ruleLoc != nil {
		loc = ruleLoc
	}
	tzid, hasTZ := params["TZID"]
	if hasTZ {
		l, err := zone.Load(tzid)
		if err != nil || tzid == "" {
			return nil, nil, fmt.Errorf("unknown time zone %q in TZID", tzid)
		}
		loc = l
	}
	kind := strings.ToUpper(params["VALUE"])
	switch kind {
	case "", "DATE-TIME", "DATE":
	case "PERIOD":
		return nil, nil, errors.New("PERIOD values are not supported; give DATE-TIME values")
	default:
		return nil, nil, fmt.Errorf("VALUE=%s is not a date type", kind)
	}
	raw := strings.Split(val, ",")
	if !list && len(raw) != 1 {
		return nil, nil, errors.New("takes one value")
	}
	out := make([]value, 0, len(raw))
	for _, s := range raw {
		s = strings.TrimSpace(s)
		w, isDate, isUTC, err := recur.ParseDateTime(s)
		if err != nil {
			return nil, nil, err
		}
		v := value{w: w}
		switch {
		case isDate && kind != "DATE":
			return nil, nil, fmt.Errorf("%q is a DATE: add VALUE=DATE", s)
		case !isDate && kind == "DATE":
			return nil, nil, fmt.Errorf("%q is not a DATE, yet VALUE=DATE is given", s)
		case isDate && hasTZ:
			return nil, nil, fmt.Errorf("a DATE takes no TZID")
		case isUTC && hasTZ:
			return nil, nil, fmt.Errorf("%q is in UTC (Z) and has a TZID: give one or the other", s)
		case isDate:
			v.form = formDate
		case isUTC:
			v.form = formUTC
		case hasTZ:
			v.form = formZoned
		case ruleLoc != nil:
			v.form = formZoned
		default:
			v.form = formFloating
		}
		if hasTZ && ruleLoc != nil && loc.String() != ruleLoc.String() && v.form == formZoned {
			// Another zone than the rule's: pin the instant as UTC.
			v = value{w: recur.Wall(resolve(loc, w).Unix()), form: formUTC}
		}
		out = append(out, v)
	}
	return out, loc, nil
}
