package driver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
)

// Record formats: the first element of a record's canonical encoding.
const (
	// RecordFormatV1 encodes a record without an idempotency key.
	RecordFormatV1 = "ismscomms/record/v1"
	// RecordFormatV2 encodes a record with an idempotency key: v1 with the
	// key as one more element.
	RecordFormatV2 = "ismscomms/record/v2"
	// RecordFormatV3 encodes a record that names people: recipients, a
	// person who acknowledged, or the evidence of an acknowledgement. It
	// is v2 (with the key, "" for none) followed by those fields.
	RecordFormatV3 = "ismscomms/record/v3"
	// RecordFormatV4 encodes a record of the programme's loop: feedback
	// received (from, score, handled_at) or a record made in a drill. It
	// is v3 (with the key and the people fields, empty for none) followed
	// by those fields.
	RecordFormatV4 = "ismscomms/record/v4"
)

// timeLayout is how the canonical encoding writes times: UTC, microseconds.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Seal completes a record for the log of tenant: it sets Seq, RecordedAt
// and PrevHash, normalises times to UTC microseconds (what every store can
// keep exactly) and an empty Type to "sent", and computes Hash. It returns
// the sealed record and its canonical encoding, which stores keep: the
// hash is over exactly those bytes.
//
// The canonical encoding is a JSON array, with no insignificant
// whitespace, of these values in this order:
//
//	format, tenant, seq, type, plan_id, plan_version,
//	activity_id, occurrence, event_id, sent_at, recorded_at, channel,
//	[audiences...], sender, sender_role, subject, digest, reached,
//	acknowledged, note, corrects, prev_hash
//
// and, for a record with an idempotency key, idempotency_key after
// prev_hash. format is [RecordFormatV1] for a record without a key and
// [RecordFormatV2] for one with a key: a record without a key is encoded
// (and hashed) exactly as before keys existed, so that logs written then
// verify unchanged, and every record has exactly one encoding.
//
// A record that names people (Recipients, PersonID or Evidence set) is
// encoded as [RecordFormatV3]: the v2 elements, idempotency_key always
// present ("" for none), then
//
//	[recipients...], person_id, evidence_kind, evidence_ref
//
// A record that names nobody is never encoded as v3, so every record
// written before v3 existed keeps its encoding and its hash.
//
// A record with any of From, Score, HandledAt or Drill set is encoded as
// [RecordFormatV4]: the v3 elements, then
//
//	from, score, handled_at, drill
//
// with score -1 for none (a scale starts at 0 or above) and drill 0 or 1.
// Every record without them keeps its v1, v2 or v3 encoding.
//
// Strings are escaped as RFC 8259 requires and as Go's encoding/json
// does without HTML escaping (which also escapes U+2028 and U+2029); numbers
// are integers; times are "2006-01-02T15:04:05.000000Z" in UTC, or "" when
// zero. Hash is the lower-case hex SHA-256 of the encoding; PrevHash is
// the previous record's Hash, "" for the first record. Because the tenant
// is part of the hash, a record cannot be moved to another tenant's log
// unnoticed.
//
// Seal does not validate r; [CheckRecord] does.
func Seal(tenant string, seq int64, prevHash string, recordedAt time.Time, r comms.Record) (comms.Record, []byte) {
	r.Seq = seq
	r.PrevHash = prevHash
	r.RecordedAt = norm(recordedAt)
	r.SentAt = norm(r.SentAt)
	r.Occurrence = norm(r.Occurrence)
	if r.Type == "" {
		r.Type = comms.RecordTypeSent
	}
	if len(r.Audiences) == 0 {
		r.Audiences = nil
	} else {
		r.Audiences = slices.Clone(r.Audiences) // shares no memory with the caller's record
	}
	if len(r.Recipients) == 0 {
		r.Recipients = nil
	} else {
		r.Recipients = slices.Clone(r.Recipients)
	}
	if r.Score != nil {
		score := *r.Score
		r.Score = &score
	}
	r.HandledAt = norm(r.HandledAt)
	body := encode(tenant, r)
	sum := sha256.Sum256(body)
	r.Hash = hex.EncodeToString(sum[:])
	return r, body
}

