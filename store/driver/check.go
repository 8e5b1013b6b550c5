package driver

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// invalid wraps store.ErrInvalid with a message.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalid, fmt.Sprintf(format, args...))
}

// badTime reports a time outside the years 0001 to 9999 in UTC: the
// canonical encoding (and JSON) writes four-digit years, so a record sent
// in the year 10000 would be stored, then never read back, and its
// tenant's chain broken for good.
func badTime(t time.Time) bool {
	y := t.UTC().Year()
	return y < 1 || y > 9999
}

// badText reports a string that is not UTF-8 or holds control characters.
func badText(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// idProblem says what is wrong with an ID field, "" if nothing: at most
// store.MaxIDLen bytes of UTF-8, without NUL (which PostgreSQL's text
// cannot hold) or, if strict, any control character; empty only if
// mayBeEmpty. Other control characters in IDs are kept as given: a plan's
// IDs cannot hold them, and whoever prints an ID escapes them. It does
// not allocate for a good ID: every append checks several.
func idProblem(s string, mayBeEmpty, strict bool) string {
	switch {
	case s == "" && !mayBeEmpty:
		return "is empty"
	case len(s) > store.MaxIDLen:
		return fmt.Sprintf("is %d bytes, over the limit of %d", len(s), store.MaxIDLen)
	case strict && badText(s):
		return "holds invalid UTF-8 or control characters"
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		return "holds invalid UTF-8 or a NUL byte"
	}
	return ""
}

// CheckTenant returns a store.ErrInvalid error for a tenant ID that is
// empty, longer than store.MaxIDLen bytes, or not UTF-8 without control
// characters. Every method of a store calls it first.
func CheckTenant(tenant string) error {
	if p := idProblem(tenant, false, true); p != "" {
		return invalid("tenant ID %q %s", tenant, p)
	}
	return nil
}

// CheckPlan validates a plan for saving: a store.ErrInvalid error wrapping
// its *comms.PlanError, or nil. ([EncodePlan] calls it.)
func CheckPlan(p comms.Plan) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: plan %q: %w", store.ErrInvalid, p.ID, err)
	}
	return nil
}

// CheckEvent validates an event for saving: an ID and a kind, and a name
// and a time for each milestone; those IDs within store.MaxIDLen bytes
// without NUL, and all text valid UTF-8; comms.Event.Check, except that
// an event of kind drill naming neither exercises nor a scenario (one
// saved before that kind was reserved) is accepted.
func CheckEvent(e comms.Event) error {
	if p := idProblem(e.ID, false, false); p != "" {
		return invalid("event ID %q %s", e.ID, p)
	}
	// A drill says what it exercises; no other event does. An event of
	// kind drill naming neither what it exercises nor its scenario is one
	// saved before the kind was reserved for exercises (kinds were free
	// names): the store keeps accepting it, so that its milestones can
	// still be recorded. Readers take it for a drill of unknown scenario
	// (evidence.LegacyDrill), never for an incident; front ends that open
	// a new drill insist on both (comms.Event.Check).
	legacyDrill := e.IsDrill() && e.Exercises == "" && e.Scenario == ""
	if err := e.Check(); err != nil && !legacyDrill {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	if p := idProblem(e.Kind, false, false); p != "" {
		return invalid("event %s: kind %q %s", e.ID, e.Kind, p)
	}
	if !utf8.ValidString(e.Title) {
		return invalid("event %s: title %q is not valid UTF-8", e.ID, e.Title)
	}
	for k, v := range e.Labels {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return invalid("event %s: label %q: %q is not valid UTF-8", e.ID, k, v)
		}
	}
	for i, m := range e.Milestones {
		if p := idProblem(m.Name, false, false); p != "" {
			return invalid("event %s: name %q of milestone %d %s", e.ID, m.Name, i, p)
		}
		if m.At.IsZero() {
			return invalid("event %s: milestone %s has no time", e.ID, m.Name)
		}
		if badTime(m.At) {
			return invalid("event %s: milestone %s at %s is outside the years 0001 to 9999 UTC", e.ID, m.Name, m.At.UTC().Format(time.RFC3339))
		}
		if !utf8.ValidString(m.Note) {
			return invalid("event %s: note of milestone %s %q is not valid UTF-8", e.ID, m.Name, m.Note)
		}
	}
	return nil
}

