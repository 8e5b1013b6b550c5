package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
)

// RecordFormat tags the canonical encoding of a record; it is its first
// element.
const RecordFormat = "ismscomms/record/v1"

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
//	"ismscomms/record/v1", tenant, seq, type, plan_id, plan_version,
//	activity_id, occurrence, event_id, sent_at, recorded_at, channel,
//	[audiences...], sender, sender_role, subject, digest, reached,
//	acknowledged, note, corrects, prev_hash
//
// Strings are escaped as RFC 8259 requires and as Go's encoding/json
// does without HTML escaping (which also escapes U+2028 and U+2029); numbers
// are integers; times are "2006-01-02T15:04:05.000000Z" in UTC, or "" when
// zero. Hash is the lower-case hex SHA-256 of the encoding; PrevHash is
// the previous record's Hash, "" for the first record. Because the tenant
// is part of the hash, a record cannot be moved to another tenant's log
// unnoticed.
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
	}
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
	fields := []any{
		RecordFormat, tenant, r.Seq, string(r.Type), r.PlanID, r.PlanVersion,
		r.ActivityID, timeText(r.Occurrence), r.EventID, timeText(r.SentAt), timeText(r.RecordedAt), r.Channel,
		audiences, r.Sender, r.SenderRole, r.Subject, r.Digest, r.Reached,
		r.Acknowledged, r.Note, r.Corrects, r.PrevHash,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fields); err != nil {
		panic("store: encoding a record cannot fail: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// OpenRecord decodes a canonical encoding made by Seal for tenant and sets
// the record's Hash from it. It fails if the bytes are not such an encoding
// or belong to another tenant.
func OpenRecord(tenant string, body []byte) (comms.Record, error) {
	d := canonDecoder{b: body}
	var r comms.Record
	var format, owner, typ, occurrence, sent, recorded string
	d.open('[')
	d.str(&format)
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
	d.close(']')
	if d.err == nil && d.i != len(d.b) {
		d.fail("data after the record")
	}
	if d.err != nil {
		return comms.Record{}, fmt.Errorf("not a record encoding: %w", d.err)
	}
	if format != RecordFormat {
		return comms.Record{}, fmt.Errorf("unknown record format %q", format)
	}
	if owner != tenant {
		return comms.Record{}, fmt.Errorf("record belongs to another tenant")
	}
	r.Type = comms.RecordType(typ)
	var err error
	if r.Occurrence, err = parseTime(occurrence); err != nil {
		return comms.Record{}, err
	}
	if r.SentAt, err = parseTime(sent); err != nil {
		return comms.Record{}, err
	}
	if r.RecordedAt, err = parseTime(recorded); err != nil {
		return comms.Record{}, err
	}
	sum := sha256.Sum256(body)
	r.Hash = hex.EncodeToString(sum[:])
	return r, nil
}

// canonDecoder reads the canonical encoding: a JSON array of strings,
// integers and one array of strings, with no whitespace. It is a small
// hand-written parser because listing records decodes every one of them;
// it accepts exactly what encode writes (and any valid JSON spelling of the
// same values) and fails on anything else.
type canonDecoder struct {
	b     []byte
	i     int
	err   error
	first bool // no comma before the next element
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
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	if err != nil {
		d.fail("expected an integer")
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

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("record time %q: %w", s, err)
	}
	return t, nil
}

// Stored is a record as a store keeps it: its sequence number, canonical
// encoding and hash, and the copies of its fields it keeps apart from the
// encoding to query by. Each could be tampered with; [VerifyChain] and
// [OpenStored] check them all against the encoding.
type Stored struct {
	Seq  int64
	Body []byte
	Hash string
	// Columns are the stored copies of the record's fields that
	// RecordQuery selects by, as read from the store; nil when the store
	// keeps none (it selects by decoding Body).
	Columns *Columns
}

// Columns are the fields of a record that [RecordQuery] selects by, as a
// store keeps them in columns of their own, outside the hashed encoding,
// to query by them. Because a query selects by these copies, editing one
// would hide the record from the queries it belongs to: [VerifyChain]
// checks every copy against the hashed encoding, and [OpenStored] checks
// every record a query returns.
type Columns struct {
	PlanID     string    // column "plan_id"
	ActivityID string    // column "activity_id"
	EventID    string    // column "event_id"
	SentAt     time.Time // column "sent_at"
}

// ColumnsOf returns the columns a store keeps for r.
func ColumnsOf(r comms.Record) Columns {
	return Columns{PlanID: r.PlanID, ActivityID: r.ActivityID, EventID: r.EventID, SentAt: r.SentAt}
}

// disagreement names the first column of c that disagrees with r, with a
// reason, or returns "".
func (c *Columns) disagreement(r comms.Record) (column, reason string) {
	differ := func(col, stored, hashed string) (string, string) {
		return col, fmt.Sprintf("its stored %s column (%q) disagrees with its hashed content (%q)", col, stored, hashed)
	}
	switch {
	case c.PlanID != r.PlanID:
		return differ("plan_id", c.PlanID, r.PlanID)
	case c.ActivityID != r.ActivityID:
		return differ("activity_id", c.ActivityID, r.ActivityID)
	case c.EventID != r.EventID:
		return differ("event_id", c.EventID, r.EventID)
	case !c.SentAt.Equal(r.SentAt):
		return differ("sent_at", timeText(c.SentAt), timeText(r.SentAt))
	}
	return "", ""
}

// open checks one stored record on its own: its hash, its encoding, its
// sequence number and its columns. It returns the record, or a
// *ChainError.
func (st Stored) open(tenant string) (comms.Record, *ChainError) {
	broken := func(column, format string, args ...any) *ChainError {
		return &ChainError{Tenant: tenant, Seq: st.Seq, Column: column, Reason: fmt.Sprintf(format, args...)}
	}
	// OpenRecord hashes the body; it is hashed once in the common case.
	r, err := OpenRecord(tenant, st.Body)
	if err != nil {
		if sum := sha256.Sum256(st.Body); hex.EncodeToString(sum[:]) != st.Hash {
			return comms.Record{}, broken("", "its content does not match its hash")
		}
		return comms.Record{}, broken("", "%v", err)
	}
	if r.Hash != st.Hash {
		return comms.Record{}, broken("", "its content does not match its hash")
	}
	if r.Seq != st.Seq {
		return comms.Record{}, broken("", "it holds the content of record %d", r.Seq)
	}
	if st.Columns != nil {
		if column, reason := st.Columns.disagreement(r); column != "" {
			return comms.Record{}, broken(column, "%s", reason)
		}
	}
	return r, nil
}

// OpenStored opens a record a store read back for query q: it checks the
// record's hash, encoding and sequence number (and its stored columns, if
// st.Columns is set) as [VerifyChain] does, though not its link to the
// record before it, and that its content matches q; it returns the record
// or a *ChainError naming it. Stores call it for every record Records
// returns, so that a listing never returns content that does not match
// its stored hash, nor a record that an edited column or index brought
// into a query it does not belong to. (A record such an edit hides from
// a query is for Verify to find.)
func OpenStored(tenant string, st Stored, q RecordQuery) (comms.Record, error) {
	r, ce := st.open(tenant)
	if ce != nil {
		return comms.Record{}, ce
	}
	if !q.Match(r) {
		return comms.Record{}, &ChainError{Tenant: tenant, Seq: st.Seq, Reason: "the store returned it for a query its hashed content does not match (a stored column or index was changed)"}
	}
	return r, nil
}

// Head is the end of a tenant's log: the sequence number of its last
// record (which, with numbers 1, 2, 3, ... and no gaps, is the number of
// records) and that record's hash. [Store.Verify] returns the head it
// verified; a store also keeps the head of each tenant it appended to, so
// that a log cut short is detected. The zero Head is an empty log (or,
// passed to [VerifyChain], "not kept").
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// VerifyChain checks a tenant's log, read in sequence order: sequence
// numbers 1, 2, 3, ... with no gap, each stored hash equal to the SHA-256
// of the record's encoding, each record's sequence number, tenant and
// PrevHash as stored, each stored column (Stored.Columns) equal to the
// field it copies, and the log ending at head (when head is known). It
// returns the head of the log it read and nil, or a *ChainError naming the
// first bad record (and, for a column, the column), or the error of rows.
// Store implementations call it from Verify.
func VerifyChain(ctx context.Context, tenant string, rows iter.Seq2[Stored, error], head Head) (Head, error) {
	want := int64(1)
	prev := ""
	broken := func(seq int64, format string, args ...any) error {
		return &ChainError{Tenant: tenant, Seq: seq, Reason: fmt.Sprintf(format, args...)}
	}
	for row, err := range rows {
		if err != nil {
			return Head{}, err
		}
		if err := ctx.Err(); err != nil {
			return Head{}, err
		}
		switch {
		case row.Seq > want:
			return Head{}, broken(want, "record %d is missing (the next stored record is %d)", want, row.Seq)
		case row.Seq < want:
			return Head{}, broken(row.Seq, "sequence number %d appears twice or out of order", row.Seq)
		}
		r, ce := row.open(tenant)
		if ce != nil {
			return Head{}, ce
		}
		if r.PrevHash != prev {
			return Head{}, broken(row.Seq, "it does not link to the record before it")
		}
		prev = row.Hash
		want++
	}
	last := want - 1
	if head.Seq != 0 || head.Hash != "" {
		switch {
		case last < head.Seq:
			return Head{}, broken(last+1, "the log ends at record %d but record %d was appended", last, head.Seq)
		case last > head.Seq:
			return Head{}, broken(head.Seq+1, "record %d was never appended through the store", head.Seq+1)
		case prev != head.Hash:
			return Head{}, broken(last, "the last record is not the one appended")
		}
	}
	return Head{Seq: last, Hash: prev}, nil
}

// OpenStoredEvent decodes an event's stored body (JSON), which a store
// read back through its ID column id and, for a listing, its query q (nil
// for a lookup by ID), and checks that the body agrees with the columns
// the store selected it by: its ID is id and, for a listing by kind, its
// kind is q.Kind. An event whose stored ID or kind column was changed is
// not returned as another; that fails with ErrCorrupt. (The start column,
// kept to the microsecond, selects by bounds widened to whole
// microseconds, see [EventQuery.StartBounds]; the store filters the exact
// bounds with [EventMatches].) Events are not tamper-evident otherwise:
// see the package documentation.
func OpenStoredEvent(id string, body []byte, q *EventQuery) (comms.Event, error) {
	var e comms.Event
	if err := json.Unmarshal(body, &e); err != nil {
		return comms.Event{}, fmt.Errorf("%w: stored event %q: %w", ErrCorrupt, id, err)
	}
	if e.ID != id {
		return comms.Event{}, fmt.Errorf("%w: stored event %q holds event %q", ErrCorrupt, id, e.ID)
	}
	if q != nil && q.Kind != "" && e.Kind != q.Kind {
		return comms.Event{}, fmt.Errorf("%w: stored event %q was selected by kind %q, but its body says %q (its stored kind column was changed)", ErrCorrupt, id, q.Kind, e.Kind)
	}
	return e, nil
}