func norm(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func encode(tenant string, r comms.Record) []byte {
	audiences := r.Audiences
	if audiences == nil {
		audiences = []string{}
	}
	v4 := programme(r)
	v3 := namesPeople(r) || v4
	format := RecordFormatV1
	switch {
	case v4:
		format = RecordFormatV4
	case v3:
		format = RecordFormatV3
	case r.IdempotencyKey != "":
		format = RecordFormatV2
	}
	fields := []any{
		format, tenant, r.Seq, string(r.Type), r.PlanID, r.PlanVersion,
		r.ActivityID, timeText(r.Occurrence), r.EventID, timeText(r.SentAt), timeText(r.RecordedAt), r.Channel,
		audiences, r.Sender, r.SenderRole, r.Subject, r.Digest, r.Reached,
		r.Acknowledged, r.Note, r.Corrects, r.PrevHash,
	}
	if r.IdempotencyKey != "" || v3 {
		fields = append(fields, r.IdempotencyKey)
	}
	if v3 {
		recipients := r.Recipients
		if recipients == nil {
			recipients = []string{}
		}
		fields = append(fields, recipients, r.PersonID, r.Evidence.Kind, r.Evidence.Ref)
	}
	if v4 {
		score, drill := -1, 0
		if r.Score != nil {
			score = *r.Score
		}
		if r.Drill {
			drill = 1
		}
		fields = append(fields, r.From, score, timeText(r.HandledAt), drill)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fields); err != nil {
		panic("driver: encoding a record cannot fail: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// namesPeople reports whether r names people (and is encoded as
// [RecordFormatV3], or as v4 if it has programme fields too).
func namesPeople(r comms.Record) bool {
	return len(r.Recipients) > 0 || r.PersonID != "" || !r.Evidence.IsZero()
}

// programme reports whether r has a field of [RecordFormatV4].
func programme(r comms.Record) bool {
	return r.From != "" || r.Score != nil || !r.HandledAt.IsZero() || r.Drill
}

// OpenRecord decodes a canonical encoding made by [Seal] for tenant, in
// any format, and sets the record's Hash from it. It fails if the bytes
// are not such an encoding (a v2 encoding without a key is not: its record
// is encoded as v1; nor is a v3 encoding of a record that names nobody)
// or belong to another tenant.
func OpenRecord(tenant string, body []byte) (comms.Record, error) {
	r, err := decodeRecord(tenant, string(body))
	if err != nil {
		return comms.Record{}, err
	}
	sum := sha256.Sum256(body)
	r.Hash = hex.EncodeToString(sum[:])
	return r, nil
}

// decodeRecord is [OpenRecord] without the hash: it decodes body, a
// canonical encoding, for tenant. Every string of the record it returns
// that the encoding holds without escapes is a substring of body, so that
// a record costs one copy of its encoding (string(body)) and no allocation
// per field.
func decodeRecord(tenant, body string) (comms.Record, error) {
	d := canonDecoder{b: body}
	var r comms.Record
	var format, owner, typ, occurrence, sent, recorded, handled string
	d.open('[')
	d.str(&format)
	if d.err == nil && format != RecordFormatV1 && format != RecordFormatV2 && format != RecordFormatV3 && format != RecordFormatV4 {
		if v, ok := strings.CutPrefix(format, "ismscomms/record/v"); ok && newerFormat(v) {
			return comms.Record{}, fmt.Errorf("record format %q is newer than this program reads (up to %s): the record was written by a later release; upgrade ismscomms to read it", format, RecordFormatV4)
		}
		return comms.Record{}, fmt.Errorf("unknown record format %q", format)
	}
	d.str(&owner)
	d.num(&r.Seq)
	d.str(&typ)
	d.str(&r.PlanID)
	d.int(&r.PlanVersion)
	d.str(&r.ActivityID)
	d.str(&occurrence)
	d.str(&r.EventID)
	d.str(&sent)
	d.str(&recorded)
	d.str(&r.Channel)
	d.strs(&r.Audiences)
	d.str(&r.Sender)
	d.str(&r.SenderRole)
	d.str(&r.Subject)
	d.str(&r.Digest)
	d.int(&r.Reached)
	d.int(&r.Acknowledged)
	d.str(&r.Note)
	d.num(&r.Corrects)
	d.str(&r.PrevHash)
	if format != RecordFormatV1 {
		d.str(&r.IdempotencyKey)
	}
	if format == RecordFormatV3 || format == RecordFormatV4 {
		d.strs(&r.Recipients)
		d.str(&r.PersonID)
		d.str(&r.Evidence.Kind)
		d.str(&r.Evidence.Ref)
	}
	if format == RecordFormatV4 {
		var score, drill int
		d.str(&r.From)
		d.int(&score)
		d.str(&handled)
		d.int(&drill)
		switch {
		case d.err != nil:
		case score < -1:
			d.fail("a score below -1 (none)")
		case drill != 0 && drill != 1:
			d.fail("drill is 0 or 1")
		}
		if score >= 0 {
			r.Score = &score
		}
		r.Drill = drill == 1
	}
	d.close(']')
	if d.err == nil && d.i != len(d.b) {
		d.fail("data after the record")
	}
	if d.err != nil {
		return comms.Record{}, fmt.Errorf("not a record encoding: %w", d.err)
	}
	if format == RecordFormatV2 && r.IdempotencyKey == "" {
		return comms.Record{}, fmt.Errorf("a %s encoding without an idempotency key (such a record is encoded as %s)", RecordFormatV2, RecordFormatV1)
	}
	if format == RecordFormatV3 && !namesPeople(r) {
		return comms.Record{}, fmt.Errorf("a %s encoding of a record that names no one (such a record is encoded as %s or %s)", RecordFormatV3, RecordFormatV1, RecordFormatV2)
	}
	if format == RecordFormatV4 && handled == "" && !programme(r) {
		return comms.Record{}, fmt.Errorf("a %s encoding of a record without feedback or drill fields (such a record is encoded as %s, %s or %s)", RecordFormatV4, RecordFormatV1, RecordFormatV2, RecordFormatV3)
	}
	if owner != tenant {
		return comms.Record{}, fmt.Errorf("record belongs to another tenant")
	}
	r.Type = comms.RecordType(typ)
	var err error
	if r.Occurrence, err = parseTime(occurrence, &d.lax); err != nil {
		return comms.Record{}, err
	}
	if r.SentAt, err = parseTime(sent, &d.lax); err != nil {
		return comms.Record{}, err
	}
	if r.RecordedAt, err = parseTime(recorded, &d.lax); err != nil {
		return comms.Record{}, err
	}
	if r.HandledAt, err = parseTime(handled, &d.lax); err != nil {
		return comms.Record{}, err
	}
	// A string with escapes, or a time spelled as time.Parse accepts but
	// the encoding does not write, may be another spelling of the same
	// values: such bytes are not the record's canonical encoding (which
	// the store always writes), though they decode to it. The record is
	// encoded again, which only such records cost, and must give body
	// back: the bytes a record is stored as are then always the leaf data
	// of its Merkle tree.
	if typ == "" {
		// Seal writes a record without a type as sent: "" is not what it
		// writes, though it would encode to itself.
		return comms.Record{}, errors.New(`not the canonical encoding of its content (an empty record type, which the store writes as "sent"): bytes the store did not write`)
	}
	if d.lax && string(encode(tenant, r)) != body {
		return comms.Record{}, errors.New("not the canonical encoding of its content (a string or a time spelled otherwise than the store writes it): bytes the store did not write")
	}
	return r, nil
}

// canonDecoder reads the canonical encoding: a JSON array of strings,
// integers and one array of strings, with no whitespace. It is a small
// hand-written parser because listing records decodes every one of them;
// it accepts exactly what encode writes (and any valid JSON spelling of the
// same values) and fails on anything else.
type canonDecoder struct {
	b     string
	i     int
	err   error
	first bool // no comma before the next element
	// lax is set once a string with escapes was read: JSON has more than
	// one spelling of such a string, and the encoding has one.
	lax bool
}

func (d *canonDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: %s", d.i, fmt.Sprintf(format, args...))
	}
}

func (d *canonDecoder) open(c byte) {
	if d.err == nil && (d.i >= len(d.b) || d.b[d.i] != c) {
		d.fail("expected %q", c)
		return
	}
	d.i++
	d.first = true
}

func (d *canonDecoder) close(c byte) {
	if d.err == nil && (d.i >= len(d.b) || d.b[d.i] != c) {
		d.fail("expected %q", c)
		return
	}
	d.i++
	d.first = false
}

// sep consumes the comma before an element.
func (d *canonDecoder) sep() {
	if d.err != nil {
		return
	}
	if !d.first {
		if d.i >= len(d.b) || d.b[d.i] != ',' {
			d.fail("expected ','")
			return
		}
		d.i++
	}
	d.first = false
}

func (d *canonDecoder) num(dst *int64) {
	d.sep()
	if d.err != nil {
		return
	}
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	n, err := strconv.ParseInt(d.b[start:d.i], 10, 64)
	if err != nil {
		d.fail("expected an integer")
		return
	}
	// One spelling per number, as the encoder writes it: JSON has no
	// leading zero, and -0 is 0. A body spelling a number otherwise
	// would decode to a record it is not the encoding of.
	if d.i-digits > 1 && d.b[digits] == '0' || n == 0 && digits > start {
		d.i = start
		d.fail("a number not spelled canonically (a leading zero or -0)")
		return
	}
	*dst = n
}

func (d *canonDecoder) int(dst *int) {
	var n int64
	d.num(&n)
	if n < math.MinInt32 || n > math.MaxInt32 {
		d.fail("integer out of range")
	}
	*dst = int(n)
}

func (d *canonDecoder) strs(dst *[]string) {
	d.sep()
	d.open('[')
	var out []string
	for d.err == nil && d.i < len(d.b) && d.b[d.i] != ']' {
		var s string
		d.str(&s)
		out = append(out, s)
	}
	d.close(']')
	*dst = out
}

func (d *canonDecoder) str(dst *string) {
	d.sep()
	if d.err != nil {
		return
	}
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		d.fail("expected a string")
		return
	}
	d.i++
	start := d.i
	// The common case: no escapes.
	var ascii bool
	d.i, ascii = plainEnd(d.b, d.i)
	if d.i < len(d.b) && d.b[d.i] == '"' {
		if !ascii && !utf8.ValidString(d.b[start:d.i]) {
			d.fail("invalid UTF-8")
			return
		}
		*dst = d.b[start:d.i] // a substring: no copy
		d.i++
		return
	}
	// Escapes: find the end, then let encoding/json unquote.
	for d.i < len(d.b) && d.b[d.i] != '"' {
		if d.b[d.i] == '\\' {
			d.i++
		}
		d.i++
	}
	if d.i >= len(d.b) {
		d.fail("unterminated string")
		return
	}
	d.i++
	d.lax = true
	var unquoted string // declared here, so that only a string with escapes costs an allocation for it
	if err := json.Unmarshal([]byte(d.b[start-1:d.i]), &unquoted); err != nil {
		d.fail("bad string: %v", err)
		return
	}
	*dst = unquoted
}

// plainEnd returns the index, from i, of the first byte of s that ends
// the plain part of a JSON string: a quote, a backslash or a control
// character (below 0x20); len(s) if none. ascii reports whether the bytes
// before it are all ASCII (below 0x80), which need no UTF-8 check. It
// reads eight bytes at a time while they are plain ASCII: every field of
// every record goes through it.
func plainEnd(s string, i int) (end int, ascii bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ascii = true
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		quote, backslash := w^(ones*'"'), w^(ones*'\\')
		// A byte below 0x20, a zero byte of quote or backslash (a quote
		// or a backslash in w), or a high bit: not a plain ASCII word.
		if (w-ones*0x20)&^w&highs|(quote-ones)&^quote&highs|(backslash-ones)&^backslash&highs|w&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c < 0x20:
			return i, ascii
		case c >= 0x80:
			ascii = false
		}
	}
	return i, ascii
}

