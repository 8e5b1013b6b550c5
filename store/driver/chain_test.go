package driver

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

func randomText(rng *rand.Rand) string {
	pieces := []string{"a", "Zoë", "\"", "\\", "\n", "\t", "\u2028", "<&>", "🔐", "\x01", "/", "é", " ", "\u0000"}
	var b strings.Builder
	for i := rng.IntN(8); i > 0; i-- {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func TestSealOpenRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for i := 0; i < 2000; i++ {
		r := comms.Record{
			PlanID: randomText(rng), PlanVersion: rng.IntN(100), ActivityID: randomText(rng), EventID: randomText(rng),
			SentAt: time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(berlin), Channel: randomText(rng),
			Sender: randomText(rng), SenderRole: randomText(rng), Subject: randomText(rng), Digest: randomText(rng),
			Reached: rng.IntN(1000), Acknowledged: rng.IntN(10), Note: randomText(rng), Corrects: rng.Int64N(50),
		}
		if rng.IntN(2) == 0 {
			r.Occurrence = time.Unix(rng.Int64N(4e9), 0)
			r.Audiences = []string{randomText(rng), randomText(rng)}
		}
		if rng.IntN(2) == 0 {
			r.IdempotencyKey = randomText(rng) + "k"
		}
		switch rng.IntN(4) {
		case 0:
			r.Recipients = []string{randomText(rng) + "p", randomText(rng) + "q"}
		case 1:
			r.PersonID, r.Evidence = randomText(rng)+"p", comms.AckEvidence{Kind: randomText(rng), Ref: randomText(rng)}
		}
		tenant := randomText(rng) + "t"
		sealed, body := Seal(tenant, int64(i+1), "prev", time.Now(), r)
		got, err := OpenRecord(tenant, body)
		if err != nil {
			t.Fatalf("OpenRecord(Seal(%+v)): %v\n%s", r, err, body)
		}
		want := sealed
		want.SentAt, want.RecordedAt, want.Occurrence = want.SentAt.UTC(), want.RecordedAt.UTC(), want.Occurrence.UTC()
		if !want.Occurrence.IsZero() {
			want.Occurrence = want.Occurrence.UTC()
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
		if _, err := OpenRecord(tenant+"x", body); err == nil {
			t.Fatal("a record opened under another tenant")
		}
	}
}

// FuzzOpenRecord: arbitrary bytes never panic the decoder, and whatever it
// accepts encodes back to something it decodes to the same record.
func FuzzOpenRecord(f *testing.F) {
	_, body := Seal("t", 1, "", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), comms.Record{ActivityID: "a\u2028\"b", SentAt: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), Audiences: []string{"x", "y"}})
	f.Add(body)
	f.Add([]byte(`["ismscomms/record/v1","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,""]`))
	f.Add([]byte(`["ismscomms/record/v1","t",1,"sent","",0,"","","","2026-01-01T00:00:00.000000Z","","",["\u0041"],"","","","",0,0,"",0,""]`))
	f.Add([]byte(`["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","k\u00e9y"]`))
	f.Add([]byte(`["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"",""]`))
	f.Add([]byte(`["ismscomms/record/v1","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","key"]`))
	f.Add([]byte(`["ismscomms/record/v3","t",1,"ack","",0,"a","","","","","",[],"","","","sha256:x",0,0,"",0,"","",[],"p","click",""]`))
	f.Add([]byte(`["ismscomms/record/v3","t",1,"sent","",0,"a","","","","","",[],"","","","",0,0,"",0,"","",[],"","",""]`))
	_, keyed := Seal("t", 2, "ab", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), comms.Record{SentAt: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), IdempotencyKey: "msg-1"})
	f.Add(keyed)
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := OpenRecord("t", body)
		if err != nil {
			return
		}
		again, err := OpenRecord("t", encode("t", r))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		r.Hash, again.Hash = "", ""
		if !reflect.DeepEqual(r, again) {
			t.Fatalf("decode/encode/decode changed the record:\n%+v\n%+v", r, again)
		}
	})
}

// goldenRecord is a record with every field set, whose encoding and hash
// were recorded by the release before idempotency keys: a log written
// then must verify unchanged.
func goldenRecord() comms.Record {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	return comms.Record{Type: comms.RecordTypeWaived, PlanID: "plan", PlanVersion: 3, ActivityID: "policy",
		Occurrence: time.Date(2026, 1, 15, 9, 0, 0, 0, berlin), EventID: "inc-1",
		SentAt: time.Date(2026, 1, 16, 10, 11, 12, 123456789, berlin), Channel: "email",
		Audiences: []string{"employees", "contractors"}, Sender: "Zoë <zoe@example.org>", SenderRole: "iso",
		Subject: "Ümlauts, \"quotes\", <tags> & \u2028", Digest: "sha256:abc", Reached: 100, Acknowledged: 42,
		Note: "Waived: the office was closed\nsecond line", Corrects: 2}
}

