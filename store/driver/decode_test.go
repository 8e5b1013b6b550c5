package driver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
)

// agreeWithOracle fails t unless OpenRecord and the decoder it replaced
// (oldOpenRecord) agree on body: the same record, or the same error; or
// OpenRecord refuses, as not canonical, bytes that the oracle decodes to a
// record that Seal writes otherwise. Whatever OpenRecord accepts is what
// Seal writes for the record it returns.
func agreeWithOracle(t *testing.T, tenant string, body []byte) {
	t.Helper()
	got, err := OpenRecord(tenant, body)
	want, wantErr := oldOpenRecord(tenant, body)
	if err != nil && wantErr == nil && strings.Contains(err.Error(), "not the canonical encoding") {
		// The one thing the oracle did not refuse: another spelling of a
		// record's values, which the store writes as other bytes.
		if _, again := Seal(tenant, want.Seq, want.PrevHash, want.RecordedAt, want); bytes.Equal(again, body) {
			t.Fatalf("%s\nOpenRecord refuses the canonical encoding of a record: %v", body, err)
		}
		return
	}
	if err == nil {
		// What the store would write for the record: Seal's bytes.
		if _, again := Seal(tenant, got.Seq, got.PrevHash, got.RecordedAt, got); !bytes.Equal(again, body) {
			t.Fatalf("%s\nOpenRecord accepts bytes that are not the record's canonical encoding\n%s", body, again)
		}
	}
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%s\nOpenRecord: %v\nthe oracle: %v", body, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s\nOpenRecord: %+v\nthe oracle: %+v", body, got, want)
	}
}

