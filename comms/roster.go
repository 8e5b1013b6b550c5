package comms

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// Roster says who belongs to a plan's stakeholder groups, and since and
// until when: the people an activity must reach and who must acknowledge
// it. Rosters are personal data: they are never part of a plan file, and
// a store keeps them per tenant, every version (store.RosterStore).
// Import one from an HR export with [DecodeRosterCSV] or from an identity
// provider with [DecodeRosterSCIM].
//
// A Roster is a plain value: copying it shares its slices. It is safe for
// concurrent reads.
type Roster struct {
	// ID names the roster within its tenant ("staff", "contractors"): a
	// tenant may keep one roster per source it imports from. It follows
	// the rules of a plan's IDs.
	ID     string   `json:"id"`
	People []Person `json:"people,omitempty"`
	// AsOf is the day the roster's source said who belongs, for a roster
	// imported as a snapshot ([Roster.Carry] sets it); zero if unknown.
	AsOf Date `json:"as_of,omitzero"`
}

// Person is one member of a [Roster].
type Person struct {
	// ID is the person's stable identifier in the source (an employee
	// number, an identity provider's user ID): acknowledgements name it.
	// One line of text, at most [MaxPersonIDLen] bytes, without leading
	// or trailing space.
	ID string `json:"id"`
	// Name is the person's name, for reports.
	Name string `json:"name,omitempty"`
	// Email is the address reminders go to, if any: a bare address
	// (alice@example.com), unique within the roster ignoring case.
	Email string `json:"email,omitempty"`
	// Stakeholders lists the IDs of the plan's stakeholder groups the
	// person belongs to.
	Stakeholders []string `json:"stakeholders,omitempty"`
	// From is the first day the person belongs to the groups, Until the
	// last (both inclusive); zero is open.
	From  Date `json:"from,omitzero"`
	Until Date `json:"until,omitzero"`
}

// MaxPersonIDLen is the longest person ID a roster holds, in bytes (what
// store.MaxIDLen allows for every ID a store keeps).
const MaxPersonIDLen = 256

// maxPersonGroups bounds the stakeholder groups of one person.
const maxPersonGroups = 256

// maxPersonText bounds a person's name and e-mail address, in bytes.
const maxPersonText = 1024

// Active reports whether p belongs to the roster's groups on day d.
func (p Person) Active(d Date) bool {
	return (p.From.IsZero() || !d.Before(p.From)) && (p.Until.IsZero() || !d.After(p.Until))
}

// In reports whether p lists the stakeholder group with the given ID.
func (p Person) In(stakeholder string) bool {
	for _, s := range p.Stakeholders {
		if s == stakeholder {
			return true
		}
	}
	return false
}

// Count returns how many people of r belong to the stakeholder group on
// the day of at, in at's location (pass at.In(plan's location) for the
// plan's calendar day).
func (r Roster) Count(stakeholder string, at time.Time) int {
	d, n := DateOf(at), 0
	for _, p := range r.People {
		if p.Active(d) && p.In(stakeholder) {
			n++
		}
	}
	return n
}

// Counts returns, in one pass over r, how many people belong to each
// stakeholder group on the day of at (in at's location). A group that no
// active person lists is absent.
func (r Roster) Counts(at time.Time) map[string]int {
	d, out := DateOf(at), map[string]int{}
	for _, p := range r.People {
		if p.Active(d) {
			for _, s := range p.Stakeholders {
				out[s]++
			}
		}
	}
	return out
}

// Covers reports whether r holds the members of the stakeholder group:
// whether any person of r, on any day, lists it.
func (r Roster) Covers(stakeholder string) bool {
	for _, p := range r.People {
		if p.In(stakeholder) {
			return true
		}
	}
	return false
}

// Size is a stakeholder group's size on the day of at: the roster's count
// where the roster covers the group ([Roster.Covers]), fromRoster true;
// otherwise the plan's declared [Stakeholder.Size]. A roster that covers
// a group is its truth: a group whose members have all left has size 0,
// not the figure the plan once declared.
func (r Roster) Size(s Stakeholder, at time.Time) (n int, fromRoster bool) {
	if r.Covers(s.ID) {
		return r.Count(s.ID, at), true
	}
	return s.Size, false
}

// Person returns the person with the given ID.
func (r Roster) Person(id string) (Person, bool) {
	return find(r.People, id, func(p Person) string { return p.ID })
}

// RosterError reports every problem found in a roster or its source (a
// CSV or SCIM file, a group mapping), not only the first: each [Problem]
// with its path (people[3].email, Resources[2].emails[0].value) and,
// where the roster came from a text file, its line and column. Its
// listing is [PlanError]'s.
type RosterError struct {
	// File is the name of the file, if known.
	File     string
	Problems []Problem
}

func (e *RosterError) Error() string {
	return (&PlanError{File: e.File, Problems: e.Problems}).Error()
}

