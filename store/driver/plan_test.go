package driver_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// The stored form is compact JSON without HTML escaping, and decodes to
// the plan saved.
func TestEncodePlanForm(t *testing.T) {
	p := storetest.Plan("plan", 1)
	p.Activities[0].What.Message = "Ümlaut <b>&</b> \"quoted\"\nsecond line"
	body, err := driver.EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(body, "\n\t") || bytes.Contains(body, []byte(": ")) || !bytes.Contains(body, []byte("<b>&</b>")) {
		t.Errorf("not compact JSON without HTML escaping:\n%s", body)
	}
	got, err := driver.DecodePlan(body)
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("DecodePlan(EncodePlan(p)) = %+v, %v", got, err)
	}
	var indented bytes.Buffer
	if err := comms.EncodeJSON(&indented, p); err != nil {
		t.Fatal(err)
	}
	if indented.Len() < len(body)*5/4 {
		t.Errorf("compact %d bytes, indented %d: the compact form buys little", len(body), indented.Len())
	}
	// What earlier versions stored reads back too.
	if got, err := driver.DecodePlan(indented.Bytes()); err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("DecodePlan(comms.EncodeJSON(p)) = %+v, %v", got, err)
	}
	if _, err := driver.EncodePlan(comms.Plan{ID: "x", TimeZone: "Mars/Olympus"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("EncodePlan(an invalid plan) = %v, want ErrInvalid", err)
	}
}

// Over the limit: ErrInvalid, naming the limit and the size.
func TestEncodePlanLimit(t *testing.T) {
	p := storetest.LargePlan("big", 30_000)
	_, err := driver.EncodePlan(p)
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "4194304 bytes") || !strings.Contains(err.Error(), "comms.MaxPlanSize") || !strings.Contains(err.Error(), `plan "big"`) {
		t.Fatalf("EncodePlan of 30,000 activities = %v; want ErrInvalid naming the plan, its size and the limit", err)
	}
	t.Log(err)
}

func TestDecodePlanStrict(t *testing.T) {
	body, _ := driver.EncodePlan(storetest.Plan("plan", 1))
	for name, bad := range map[string][]byte{
		"unknown field": append([]byte(`{"nonsense":1,`), body[1:]...),
		"data after":    append(bytes.Clone(body), []byte(` {}`)...),
		"not JSON":      []byte("format: ismscomms/v1\n"),
		"truncated":     body[:len(body)/2],
		"wrong type":    []byte(`{"id":7}`),
		"over limit":    append(bytes.Clone(body), bytes.Repeat([]byte(" "), store.MaxStoredPlan)...),
	} {
		if _, err := driver.DecodePlan(bad); err == nil {
			t.Errorf("%s: DecodePlan accepted it", name)
		}
	}
	if _, err := driver.DecodePlan(append(bytes.Clone(body), "\n "...)); err != nil {
		t.Errorf("trailing blanks: %v", err)
	}
}

// Reading a stored plan back is linear in its size: the allocations per
// activity do not grow with the number of activities, and 20,000
// activities read back well within the backstop.
func TestDecodePlanLinear(t *testing.T) {
	allocs := func(n int) float64 {
		body, err := driver.EncodePlan(storetest.LargePlan("big", n))
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(1, func() {
			if _, err := driver.DecodePlan(body); err != nil {
				t.Fatal(err)
			}
		})
	}
	start := time.Now()
	small, large := allocs(2_000), allocs(20_000)
	if large > small*12 {
		t.Errorf("decoding 20,000 activities allocates %.0f times, 2,000 %.0f: not linear", large, small)
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("decoding took %v (a generous backstop, not a measurement)", d)
	}
}

// FuzzDecodePlan: arbitrary stored bytes never panic the decoder, and
// whatever it accepts encodes to a form that decodes and encodes to the
// same bytes. (Not to a DeepEqual plan: an empty list decodes as empty and
// encodes as absent.)
func FuzzDecodePlan(f *testing.F) {
	body, _ := driver.EncodePlan(storetest.Plan("plan", 1))
	f.Add(body)
	var indented bytes.Buffer
	comms.EncodeJSON(&indented, storetest.Plan("plan", 2))
	f.Add(indented.Bytes())
	f.Add([]byte(`{"id":"x","activities":[{"id":"a","when":{"start":"2026-01-01T09:00"}}],"waivers":[{"until":"2026-02-30"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := driver.DecodePlan(body)
		if err != nil {
			return
		}
		var again bytes.Buffer
		if err := comms.EncodeJSON(&again, p); err != nil {
			t.Fatalf("a decoded plan does not encode: %v", err)
		}
		q, err := driver.DecodePlan(again.Bytes())
		if err != nil {
			t.Fatalf("a decoded plan, encoded, does not decode: %v\n%s", err, again.Bytes())
		}
		var twice bytes.Buffer
		if err := comms.EncodeJSON(&twice, q); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), twice.Bytes()) {
			t.Fatalf("decode/encode is not stable:\n%s\n%s", again.Bytes(), twice.Bytes())
		}
	})
}