// oracleSeeds are bodies of every format, with escapes, and bad ones.
func oracleSeeds() [][]byte {
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	score := 3
	var out [][]byte
	for i, r := range []comms.Record{
		goldenRecord(),
		{ActivityID: "a\u2028\"b", SentAt: at, Audiences: []string{"x", "y"}},
		{SentAt: at, IdempotencyKey: "msg-1", Note: "line\none \\ \x01 é 🔐"},
		{Type: comms.RecordTypeAck, PlanID: "plan", ActivityID: "policy", SentAt: at, Digest: "sha256:ab", PersonID: "E-1", Evidence: comms.AckEvidence{Kind: "click", Ref: "r\"1"}},
		{SentAt: at, Recipients: []string{"E-1", "E-2"}, Reached: 2},
		{Type: comms.RecordTypeFeedback, SentAt: at, From: "customers", Score: &score, HandledAt: at.Add(time.Hour)},
		{SentAt: at, EventID: "DRILL-1", Drill: true, Occurrence: at.Add(-time.Hour)},
	} {
		_, body := Seal("t", int64(i+1), "ab", at.Add(time.Duration(i)*time.Microsecond), r)
		out = append(out, body)
	}
	for _, s := range []string{
		`["ismscomms/record/v1","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,""]`,
		`["ismscomms/record/v1","t",1,"sent","",0,"","","","2026-01-01T9:00:00.000000Z","","",["\u0041"],"","","","",0,0,"",0,""]`,
		`["ismscomms/record/v1","t",1,"sent","",0,"","","","2026-01-01T09:00:00,000000Z","","",[],"","","","",0,0,"",0,""]`,
		`["ismscomms/record/v1","t",1,"sent","",0,"","","","2026-02-30T09:00:00.000000Z","","",[],"","","","",0,0,"",0,""]`,
		`["ismscomms/record/v1","t",1,"sent","",0,"","","","2026-01-01T24:00:00.000000Z","","",[],"","","","",0,0,"",0,""]`,
		`["ismscomms/record/v1","t",1,"sent","",0,"","","","2026-01-01T09:00:00.+12345Z","","",[],"","","","",0,0,"",0,""]`,
		`["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","k\u00e9y"]`,
		`["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"",""]`,
		`["ismscomms/record/v3","t",1,"ack","",0,"a","","","","","",[],"","","","sha256:x",0,0,"",0,"","",[],"p","click",""]`,
		`["ismscomms/record/v4","t",1,"feedback","",0,"","","","","","",[],"","","","",0,0,"",0,"","",[],"","","","x",-00,"",0]`,
		`["ismscomms/record/v9","t",1]`,
		"[\"ismscomms/record/v1\",\"t\",1,\"s\xffnt\"]",
		`["ismscomms/record/v1","u",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,""]`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

func TestOpenRecordOracle(t *testing.T) {
	for _, body := range oracleSeeds() {
		agreeWithOracle(t, "t", body)
	}
	rng := rand.New(rand.NewPCG(18, 4))
	for i := 0; i < 2000; i++ {
		r := comms.Record{Type: comms.RecordTypeSent, PlanID: randomText(rng), ActivityID: randomText(rng), EventID: randomText(rng),
			SentAt: time.UnixMicro(rng.Int64N(253402300799999999-62135596800000000) - 62135596800000000), Subject: randomText(rng),
			Audiences: []string{randomText(rng)}, IdempotencyKey: randomText(rng), Note: randomText(rng)}
		_, body := Seal("t", int64(i+1), randomText(rng), time.UnixMicro(rng.Int64N(1<<52)), r)
		agreeWithOracle(t, "t", body)
	}
}

// FuzzOpenRecordOracle: OpenRecord and the decoder it replaced agree on
// every input.
func FuzzOpenRecordOracle(f *testing.F) {
	for _, body := range oracleSeeds() {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		agreeWithOracle(t, "t", body)
	})
}

// parseCanonicalTime accepts only what time.Parse accepts, to the same
// time, and every time the encoding writes.
func TestParseCanonicalTime(t *testing.T) {
	for _, s := range []string{
		"2026-01-01T09:00:00.000000Z", "2024-02-29T23:59:59.999999Z", "2023-02-29T00:00:00.000000Z",
		"1900-02-29T00:00:00.000000Z", "2000-02-29T00:00:00.000000Z", "0000-02-29T00:00:00.000000Z",
		"0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z", "2026-04-31T00:00:00.000000Z",
		"2026-13-01T00:00:00.000000Z", "2026-00-01T00:00:00.000000Z", "2026-01-00T00:00:00.000000Z",
		"2026-01-01T24:00:00.000000Z", "2026-01-01T23:60:00.000000Z", "2026-01-01T23:00:60.000000Z",
		"2026-01-01T9:00:00.000000Z", "2026-01-01T09:00:00,000000Z", "2026-01-01T09:00:00.+00000Z",
		"2026-01-01T09:00:00.-00000Z", "2026-01-01T09:00:00.00000aZ", "+026-01-01T09:00:00.000000Z",
		"2026-01-01T09:00:00.000000z", "2026-01-01 09:00:00.000000Z", "2026-01-01T09:00:00.0000000Z",
	} {
		checkCanonicalTime(t, s)
	}
	rng := rand.New(rand.NewPCG(18, 5))
	for i := 0; i < 10000; i++ {
		at := time.UnixMicro(rng.Int64N(253402300799999999+62167219200000000) - 62167219200000000).UTC()
		s := at.Format(timeLayout)
		if got, ok := parseCanonicalTime(s); !ok || got != at {
			t.Fatalf("parseCanonicalTime(%q) = %v, %v; want %v", s, got, ok, at)
		}
	}
}

func checkCanonicalTime(t *testing.T, s string) {
	t.Helper()
	got, ok := parseCanonicalTime(s)
	want, err := time.Parse(timeLayout, s)
	if ok && (err != nil || got != want) {
		t.Fatalf("parseCanonicalTime(%q) = %v, time.Parse: %v, %v", s, got, want, err)
	}
	if !ok && err == nil && len(s) == len(timeLayout) && want.Format(timeLayout) == s {
		t.Fatalf("parseCanonicalTime(%q) refuses a canonical time", s)
	}
}

func FuzzParseCanonicalTime(f *testing.F) {
	f.Add("2026-01-01T09:00:00.000000Z")
	f.Add("2024-02-29T23:59:59.999999Z")
	f.Add("2026-01-01T09:00:00.+12345Z")
	f.Fuzz(checkCanonicalTime)
}

// plainEnd finds what a byte-at-a-time scan finds, wherever in a word
// the byte that ends the plain part is.
func TestPlainEnd(t *testing.T) {
	naive := func(s string, i int) (int, bool) {
		ascii := true
		for ; i < len(s); i++ {
			if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			} else if c >= 0x80 {
				ascii = false
			}
		}
		return i, ascii
	}
	specials := []byte{'"', '\\', 0, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xff, '!', '#', '[', ']', 'a'}
	rng := rand.New(rand.NewPCG(18, 6))
	for n := 0; n < 40; n++ {
		for trial := 0; trial < 200; trial++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = 'a' + byte(rng.IntN(26))
			}
			for k := rng.IntN(3); k > 0 && n > 0; k-- {
				b[rng.IntN(n)] = specials[rng.IntN(len(specials))]
			}
			from := 0
			if n > 0 {
				from = rng.IntN(n)
			}
			gotEnd, gotASCII := plainEnd(string(b), from)
			wantEnd, wantASCII := naive(string(b), from)
			if gotEnd != wantEnd || gotASCII != wantASCII {
				t.Fatalf("plainEnd(%q, %d) = %d, %v; want %d, %v", b, from, gotEnd, gotASCII, wantEnd, wantASCII)
			}
		}
	}
}

