package matrix_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/matrix"
)

// hostileTexts reads testdata/hostile-text.txt.
func hostileTexts(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/hostile-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("hostile-text.txt:%d: %v", n, err)
		}
		out = append(out, s)
	}
	return out
}

// poison appends a hostile text to every string v holds (struct fields,
// slice elements, named string types), except fields named in keep. It
// builds the hostile values directly, as a store or a program would, not
// through the plan decoder.
func poison(v reflect.Value, texts []string, n *int, keep map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			poison(v.Elem(), texts, n, keep)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() && !keep[f.Name] {
				poison(v.Field(i), texts, n, keep)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			poison(v.Index(i), texts, n, keep)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + texts[*n%len(texts)])
			*n++
		}
	}
}

// hostilePlan is the starter plan with a hostile text appended to every
// string but those in keep.
func hostilePlan(t *testing.T, keep ...string) comms.Plan {
	p := matrix.Starter()
	p.Waivers = []comms.Waiver{{Rule: "CMX-NOPE", Subject: "x", Reason: "r", By: "b"}}
	k := map[string]bool{}
	for _, f := range keep {
		k[f] = true
	}
	n := 0
	poison(reflect.ValueOf(&p), hostileTexts(t), &n, k)
	return p
}

// rawUnsafe reports the first character of out that a terminal or a
// viewer would obey: an unsafe character or invalid UTF-8 (LF and TAB are
// fine). allowCRLF lets CR pass before LF (CSV line ends); markup says
// the output is Markdown or HTML, where a character reference is decoded.
func rawUnsafe(t *testing.T, what, out string, allowCRLF, markup bool) {
	t.Helper()
	if allowCRLF {
		out = strings.ReplaceAll(out, "\r\n", "\n")
	}
	if i := safetext.Index(out, false); i >= 0 {
		r, _ := utf8.DecodeRuneInString(out[i:])
		t.Errorf("%s holds %U raw at byte %d: …%q…", what, r, i, out[max(0, i-40):min(len(out), i+40)])
	}
	// A character reference in Markdown or HTML text would be decoded
	// into the character it names.
	if markup && (strings.Contains(out, "&#x202e;") || strings.Contains(out, "&#27;")) {
		t.Errorf("%s holds a raw character reference", what)
	}
}

func TestHostileMatrixWriters(t *testing.T) {
	for name, p := range map[string]comms.Plan{
		"texts":      hostilePlan(t, "Format", "TimeZone", "RRule", "Within", "Calendar"),
		"everything": hostilePlan(t),
	} {
		t.Run(name, func(t *testing.T) {
			m := matrix.Build(p)
			var md, cs, ht bytes.Buffer
			if err := m.WriteMarkdown(&md); err != nil {
				t.Fatal(err)
			}
			rawUnsafe(t, "Markdown", md.String(), false, true)
			if n := strings.Count(md.String(), "\n"); n != len(m.Rows)+2 {
				t.Errorf("Markdown has %d lines, want %d (a cell broke its row)", n, len(m.Rows)+2)
			}
			if !strings.Contains(md.String(), `invoice\\u202egpj.exe`) {
				t.Error("Markdown does not spell out U+202E")
			}

			if err := m.WriteCSV(&cs); err != nil {
				t.Fatal(err)
			}
			rawUnsafe(t, "CSV", cs.String(), true, false)
			rows, err := csv.NewReader(bytes.NewReader(cs.Bytes())).ReadAll()
			if err != nil || len(rows) != len(m.Rows)+1 {
				t.Errorf("CSV: %d records, %v", len(rows), err)
			}
			for _, row := range rows[1:] {
				for _, c := range row {
					if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
						t.Errorf("CSV cell starts a formula: %q", c)
					}
				}
			}

			if err := m.WriteHTML(&ht); err != nil {
				t.Fatal(err)
			}
			rawUnsafe(t, "HTML", ht.String(), false, true)
			if strings.Contains(ht.String(), "<script>") {
				t.Error("HTML holds markup from the plan")
			}
			if !strings.Contains(ht.String(), `id="escaped"`) || !strings.Contains(ht.String(), `invoice\u202egpj.exe`) {
				t.Error("HTML does not say that it spelled characters out")
			}
		})
	}
}

