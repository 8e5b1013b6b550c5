package store

import (
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