// Another JSON spelling of a record's values (an escape the encoding
// does not write, a time time.Parse reads but the encoding does not
// write) is not the record's canonical encoding: OpenRecord refuses it,
// and so does VerifyChain, though its hash was recomputed; a record whose
// strings need escapes still opens.
func TestOpenRecordRefusesOtherSpellings(t *testing.T) {
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	_, body := Seal("t", 1, "", at, comms.Record{SentAt: at, PlanID: "plan", Note: "say \"hi\"\nthen go"})
	if _, err := OpenRecord("t", body); err != nil {
		t.Fatalf("the canonical encoding of a record with escapes: %v", err)
	}
	for name, respell := range map[string]func(string) string{
		"escaped letter": func(s string) string { return strings.Replace(s, `"plan"`, `"pl\u0061n"`, 1) },
		"escaped slash":  func(s string) string { return strings.Replace(s, `then go`, `then\/go`, 1) },
		"other escape":   func(s string) string { return strings.Replace(s, `\n`, `\u000a`, 1) },
		"one-digit hour": func(s string) string { return strings.Replace(s, `T09:00`, `T9:00`, 1) },
		"empty type":     func(s string) string { return strings.Replace(s, `,"sent",`, `,"",`, 1) },
		"zero time": func(s string) string {
			return strings.Replace(s, `"plan",0,"",""`, `"plan",0,"","0001-01-01T00:00:00.000000Z"`, 1)
		},
	} {
		other := respell(string(body))
		if other == string(body) {
			t.Fatalf("%s: the test did not change the body", name)
		}
		r, err := OpenRecord("t", []byte(other))
		if err == nil || !strings.Contains(err.Error(), "not the canonical encoding") {
			t.Errorf("%s: OpenRecord(%s) = %+v, %v; want it refused as not canonical", name, other, r, err)
		}
		sum := sha256.Sum256([]byte(other))
		st := Stored{Seq: 1, Body: []byte(other), Hash: hex.EncodeToString(sum[:])}
		_, err = VerifyChain(context.Background(), "t", func(yield func(Stored, error) bool) { yield(st, nil) }, store.Head{})
		var ce *store.ChainError
		if !errors.As(err, &ce) || ce.Seq != 1 || !strings.Contains(ce.Reason, "not the canonical encoding") {
			t.Errorf("%s: VerifyChain = %v; want record 1 broken, not canonical", name, err)
		}
	}
}