// A record without a key is encoded, and hashed, exactly as before keys
// existed (v1); one with a key as v2: v1 with the key appended.
func TestSealGolden(t *testing.T) {
	recorded := time.Date(2026, 1, 17, 8, 0, 0, 0, time.UTC)
	const v1 = `["ismscomms/record/v1","acme",3,"waived","plan",3,"policy","2026-01-15T08:00:00.000000Z","inc-1","2026-01-16T09:11:12.123456Z","2026-01-17T08:00:00.000000Z","email",["employees","contractors"],"Zoë <zoe@example.org>","iso","Ümlauts, \"quotes\", <tags> & \u2028","sha256:abc",100,42,"Waived: the office was closed\nsecond line",2,"ab12"]`
	sealed, body := Seal("acme", 3, "ab12", recorded, goldenRecord())
	if string(body) != v1 || sealed.Hash != "e509f32e1723c776163f18b9d3e9d7efaa0f1d480682a81f92dfbb18cbaa6c97" {
		t.Errorf("a record without a key:\n%s\n%s\nwant the v1 encoding and hash of the previous release", body, sealed.Hash)
	}
	r := goldenRecord()
	r.IdempotencyKey = "msg-\"1\""
	sealed, body = Seal("acme", 3, "ab12", recorded, r)
	v2 := strings.Replace(strings.TrimSuffix(v1, "]"), RecordFormatV1, RecordFormatV2, 1) + `,"msg-\"1\""]`
	if string(body) != v2 {
		t.Errorf("a record with a key:\n%s\nwant\n%s", body, v2)
	}
	opened, err := OpenRecord("acme", body)
	if err != nil || opened.IdempotencyKey != r.IdempotencyKey || opened.Hash != sealed.Hash {
		t.Errorf("OpenRecord(v2) = %+v, %v", opened, err)
	}
	old, err := OpenRecord("acme", []byte(v1))
	if err != nil || old.IdempotencyKey != "" || old.Hash != "e509f32e1723c776163f18b9d3e9d7efaa0f1d480682a81f92dfbb18cbaa6c97" {
		t.Errorf("OpenRecord(v1) = %+v, %v", old, err)
	}
}

// Every record has one encoding: a v2 encoding without a key, a v1
// encoding with one, and unknown formats are refused.
func TestOpenRecordOneEncoding(t *testing.T) {
	for name, body := range map[string]string{
		"v2 without a key":           `["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"",""]`,
		"v2 without the key element": `["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,""]`,
		"v1 with a key":              `["ismscomms/record/v1","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","key"]`,
		"v3 without its elements":    `["ismscomms/record/v3","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","key"]`,
		"v3 naming no one":           `["ismscomms/record/v3","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","key",[],"","",""]`,
		"v2 naming people":           `["ismscomms/record/v2","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","key",["p"],"","",""]`,
		"v4":                         `["ismscomms/record/v4","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","key",["p"],"","",""]`,
		"no format":                  `[]`,
		"a leading zero":             `["ismscomms/record/v1","t",01,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,""]`,
		"a leading zero, negative":   `["ismscomms/record/v1","t",1,"sent","",-01,"","","","","","",[],"","","","",0,0,"",0,""]`,
		"minus zero":                 `["ismscomms/record/v1","t",1,"sent","",-0,"","","","","","",[],"","","","",0,0,"",0,""]`,
		"v4 drill 01":                `["ismscomms/record/v4","t",1,"sent","",0,"","","","","","",[],"","","","",0,0,"",0,"","",[],"","","","",-1,"",01]`,
		"v4 score -00":               `["ismscomms/record/v4","t",1,"feedback","",0,"","","","","","",[],"","","","",0,0,"",0,"","",[],"","","","x",-00,"",0]`,
	} {
		if r, err := OpenRecord("t", []byte(body)); err == nil {
			t.Errorf("%s: OpenRecord accepted it: %+v", name, r)
		}
	}
}

// A record that names people is encoded as v3: the v2 elements, the key
// always present, then recipients, person and evidence. The encoding is
// pinned: a log written with it must verify unchanged in later releases.
func TestSealGoldenV3(t *testing.T) {
	recorded := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ack := comms.Record{Type: comms.RecordTypeAck, PlanID: "plan", PlanVersion: 2, ActivityID: "policy",
		SentAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Channel: "intranet", Digest: "sha256:ab",
		PersonID: "E-1001", Evidence: comms.AckEvidence{Kind: "click-through", Ref: "ct/9f\"2"}}
	const want = `["ismscomms/record/v3","acme",7,"ack","plan",2,"policy","","","2026-03-02T09:30:00.000000Z","2026-03-02T08:00:00.000000Z","intranet",[],"","","","sha256:ab",0,0,"",0,"ab12","",[],"E-1001","click-through","ct/9f\"2"]`
	sealed, body := Seal("acme", 7, "ab12", recorded, ack)
	if string(body) != want || sealed.Hash != "c7a6dab273405333b87821c88f1b2025248c7dcab36f69fec4ca47438e86a82d" {
		t.Errorf("an acknowledgement:\n%s\n%s\nwant\n%s", body, sealed.Hash, want)
	}
	sent := comms.Record{ActivityID: "policy", SentAt: recorded, Recipients: []string{"E-1", "E-2"}, IdempotencyKey: "k"}
	_, body = Seal("acme", 8, "cd", recorded, sent)
	if !strings.HasSuffix(string(body), `,"cd","k",["E-1","E-2"],"","",""]`) || !strings.HasPrefix(string(body), `["ismscomms/record/v3",`) {
		t.Errorf("a record with recipients: %s", body)
	}
	for _, r := range []comms.Record{ack, sent} {
		s, body := Seal("acme", 8, "cd", recorded, r)
		if got, err := OpenRecord("acme", body); err != nil || got.Hash != s.Hash || !reflect.DeepEqual(got.Recipients, s.Recipients) || got.PersonID != s.PersonID || got.Evidence != s.Evidence {
			t.Errorf("OpenRecord(v3) = %+v, %v", got, err)
		}
	}
}