// CheckRecord validates a record before it is appended: what the caller
// must set (SentAt; a reason for a waiver), what it must leave to the
// store (Seq, RecordedAt, PrevHash, Hash), its counts, and its IDs and
// text as store.Store's AppendRecord documents them, and the format's
// rules for the programme's fields: From, Score and HandledAt on feedback
// only; Drill (comms.Record.Drill) only on a record answering an event
// (EventID) and never on an acknowledgement, which is of a message
// version, not of an exercise. Whether Corrects names an existing record
// is for the store to check, against its log, and whether EventID names a
// drill for the checked append (evidence.AppendRecord).
func CheckRecord(r comms.Record) error {
	switch {
	case r.Seq != 0 || r.Hash != "" || r.PrevHash != "" || !r.RecordedAt.IsZero():
		return invalid("Seq, RecordedAt, PrevHash and Hash are assigned by the store; leave them zero")
	case r.SentAt.IsZero():
		return invalid("record has no SentAt")
	case badTime(r.SentAt):
		return invalid("record SentAt %s is outside the years 0001 to 9999 UTC, which the record encoding holds", r.SentAt.UTC().Format(time.RFC3339))
	case !r.Occurrence.IsZero() && badTime(r.Occurrence):
		return invalid("record Occurrence %s is outside the years 0001 to 9999 UTC, which the record encoding holds", r.Occurrence.UTC().Format(time.RFC3339))
	case r.Type != "" && r.Type != comms.RecordTypeSent && r.Type != comms.RecordTypeWaived && r.Type != comms.RecordTypeAck && r.Type != comms.RecordTypeFeedback:
		return invalid("unknown record type %q", r.Type)
	case !r.HandledAt.IsZero() && badTime(r.HandledAt):
		return invalid("record HandledAt %s is outside the years 0001 to 9999 UTC, which the record encoding holds", r.HandledAt.UTC().Format(time.RFC3339))
	case r.Score != nil && (*r.Score < 0 || *r.Score > math.MaxInt32):
		return invalid("record score %d is not on any scale (0 or more)", *r.Score)
	case r.Type == comms.RecordTypeFeedback && r.From == "":
		return invalid("a feedback record names the stakeholder it came from (From)")
	case r.Type != comms.RecordTypeFeedback && (r.From != "" || r.Score != nil || !r.HandledAt.IsZero()):
		return invalid("only a feedback record has From, Score or HandledAt")
	case r.Drill && r.Type == comms.RecordTypeAck:
		return invalid("an acknowledgement is of a message version, never part of a drill: it cannot be marked Drill")
	case r.Drill && r.EventID == "":
		return invalid("a drill record answers its drill: name the drill's event in EventID")
	case r.Type == comms.RecordTypeWaived && strings.TrimSpace(r.Note) == "":
		return invalid("a waiver record needs its reason in Note")
	case r.Reached < 0 || r.Acknowledged < 0:
		return invalid("negative reached or acknowledged count")
	case r.Reached > 0 && r.Acknowledged > r.Reached:
		return invalid("acknowledged (%d) exceeds reached (%d)", r.Acknowledged, r.Reached)
	case r.Corrects < 0 || r.PlanVersion < 0:
		return invalid("negative Corrects or PlanVersion")
	}
	for _, f := range [...]struct{ what, s string }{
		{"plan ID", r.PlanID}, {"activity ID", r.ActivityID}, {"event ID", r.EventID},
		{"channel", r.Channel}, {"sender role", r.SenderRole}, {"from", r.From},
	} {
		if p := idProblem(f.s, true, false); p != "" {
			return invalid("record %s %q %s", f.what, f.s, p)
		}
	}
	if p := idProblem(r.IdempotencyKey, true, true); p != "" {
		return invalid("record idempotency key %q %s", r.IdempotencyKey, p)
	}
	for i, a := range r.Audiences {
		if p := idProblem(a, true, false); p != "" {
			return invalid("record audience %d %q %s", i, a, p)
		}
	}
	if err := checkPeople(r); err != nil {
		return err
	}
	for _, f := range [...]struct{ what, s string }{
		{"sender", r.Sender}, {"subject", r.Subject}, {"digest", r.Digest}, {"note", r.Note},
	} {
		if !utf8.ValidString(f.s) {
			return invalid("record %s %q is not valid UTF-8", f.what, f.s)
		}
	}
	return nil
}

