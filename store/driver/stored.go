package driver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// Stored is a record as a store keeps it: its sequence number, canonical
// encoding and hash, and the copies of its fields it keeps apart from the
// encoding to select by. Each could be tampered with; [VerifyChain],
// [OpenStored] and [Replay] check them all against the encoding.
type Stored struct {
	Seq  int64
	Body []byte
	Hash string
	// Columns are the stored copies of the record's fields that queries
	// and idempotency keys select by, as read from the store; nil when
	// the caller did not read them (a listing that checks each record
	// against its query instead), or the store keeps none (it selects by
	// decoding Body).
	Columns *Columns
}

// Columns are the fields of a record that a store keeps in columns of
// their own, outside the hashed encoding, to select by them: those of
// store.RecordQuery, and the idempotency key that AppendRecord looks up.
// Because a store selects by these copies, editing one would hide the
// record from the queries it belongs to, or from the append that retries
// it: [VerifyChain] checks every copy against the hashed encoding,
// [OpenStored] checks every record a query returns, and [Replay] every
// record an idempotency key finds.
type Columns struct {
	PlanID         string    // column "plan_id"
	ActivityID     string    // column "activity_id"
	EventID        string    // column "event_id"
	SentAt         time.Time // column "sent_at"
	IdempotencyKey string    // column "idempotency_key"; "" for none (a store may keep NULL)
	// The copies store.AckReader reads: for an acknowledgement
	// (comms.RecordTypeAck), its person ID, digest and channel; for any
	// other record, all three empty (a store may keep NULL).
	PersonID string // column "person_id"
	Digest   string // column "digest"
	Channel  string // column "channel"
}

// ColumnsOf returns the columns a store keeps for r.
func ColumnsOf(r comms.Record) Columns {
	c := Columns{PlanID: r.PlanID, ActivityID: r.ActivityID, EventID: r.EventID, SentAt: r.SentAt, IdempotencyKey: r.IdempotencyKey}
	if r.Type == comms.RecordTypeAck {
		c.PersonID, c.Digest, c.Channel = r.PersonID, r.Digest, r.Channel
	}
	return c
}

// IsAck reports whether the columns are those of an acknowledgement: a
// person ID is set (every acknowledgement has one, and no other record).
func (c Columns) IsAck() bool { return c.PersonID != "" }

// AckOf returns the acknowledgement that store.AckReader yields for the
// record seq whose columns are c.
func AckOf(seq int64, c Columns) store.AckRecord {
	return store.AckRecord{Seq: seq, PlanID: c.PlanID, ActivityID: c.ActivityID, PersonID: c.PersonID, Digest: c.Digest, SentAt: c.SentAt, Channel: c.Channel}
}

// CheckAckQuery returns a store.ErrInvalid error for an AckQuery without
// an activity, with more than store.MaxAckDigests digests, or with To
// before From.
func CheckAckQuery(q store.AckQuery) error {
	switch {
	case q.ActivityID == "":
		return invalid("ack query names no activity")
	case len(q.Digests) > store.MaxAckDigests:
		return invalid("ack query names %d digests, over the limit of %d", len(q.Digests), store.MaxAckDigests)
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return invalid("ack query's To %s is before its From %s", q.To.Format(time.RFC3339Nano), q.From.Format(time.RFC3339Nano))
	}
	return nil
}

// AckMatches reports whether a store that selects by the columns c
// selects the record for q.
func AckMatches(q store.AckQuery, c Columns) bool {
	switch {
	case !c.IsAck(), c.ActivityID != q.ActivityID, q.PlanID != "" && c.PlanID != q.PlanID,
		len(q.Digests) > 0 && !slices.Contains(q.Digests, c.Digest),
		!q.From.IsZero() && c.SentAt.Before(q.From),
		!q.To.IsZero() && !c.SentAt.Before(q.To):
		return false
	}
	return true
}