// The v4 encoding of feedback and drill records, pinned: its fields come
// after v3's, score -1 for none, drill 0 or 1; a record without them keeps
// its older encoding.
func TestSealGoldenV4(t *testing.T) {
	recorded := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	zero := 0
	fb := comms.Record{Type: comms.RecordTypeFeedback, PlanID: "plan", ActivityID: "survey", Channel: "survey",
		SentAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Digest: "sha256:cd", From: "customers", Score: &zero,
		HandledAt: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
	const want = `["ismscomms/record/v4","acme",7,"feedback","plan",0,"survey","","","2026-03-02T09:30:00.000000Z","2026-03-02T08:00:00.000000Z","survey",[],"","","","sha256:cd",0,0,"",0,"ab12","",[],"","","","customers",0,"2026-03-04T10:00:00.000000Z",0]`
	sealed, body := Seal("acme", 7, "ab12", recorded, fb)
	if string(body) != want {
		t.Errorf("feedback:\n%s\nwant\n%s", body, want)
	}
	zero = 5 // the sealed record shares no memory with the caller's
	if *sealed.Score != 0 {
		t.Errorf("the sealed score follows the caller's variable: %d", *sealed.Score)
	}
	drill := comms.Record{PlanID: "plan", ActivityID: "regulator", EventID: "DRILL-1", SentAt: recorded, Drill: true}
	_, dbody := Seal("acme", 8, "cd", recorded, drill)
	if !strings.HasPrefix(string(dbody), `["ismscomms/record/v4",`) || !strings.HasSuffix(string(dbody), `,"cd","",[],"","","","",-1,"",1]`) {
		t.Errorf("a drill record: %s", dbody)
	}
	for _, b := range [][]byte{body, dbody} {
		got, err := OpenRecord("acme", b)
		if err != nil {
			t.Fatal(err)
		}
		_, again := Seal("acme", got.Seq, got.PrevHash, got.RecordedAt, got)
		if !bytes.Equal(again, b) {
			t.Errorf("OpenRecord then Seal changes the encoding:\n%s\n%s", b, again)
		}
	}
	if got, _ := OpenRecord("acme", body); got.Score == nil || *got.Score != 0 || got.From != "customers" || !got.HandledAt.Equal(fb.HandledAt) {
		t.Errorf("OpenRecord(feedback) = %+v", got)
	}
	if got, _ := OpenRecord("acme", dbody); !got.Drill || got.Score != nil {
		t.Errorf("OpenRecord(drill) = %+v", got)
	}
	// A v4 encoding of a record without its fields is refused: one
	// encoding per record.
	plain := strings.Replace(string(dbody), `"",-1,"",1]`, `"",-1,"",0]`, 1)
	if _, err := OpenRecord("acme", []byte(plain)); err == nil {
		t.Error("a v4 encoding of a plain record was accepted")
	}
	for _, bad := range []string{`"",-2,"",1]`, `"",-1,"",2]`} {
		if _, err := OpenRecord("acme", []byte(strings.Replace(string(dbody), `"",-1,"",1]`, bad, 1))); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// The spelling of every escape the encoding writes is pinned: OpenRecord
// refuses any other spelling as not canonical, so a change in
// encoding/json's escaping (Go 1.22 changed \b and \f) must fail here,
// not turn stored records into broken ones.
func TestSealGoldenEscapes(t *testing.T) {
	at := time.Date(2026, 1, 17, 8, 0, 0, 0, time.UTC)
	r := comms.Record{SentAt: at, PlanID: `a\b"c`, Note: "\b\f\t\n\r\x01\x1f\x7f\u2028\u2029<>&é🔐"}
	const want = `["ismscomms/record/v1","t",1,"sent","a\\b\"c",0,"","","","2026-01-17T08:00:00.000000Z","2026-01-17T08:00:00.000000Z","",[],"","","","",0,0,"\b\f\t\n\r\u0001\u001f` + "\x7f" + `\u2028\u2029<>&é🔐",0,""]`
	_, body := Seal("t", 1, "", at, r)
	if string(body) != want {
		t.Fatalf("the encoding's escapes changed:\n%s\nwant\n%s", body, want)
	}
	if got, err := OpenRecord("t", body); err != nil || got.Note != r.Note || got.PlanID != r.PlanID {
		t.Fatalf("OpenRecord of the escapes: %+v, %v", got, err)
	}
}