// checkPeople checks what a record says about people: an acknowledgement
// names its person, activity and message digest and nothing a delivery
// says; recipients are on sent records only, distinct, and as many as
// Reached where it is set.
func checkPeople(r comms.Record) error {
	if r.Type == comms.RecordTypeAck {
		switch {
		case r.PersonID == "":
			return invalid("an acknowledgement names the person who acknowledged (PersonID)")
		case r.PlanID == "":
			// A plan's activity: without it, an acknowledgement would
			// count for every plan with an activity of that ID.
			return invalid("an acknowledgement names the plan whose activity's message was acknowledged (PlanID)")
		case r.ActivityID == "":
			return invalid("an acknowledgement names the activity whose message was acknowledged")
		case r.Digest == "":
			return invalid("an acknowledgement names the message version acknowledged (Digest)")
		case len(r.Recipients) > 0 || r.Reached != 0 || r.Acknowledged != 0:
			return invalid("an acknowledgement is one person's: it has no recipients, reached or acknowledged counts")
		case !r.Occurrence.IsZero() || r.Corrects != 0:
			return invalid("an acknowledgement names a message version, not an occurrence, and corrects no record")
		}
		if p := idProblem(r.PersonID, false, true); p != "" {
			return invalid("record person ID %q %s", r.PersonID, p)
		}
		if p := idProblem(r.Evidence.Kind, true, true); p != "" {
			return invalid("record evidence kind %q %s", r.Evidence.Kind, p)
		}
		if len(r.Evidence.Ref) > store.MaxEvidenceRef || badText(r.Evidence.Ref) {
			return invalid("record evidence reference is over %d bytes or holds invalid UTF-8 or control characters", store.MaxEvidenceRef)
		}
		return nil
	}
	switch {
	case r.PersonID != "" || !r.Evidence.IsZero():
		return invalid("only an acknowledgement (type %q) names a person and evidence", comms.RecordTypeAck)
	case len(r.Recipients) == 0:
		return nil
	case r.Type == comms.RecordTypeWaived:
		return invalid("a waiver reached no one: it has no recipients")
	case len(r.Recipients) > store.MaxRecipients:
		return invalid("record names %d recipients, over the limit of %d", len(r.Recipients), store.MaxRecipients)
	case r.Reached != 0 && r.Reached != len(r.Recipients):
		return invalid("record reached %d people but names %d recipients", r.Reached, len(r.Recipients))
	}
	seen := make(map[string]struct{}, len(r.Recipients))
	for i, id := range r.Recipients {
		if p := idProblem(id, false, true); p != "" {
			return invalid("record recipient %d %q %s", i, id, p)
		}
		if _, dup := seen[id]; dup {
			return invalid("record recipient %d %q is named twice", i, id)
		}
		seen[id] = struct{}{}
	}
	return nil
}

// CheckCorrects checks, for a record to be appended as number next of its
// tenant's log, that its Corrects names an earlier record: a
// store.ErrInvalid error if not.
func CheckCorrects(r comms.Record, next int64) error {
	if r.Corrects != 0 && r.Corrects >= next {
		return invalid("record corrects record %d, which does not exist", r.Corrects)
	}
	return nil
}

// CheckRecordQuery validates a record query: After and Limit not
// negative.
func CheckRecordQuery(q store.RecordQuery) error {
	if q.After < 0 || q.Limit < 0 {
		return invalid("record query with a negative After (%d) or Limit (%d)", q.After, q.Limit)
	}
	return nil
}
