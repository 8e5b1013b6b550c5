package comms_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// FuzzDecodePlan feeds arbitrary bytes to DecodePlan. It must never panic,
// and a plan it accepts must survive an encode/decode round trip in both
// formats unchanged. Seeds: every plan under testdata, plus the corpus the
// fuzzer saved under testdata/fuzz/FuzzDecodePlan.
func FuzzDecodePlan(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*")
	files = append(files, "../examples/plans/starter.yaml", "../examples/plans/starter-gdpr-nis2.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("id: a\nroles: [{id: r, <<: {name: n}}]"))
	f.Add([]byte("id: a\nprofiles: &p [gdpr, nis2]\nwaivers: [{rule: REG-MISSING, reason: *p}]"))
	f.Add([]byte(`{"id": "a", "activities": [{"id": "x", "when": {"rrule": "FREQ=WEEKLY;BYDAY=MO", "start": "2026-01-05T09:00"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("DecodePlan hangs on %q", data)) })
		defer timer.Stop()
		p, err := comms.DecodePlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, enc := range []func(*bytes.Buffer, comms.Plan) error{
			func(b *bytes.Buffer, p comms.Plan) error { return comms.EncodeYAML(b, p) },
			func(b *bytes.Buffer, p comms.Plan) error { return comms.EncodeJSON(b, p) },
		} {
			var buf bytes.Buffer
			if err := enc(&buf, p); err != nil {
				t.Fatalf("encode an accepted plan: %v", err)
			}
			q, err := comms.DecodePlan(&buf)
			if err != nil {
				t.Fatalf("re-decode an encoded plan: %v\n%s", err, buf.String())
			}
			if !reflect.DeepEqual(p, q) {
				t.Fatalf("round trip changed the plan:\n got %#v\nwant %#v", q, p)
			}
		}
	})
}
