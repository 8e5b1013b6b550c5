package store

import (
	"context"
	"iter"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// AckReader is an optional capability of a Store (find it by type
// assertion): reading an activity's acknowledgements fast, for the
// outstanding list of an activity with thousands of people
// (evidence.Outstanding), without decoding each record's hashed body.
// store/memory, store/sqlite and store/postgres implement it.
//
//	if ar, ok := st.(store.AckReader); ok {
//		acks := ar.Acks(ctx, tenant, store.AckQuery{ActivityID: "policy", Digests: accepted, To: at.Add(time.Microsecond)})
//	}
//
// # What is verified
//
// A store keeps, for every acknowledgement (comms.RecordTypeAck) it
// appends, copies of its person_id, digest and channel in columns of
// their own, beside the plan_id, activity_id and sent_at copies that
// Records selects by, written in the same transaction as the record (a
// batch included). Acks reads those copies only: it neither reads nor
// hashes the records' bodies, so what it returns is as trustworthy as the
// columns, and an edit of a column behind the store's back (a person_id
// changed to another person's, an ack's digest changed to the version in
// force, a record made to look like an ack) shows in Acks until Verify
// runs. Verify checks every column of every record against its hashed
// content, these included (an acknowledgement must have its copies, any
// other record none), and names the record and the column it finds
// edited; store/sqlite's CheckIntegrity finds an index that no longer
// matches its table. A caller that reports acknowledgements as evidence
// runs Verify over the same log first (the evidence report does) and
// compares its Head with one recorded elsewhere; a caller that cannot,
// reads Records, which opens and checks every record it returns.
//
// Deliveries (sent records naming their Recipients) are not read by Acks:
// Communications reads them, each opened and checked as Records does (a
// year of one activity has a handful), without the activity's thousands
// of acknowledgements. The outstanding list of an activity is computed
// from Communications and Acks of the digests accepted since its last
// material change.
//
// The rules of [Store] hold for Acks too: tenants share nothing, a
// listing is lazy, yields an error once as its last pair, and may be
// iterated again; a done context fails it; after Close it fails with
// ErrClosed.
type AckReader interface {
	// Acks yields the tenant's acknowledgements that q selects, by
	// sequence number, as read from the store's columns. q.ActivityID
	// must be set (ErrInvalid otherwise, as for more than
	// [MaxAckDigests] digests, or a To before From).
	Acks(ctx context.Context, tenant string, q AckQuery) iter.Seq2[AckRecord, error]
	// Communications yields what Records yields for q less the
	// acknowledgements: the records of communications sent (deliveries
	// naming their Recipients among them) and waived. Each is opened and
	// checked as Records checks it (hash, sequence number, query). The
	// store leaves acknowledgements out by the column Acks reads, so an
	// edit of that column hides a communication from it, as an edit of
	// activity_id hides one from Records, until Verify names it.
	Communications(ctx context.Context, tenant string, q RecordQuery) iter.Seq2[comms.Record, error]
}

// AckRecord is an acknowledgement as [AckReader.Acks] returns it: the
// fields of its comms.Record that the outstanding list needs, read from
// the store's columns (see "What is verified"); SentAt is in UTC, to the
// microsecond. It is not the record: it has no hash, evidence or key.
type AckRecord struct {
	Seq        int64     `json:"seq"`
	PlanID     string    `json:"plan_id"`
	ActivityID string    `json:"activity_id"`
	PersonID   string    `json:"person_id"`
	Digest     string    `json:"digest"`
	SentAt     time.Time `json:"sent_at"`
	Channel    string    `json:"channel,omitempty"`
}

// Record returns a as a comms.Record of type ack with only the fields of
// a set, for functions that take records (evidence.Outstanding).
func (a AckRecord) Record() comms.Record {
	return comms.Record{Seq: a.Seq, Type: comms.RecordTypeAck, PlanID: a.PlanID, ActivityID: a.ActivityID, PersonID: a.PersonID, Digest: a.Digest, SentAt: a.SentAt, Channel: a.Channel}
}

// AckQuery selects the acknowledgements of one activity.
type AckQuery struct {
	// PlanID, if set, selects the acknowledgements of that plan's
	// activity only (a tenant's plans may share activity IDs).
	PlanID string
	// ActivityID is the activity; required.
	ActivityID string
	// Digests, if set, selects the acknowledgements of these message
	// versions only (the versions accepted since the last material
	// change, say); empty selects all.
	Digests []string
	// From (inclusive) and To (exclusive) bound SentAt, the moment of
	// acknowledgement, as in RecordQuery; zero bounds are open.
	From, To time.Time
}

// MaxAckDigests is the most digests one AckQuery may name.
const MaxAckDigests = 1000