func TestHostileCheckReport(t *testing.T) {
	texts := hostileTexts(t)
	for name, p := range map[string]comms.Plan{
		"texts":      hostilePlan(t, "Format", "TimeZone", "RRule", "Within", "Calendar"),
		"everything": hostilePlan(t),
	} {
		t.Run(name, func(t *testing.T) {
			first := matrix.Check(p, matrix.At(ref))
			if len(first.Findings) == 0 {
				t.Fatal("no findings to show")
			}
			f0 := first.Findings[0]
			r := matrix.Check(p, matrix.At(ref), matrix.Waive(f0.Rule, f0.Subject.ID, "accepted\x1b]0;x\a \u202eevil"))
			if !r.Findings[findingIndex(r.Findings, f0.Rule)].Waived {
				t.Fatalf("the waiver did not apply to %s", f0.Rule)
			}
			// Findings as hostile as a vendor's own rule may make them.
			r.Findings = append(r.Findings, matrix.Finding{Rule: "VENDOR" + texts[0], Severity: matrix.SeverityWarning, Clause: "7.4" + texts[11],
				Subject: matrix.Subject{Kind: "activity\u202e", ID: texts[6], Path: texts[22]}, Path: texts[22],
				Message: texts[22], Hint: texts[5], Waived: true, WaiverReason: texts[1]})
			r.PlanID += texts[2]

			want := 1
			for _, f := range r.Findings {
				want++
				if f.Waived || f.Hint != "" {
					want++
				}
			}
			for _, color := range []bool{false, true} {
				var b bytes.Buffer
				if err := r.WriteText(&b, matrix.TextOptions{File: "plan\x1b[2J.yaml", Color: color}); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				if color {
					out = regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(out, "") // the report's own colours
				}
				rawUnsafe(t, "text", out, false, false)
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if len(lines) != want {
					t.Errorf("text report has %d lines, want %d: a text forged lines", len(lines), want)
				}
				for _, l := range lines {
					if strings.HasPrefix(l, "error FAKE-RULE") {
						t.Errorf("forged line: %q", l)
					}
				}
			}

			var js bytes.Buffer
			if err := r.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			rawUnsafe(t, "JSON", js.String(), false, false)
			var back matrix.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			// JSON is exact: the escapes decode to the original texts.
			for i := range r.Findings {
				g, w := back.Findings[i], r.Findings[i]
				if g.Message != valid(w.Message) || g.WaiverReason != valid(w.WaiverReason) || g.Subject.ID != valid(w.Subject.ID) {
					t.Errorf("finding %d did not survive JSON: %+v\nwant %+v", i, g, w)
				}
			}

			for _, rules := range [][]matrix.CheckInfo{nil, {{ID: "VENDOR" + texts[0], Severity: matrix.SeverityWarning, Clause: texts[12], Title: texts[13], Doc: texts[22]}}} {
				var sarif bytes.Buffer
				if err := r.WriteSARIF(&sarif, matrix.SARIFOptions{URI: "plans/\u202eevil.yaml", ToolVersion: "1\x1b", Rules: rules}); err != nil {
					t.Fatal(err)
				}
				rawUnsafe(t, "SARIF", sarif.String(), false, false)
				// What a code-scanning UI shows holds nothing to obey
				// either: the texts themselves are spelled out.
				var log any
				if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
					t.Fatal(err)
				}
				var walk func(v any)
				walk = func(v any) {
					switch v := v.(type) {
					case string:
						if i := safetext.Index(v, false); i >= 0 {
							t.Errorf("SARIF text shown as it is: %q", v)
						}
					case []any:
						for _, e := range v {
							walk(e)
						}
					case map[string]any:
						for _, e := range v {
							walk(e)
						}
					}
				}
				walk(log)
			}
		})
	}
}

// valid is s as encoding/json writes it: each invalid byte as U+FFFD.
func valid(s string) string { return string([]rune(s)) }

func findingIndex(fs []matrix.Finding, rule string) int {
	for i, f := range fs {
		if f.Rule == rule {
			return i
		}
	}
	return -1
}
