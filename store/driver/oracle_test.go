package driver

// The decoder of the release before issue 18 (whose record strings were
// each a copy, and whose times time.Parse read), kept as the oracle the
// faster one is checked against: both accept the same bodies and decode
// them to the same records.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
)

func oldOpenRecord(tenant string, body []byte) (comms.Record, error) {
	d := oldDecoder{b: body}
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
	if r.Occurrence, err = oldParseTime(occurrence); err != nil {
		return comms.Record{}, err
	}
	if r.SentAt, err = oldParseTime(sent); err != nil {
		return comms.Record{}, err
	}
	if r.RecordedAt, err = oldParseTime(recorded); err != nil {
		return comms.Record{}, err
	}
	if r.HandledAt, err = oldParseTime(handled); err != nil {
		return comms.Record{}, err
	}
	sum := sha256.Sum256(body)
	r.Hash = hex.EncodeToString(sum[:])
	return r, nil
}

// oldDecoder reads the canonical encoding: a JSON array of strings,
// integers and one array of strings, with no whitespace. It is a small
// hand-written parser because listing records decodes every one of them;
// it accepts exactly what encode writes (and any valid JSON spelling of the
// same values) and fails on anything else.
type oldDecoder struct {
	b     []byte
	i     int
	err   error
	first bool // no comma before the next element
}

func (d *oldDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: %s", d.i, fmt.Sprintf(format, args...))
	}
}

func (d *oldDecoder) open(c byte) {
	if d.err == nil && (d.i >= len(d.b) || d.b[d.i] != c) {
		d.fail("expected %q", c)
		return
	}
	d.i++
	d.first = true
}

func (d *oldDecoder) close(c byte) {
	if d.err == nil && (d.i >= len(d.b) || d.b[d.i] != c) {
		d.fail("expected %q", c)
		return
	}
	d.i++
	d.first = false
}

// sep consumes the comma before an element.
func (d *oldDecoder) sep() {
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

func (d *oldDecoder) num(dst *int64) {
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
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
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

func (d *oldDecoder) int(dst *int) {
	var n int64
	d.num(&n)
	if n < math.MinInt32 || n > math.MaxInt32 {
		d.fail("integer out of range")
	}
	*dst = int(n)
}

func (d *oldDecoder) strs(dst *[]string) {
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

func (d *oldDecoder) str(dst *string) {
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
	for d.i < len(d.b) && d.b[d.i] != '"' && d.b[d.i] != '\\' && d.b[d.i] >= 0x20 {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '"' {
		if !utf8.Valid(d.b[start:d.i]) {
			d.fail("invalid UTF-8")
			return
		}
		*dst = string(d.b[start:d.i])
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
	if err := json.Unmarshal(d.b[start-1:d.i], dst); err != nil {
		d.fail("bad string: %v", err)
	}
}

func oldParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("record time %q: %w", s, err)
	}
	return t, nil
}