// Matches reports whether a store that selects by these columns selects
// the record for q (ignoring q.After and q.Limit), as [RecordMatches]
// does on the record itself.
func (c Columns) Matches(q store.RecordQuery) bool {
	switch {
	case q.PlanID != "" && c.PlanID != q.PlanID,
		q.ActivityID != "" && c.ActivityID != q.ActivityID,
		q.EventID != "" && c.EventID != q.EventID,
		!q.From.IsZero() && c.SentAt.Before(q.From),
		!q.To.IsZero() && !c.SentAt.Before(q.To):
		return false
	}
	return true
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
	case c.IdempotencyKey != r.IdempotencyKey:
		return differ("idempotency_key", c.IdempotencyKey, r.IdempotencyKey)
	}
	want := ColumnsOf(r)
	if r.Type != comms.RecordTypeAck {
		for _, f := range []struct{ col, v string }{{"person_id", c.PersonID}, {"digest", c.Digest}, {"channel", c.Channel}} {
			if f.v != "" {
				return f.col, fmt.Sprintf("its stored %s column holds %q, but its hashed content is not an acknowledgement (a stored column was changed)", f.col, f.v)
			}
		}
	}
	switch {
	case c.PersonID != want.PersonID:
		return differ("person_id", c.PersonID, want.PersonID)
	case c.Digest != want.Digest:
		return differ("digest", c.Digest, want.Digest)
	case c.Channel != want.Channel:
		return differ("channel", c.Channel, want.Channel)
	}
	return "", ""
}

