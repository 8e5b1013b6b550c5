package evidence_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/safetext"
)

// FuzzReportJSON reads arbitrary JSON as a report, as a program that
// stores reports and renders them later would, and renders it: reading
// never panics, and what reads renders without panicking and with no
// control or bidirectional character raw in any output.
func FuzzReportJSON(f *testing.F) {
	rep, err := evidence.Evaluate(input())
	if err != nil {
		f.Fatal(err)
	}
	var seed bytes.Buffer
	if err := rep.WriteJSON(&seed); err != nil {
		f.Fatal(err)
	}
	f.Add(seed.Bytes())
	f.Add([]byte(`{"timezone":"Europe/Berlin","kpis":{"on_time_rate":null,"timeliness":[{"obligation":"x\u202e","slowest_seconds":1e300}]}}`))
	f.Add([]byte(`{"occurrences":[{"status":"late","delay_seconds":-5,"record":{"seq":1,"note":"\u001bc"}}],"monthly":[{"month":"2026-13"}]}`))
	f.Add([]byte(`{"timezone":"localtime","chain":{"checked":true,"head_hash":"\u009b","error":"\u2066"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var back evidence.Assessment
		if err := json.Unmarshal(data, &back); err != nil {
			return
		}
		var md, html, js bytes.Buffer
		for _, w := range []struct {
			name  string
			buf   *bytes.Buffer
			write func(io.Writer) error
		}{{"Markdown", &md, back.WriteMarkdown}, {"HTML", &html, back.WriteHTML}, {"JSON", &js, back.WriteJSON}} {
			if err := w.write(w.buf); err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			if i := safetext.Index(w.buf.String(), false); i >= 0 {
				t.Fatalf("%s holds %q raw", w.name, w.buf.String()[i:min(i+8, w.buf.Len())])
			}
		}
	})
}