// Validate checks the roster and returns a *[RosterError] listing every
// problem (at most [MaxProblems]), or nil: a roster ID that is not a valid
// ID; a person without an ID, or with one that another person has, or
// that is longer than [MaxPersonIDLen] bytes; an e-mail address that is
// not a bare address, or that another person has (ignoring case); a
// stakeholder ID that is not an ID or is listed twice and, when p is not
// nil, one that p does not declare; an Until before From; a date that is
// not of the calendar; and text that is not UTF-8 or holds a control or
// bidirectional formatting character (every field is one line).
func (r Roster) Validate(p *Plan) error {
	var probs problems
	r.check(&probs, p)
	if len(probs.list) == 0 && probs.more == 0 {
		return nil
	}
	return &RosterError{Problems: probs.sorted()}
}

// check adds the roster's problems to probs.
func (r Roster) check(probs *problems, plan *Plan) {
	add := func(path, format string, args ...any) {
		if !probs.room() {
			probs.more++
			return
		}
		probs.add(Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case r.ID == "":
		add("id", "missing: the roster needs an id")
	case !validID(r.ID):
		add("id", "%s is not a valid id: use letters, digits, '-', '_' and '.', starting with a letter or digit", quoteValue(r.ID))
	}
	var declared map[string]bool
	if plan != nil {
		declared = make(map[string]bool, len(plan.Stakeholders))
		for _, s := range plan.Stakeholders {
			declared[s.ID] = true
		}
	}
	ids := make(map[string]int, len(r.People))
	emails := make(map[string]int, len(r.People))
	for i, p := range r.People {
		path := idx("people", i)
		if textProblem(p.ID) != "" {
			add(path+".id", "%s", textProblem(p.ID))
		} else {
			switch {
			case p.ID == "":
				add(path+".id", "missing: every person needs an id")
			case len(p.ID) > MaxPersonIDLen:
				add(path+".id", "is %d bytes, over the limit of %d", len(p.ID), MaxPersonIDLen)
			case strings.TrimSpace(p.ID) != p.ID:
				add(path+".id", "%s has a leading or trailing space", quoteValue(p.ID))
			default:
				if j, dup := ids[p.ID]; dup {
					add(path+".id", "duplicate id %s (also %s)", quoteValue(p.ID), idx("people", j))
				} else {
					ids[p.ID] = i
				}
			}
		}
		if msg := textProblem(p.Name); msg != "" {
			add(path+".name", "%s", msg)
		} else if len(p.Name) > maxPersonText {
			add(path+".name", "is %d bytes, over the limit of %d", len(p.Name), maxPersonText)
		}
		if msg := textProblem(p.Email); msg != "" {
			add(path+".email", "%s", msg)
		} else if p.Email != "" {
			if msg := emailProblem(p.Email); msg != "" {
				add(path+".email", "%s", msg)
			} else if j, dup := emails[strings.ToLower(p.Email)]; dup {
				add(path+".email", "duplicate e-mail address %s (also %s)", quoteValue(p.Email), idx("people", j))
			} else {
				emails[strings.ToLower(p.Email)] = i
			}
		}
		groups := p.Stakeholders
		if len(groups) > maxPersonGroups {
			add(path+".stakeholders", "%d stakeholder groups; a person belongs to at most %d", len(groups), maxPersonGroups)
			groups = nil
		}
		for j, s := range groups {
			spath := idx(path+".stakeholders", j)
			switch {
			case !validID(s):
				add(spath, "%s is not a stakeholder id", quoteValue(s))
			case declared != nil && !declared[s]:
				add(spath, "stakeholder %s is not declared in the plan's stakeholders", quoteValue(s))
			case indexOf(groups[:j], s) >= 0:
				add(spath, "stakeholder %s is listed twice", quoteValue(s))
			}
		}
		fromOK, untilOK := true, true
		for _, f := range []struct {
			name string
			d    Date
			ok   *bool
		}{{"from", p.From, &fromOK}, {"until", p.Until, &untilOK}} {
			if !f.d.IsZero() {
				if msg := dateProblem(f.d); msg != "" {
					add(path+"."+f.name, "%04d-%02d-%02d is not a date: %s", f.d.Year, int(f.d.Month), f.d.Day, msg)
					*f.ok = false
				}
			}
		}
		if fromOK && untilOK && !p.From.IsZero() && !p.Until.IsZero() && p.Until.Before(p.From) {
			add(path+".until", "until %s is before from %s", p.Until, p.From)
		}
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// textProblem says why s cannot be one line of a roster's text, or "".
func textProblem(s string) string {
	i := safetext.Index(s, true)
	if i < 0 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	what := fmt.Sprintf("the character %U (%s)", r, safetext.Line(string(r)))
	switch {
	case r == utf8.RuneError:
		what = fmt.Sprintf("the byte 0x%02x (not UTF-8)", s[i])
	case r == '\n':
		what = "a line break"
	case r == '\t':
		what = "a tab"
	}
	return fmt.Sprintf("%s at character %d is not allowed: this field is one line of text", what, utf8.RuneCountInString(s[:i])+1)
}

// emailProblem says why s is not a bare e-mail address, or "".
func emailProblem(s string) string {
	if len(s) > 254 {
		return fmt.Sprintf("is %d bytes; an e-mail address has at most 254", len(s))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Sprintf("%s is not an e-mail address: write it bare, as alice@example.com", quoteValue(s))
	}
	return ""
}