// open checks one stored record on its own: its hash, its encoding, its
// sequence number and its columns. It returns the record, or a
// *store.ChainError.
//
// The record's strings share one copy of the body. With borrow set they
// share st.Body itself, copying nothing: only for a caller that drops the
// record before st.Body may change ([VerifyChain], whose rows may reuse
// the buffer for the next row), and keeps none of its strings (an error
// formats them into text of its own).
func (st Stored) open(tenant string, borrow bool) (comms.Record, *store.ChainError) {
	broken := func(column, format string, args ...any) *store.ChainError {
		return &store.ChainError{Tenant: tenant, Seq: st.Seq, Column: column, Reason: fmt.Sprintf(format, args...)}
	}
	// The body is hashed once, and its hash compared with the stored one
	// as hex without making a string of it: the record's Hash is the
	// stored one, which it equals.
	var hexSum [2 * sha256.Size]byte
	sum := sha256.Sum256(st.Body)
	hex.Encode(hexSum[:], sum[:])
	matches := string(hexSum[:]) == st.Hash
	var body string
	if borrow {
		body = unsafe.String(unsafe.SliceData(st.Body), len(st.Body))
	} else {
		body = string(st.Body) // a copy
	}
	r, err := decodeRecord(tenant, body)
	if err != nil {
		if !matches {
			return comms.Record{}, broken("", "its content does not match its hash")
		}
		return comms.Record{}, broken("", "%v", err)
	}
	if !matches {
		return comms.Record{}, broken("", "its content does not match its hash")
	}
	r.Hash = st.Hash
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
// or a *store.ChainError naming it. Stores call it for every record
// Records returns, so that a listing never returns content that does not
// match its stored hash, nor a record that an edited column or index
// brought into a query it does not belong to. (A record such an edit
// hides from a query is for Verify to find.)
func OpenStored(tenant string, st Stored, q store.RecordQuery) (comms.Record, error) {
	r, ce := st.open(tenant, false)
	if ce != nil {
		return comms.Record{}, ce
	}
	if !RecordMatches(q, r) {
		return comms.Record{}, &store.ChainError{Tenant: tenant, Seq: st.Seq, Reason: "the store returned it for a query its hashed content does not match (a stored column or index was changed)"}
	}
	return r, nil
}

// OpenCommunication is [OpenStored] for store.AckReader's
// Communications: it also refuses, with a *store.ChainError naming column
// (the one the store selected communications by), an acknowledgement (a
// store that selected it by a column that says otherwise was edited).
func OpenCommunication(tenant, column string, st Stored, q store.RecordQuery) (comms.Record, error) {
	r, err := OpenStored(tenant, st, q)
	if err == nil && r.Type == comms.RecordTypeAck {
		return comms.Record{}, &store.ChainError{Tenant: tenant, Seq: st.Seq, Column: column,
			Reason: "the store returned it as a communication, but its hashed content is an acknowledgement (a stored column was changed)"}
	}
	return r, err
}

// Replay is AppendRecord for a record r whose idempotency key the tenant
// already has: st is the stored record the store found by r.IdempotencyKey
// (r having passed [CheckRecord]). It checks st as [OpenStored] does, and
// that its hashed content carries the key (a *store.ChainError naming it
// otherwise: the store found it through an edited copy), then compares r
// with it: if r is the same record, sealed as it was (every field the
// caller sets equal once normalised as [Seal] does), Replay returns the
// stored record, which AppendRecord returns and appends nothing; if not,
// an error wrapping store.ErrConflict that names the stored record and the
// fields that differ.
func Replay(tenant string, st Stored, r comms.Record) (comms.Record, error) {
	stored, ce := st.open(tenant, false)
	if ce != nil {
		return comms.Record{}, ce
	}
	if stored.IdempotencyKey != r.IdempotencyKey {
		return comms.Record{}, &store.ChainError{Tenant: tenant, Seq: st.Seq, Column: "idempotency_key",
			Reason: fmt.Sprintf("the store found it by idempotency key %q, but its hashed content carries %q (a stored column or index was changed)", r.IdempotencyKey, stored.IdempotencyKey)}
	}
	again, _ := Seal(tenant, stored.Seq, stored.PrevHash, stored.RecordedAt, r)
	if again.Hash != stored.Hash {
		return comms.Record{}, fmt.Errorf("%w: idempotency key %q of tenant %q is record %d, which differs from this record in %s",
			store.ErrConflict, r.IdempotencyKey, tenant, stored.Seq, strings.Join(differences(stored, again), ", "))
	}
	return stored, nil
}

// differences names the fields a caller sets in which two sealed records
// differ.
func differences(a, b comms.Record) []string {
	var out []string
	add := func(differ bool, name string) {
		if differ {
			out = append(out, name)
		}
	}
	add(a.Type != b.Type, "type")
	add(a.PlanID != b.PlanID, "plan_id")
	add(a.PlanVersion != b.PlanVersion, "plan_version")
	add(a.ActivityID != b.ActivityID, "activity_id")
	add(!a.Occurrence.Equal(b.Occurrence), "occurrence")
	add(a.EventID != b.EventID, "event_id")
	add(!a.SentAt.Equal(b.SentAt), "sent_at")
	add(a.Channel != b.Channel, "channel")
	add(!slices.Equal(a.Audiences, b.Audiences), "audiences")
	add(a.Sender != b.Sender, "sender")
	add(a.SenderRole != b.SenderRole, "sender_role")
	add(a.Subject != b.Subject, "subject")
	add(a.Digest != b.Digest, "digest")
	add(a.Reached != b.Reached, "reached")
	add(a.Acknowledged != b.Acknowledged, "acknowledged")
	add(!slices.Equal(a.Recipients, b.Recipients), "recipients")
	add(a.PersonID != b.PersonID, "person_id")
	add(a.Evidence != b.Evidence, "evidence")
	add(a.Note != b.Note, "note")
	add(a.Corrects != b.Corrects, "corrects")
	add(a.From != b.From, "from")
	add((a.Score == nil) != (b.Score == nil) || a.Score != nil && b.Score != nil && *a.Score != *b.Score, "score")
	add(!a.HandledAt.Equal(b.HandledAt), "handled_at")
	add(a.Drill != b.Drill, "drill")
	if len(out) == 0 {
		out = append(out, "its encoding")
	}
	return out
}