// parseTime parses a time of the encoding ("": the zero time), setting
// *lax if s is not spelled as the encoding writes times: the encoding
// writes the zero time as "", never as a time of day on 1 January of year
// 1.
func parseTime(s string, lax *bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, ok := parseCanonicalTime(s); ok {
		if t.IsZero() {
			*lax = true
		}
		return t, nil
	}
	*lax = true
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("record time %q: %w", s, err)
	}
	return t, nil
}

// newerFormat reports whether v, the version of a record format named
// "ismscomms/record/v<v>", is a number above the newest this package
// reads.
func newerFormat(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n > 4 && v[0] != '0'
}

// parseCanonicalTime parses s if it is a time exactly as the canonical
// encoding writes it ("2006-01-02T15:04:05.000000Z": every digit there,
// each field in range), to the time time.Parse(timeLayout, s) returns. It
// returns false for anything else, which time.Parse then decides: it
// accepts a few other spellings (a one-digit hour, a comma before the
// fraction), and names the problem of a bad one. It is parseTime's fast
// path: every record holds two or three times.
func parseCanonicalTime(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				ok = false
				return 0
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec, micro := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if !ok || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, micro*1000, time.UTC), true
}

// daysIn is the number of days of month in year, as time.Parse counts
// them (the proleptic Gregorian calendar, year 0 a leap year).
func daysIn(month time.Month, year int) int {
	if month == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int(month-1)%7%2
}
