package comms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// seeds are the plan files of the tests, for the fuzz targets below.
func seeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*")
	files = append(files, "../examples/plans/starter.yaml", "../examples/plans/starter-gdpr-nis2.yaml")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"{a, b, c}", "[a: b, c: d]", "[: , : ]", "- - - a", "? a\n? b\n: c", "a:\n b:\n  c:",
		"{? a}", "--- a\n--- b", "[[[[]]]]", "x: &a [*a]", "a: |\n  b: [c, d]\n  e", "{a: [b, {c: d}], e}",
		"[a, b]: c", "- ? a\n  : b", "!!map {a: b}", "\ufeffa: b", "a:\r\n  - b\r\n",
	} {
		f.Add([]byte(s))
	}
}

// FuzzYAMLNodeBound holds the YAML parser to the bound scanPlan computes:
// however the input is made, the nodes it builds for all its documents
// are no more than the bound, so refusing a file whose bound is too high
// before parsing it is enough to bound the parser's memory.
func FuzzYAMLNodeBound(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hangs on %q", data)) })
		defer timer.Stop()
		sc := scanPlan(data)
		if sc.bad != "" || len(data) > 1<<16 {
			return
		}
		dec := yaml.NewDecoder(bytes.NewReader(sc.body))
		total := 0
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if err != nil {
				break
			}
			total += countTree(&doc, map[*yaml.Node]bool{})
		}
		if total > sc.nodes {
			t.Fatalf("the parser built %d nodes, more than the bound %d, for %q", total, sc.nodes, data)
		}
	})
}

// countTree counts the nodes of a tree, each once.
func countTree(n *yaml.Node, seen map[*yaml.Node]bool) int {
	if n == nil || seen[n] {
		return 0
	}
	seen[n] = true
	c := 1
	for _, k := range n.Content {
		c += countTree(k, seen)
	}
	return c
}

// FuzzJSONParser checks the JSON parser against encoding/json: the same
// inputs are valid, they give the same values, and every value's line and
// column is where encoding/json's tokens start.
func FuzzJSONParser(f *testing.F) {
	seeds(f)
	for _, s := range []string{
		`{"a": [1, -0, 2.5e-3, true, false, null, "x\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t"]}`,
		`{"a":{"b":{"c":[[],{}]}}}`, `{"\ud800": "\udc00\ud800x"}`, `{"a": 01}`, `{"a": 1.}`, `{"a": -}`, `{"a": tru}`,
		`{"a": "é", "b": "日本"}`, "{\n\t\"a\":\r\n1}", `{"a" 1}`, `{"a": 1,}`, `[1]`, `{"a": 1} {}`, `{"a": "\x01"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 4096 || data[0] != '{' || !utf8.Valid(data) {
			return // the reference positions are computed the slow way
		}
		timer := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("the JSON parser hangs on %q", data)) })
		defer timer.Stop()
		root, _, jerr := parseJSON(data)
		valid := json.Valid(data)
		if (jerr == nil) != valid {
			if jerr != nil && (strings.Contains(jerr.msg, "nested more than") || strings.Contains(jerr.msg, "values; refusing")) {
				return // limits of plans, not of JSON
			}
			t.Fatalf("json.Valid = %v, parser error %v, for %q", valid, jerr, data)
		}
		if jerr != nil {
			if !jerr.pos.IsValid() {
				t.Fatalf("an error without a position: %v", jerr)
			}
			return
		}
		var got []string
		nodeTokens(root, &got)
		if want := jsonTokens(t, data); !reflect.DeepEqual(got, want) {
			t.Fatalf("tokens differ for %q:\n got %q\nwant %q", data, got, want)
		}
	})
}

// nodeTokens lists a tree the way jsonTokens lists encoding/json's tokens:
// in document order, each value or key with its position.
func nodeTokens(n *yaml.Node, out *[]string) {
	at := Position{Line: n.Line, Column: n.Column}.String()
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		open, end := "{", "}"
		if n.Kind == yaml.SequenceNode {
			open, end = "[", "]"
		}
		*out = append(*out, at+" "+open)
		for _, c := range n.Content {
			nodeTokens(c, out)
		}
		*out = append(*out, end)
		return
	}
	switch n.Tag {
	case "!!int", "!!float":
		*out = append(*out, at+" n:"+n.Value)
	case "!!bool", "!!null":
		*out = append(*out, at+" "+n.Value)
	default:
		*out = append(*out, at+" s:"+n.Value)
	}
}

// jsonTokens lists encoding/json's tokens with where each starts, found
// the slow way the decoder used to: each from the start of the input.
func jsonTokens(t *testing.T, data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []string
	for {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		at := offsetPosition(data, off).String()
		switch v := tok.(type) {
		case json.Delim:
			if v == '}' || v == ']' {
				out = append(out, v.String())
			} else {
				out = append(out, at+" "+v.String())
			}
		case json.Number:
			out = append(out, at+" n:"+v.String())
		case bool:
			out = append(out, at+" "+strconv.FormatBool(v))
		case nil:
			out = append(out, at+" null")
		case string:
			out = append(out, at+" s:"+v)
		}
	}
}

// TestJSONMessages: the parser's messages for bad JSON say what
// encoding/json says, at the character at fault.
func TestJSONMessages(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"{\"a\": [}", `1:8: invalid JSON: invalid character '}' looking for beginning of value`},
		{"{\"a\": 1,}", `1:9: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"{\"a\" 1}", `1:6: invalid JSON: invalid character '1' after object key`},
		{"{\"a\": 1 \"b\"}", `1:9: invalid JSON: invalid character '"' after object key:value pair`},
		{"{\"a\": [1 2]}", `1:10: invalid JSON: invalid character '2' after array element`},
		{"{\"a\": \"x\ty\"}", `1:9: invalid JSON: invalid character '\t' in string literal`},
		{"{\"a\": \"\\q\"}", `1:9: invalid JSON: invalid character 'q' in string escape code`},
		{"{\"a\": \"\\u12x4\"}", `1:12: invalid JSON: invalid character 'x' in \u hexadecimal character escape`},
		{"{\"a\": -x}", `1:8: invalid JSON: invalid character 'x' in numeric literal`},
		{"{\"a\": 1.e}", `1:9: invalid JSON: invalid character 'e' after decimal point in numeric literal`},
		{"{\"a\": 1e+}", `1:10: invalid JSON: invalid character '}' in exponent of numeric literal`},
		{"{\"a\": nul}", `1:10: invalid JSON: invalid character '}' in literal null (expecting 'l')`},
		{"{\"é\": x}", `1:7: invalid JSON: invalid character 'x' looking for beginning of value`},
		{"{\"a\": 1", `1:8: invalid JSON: unexpected end of input`},
		{"{\"a\": 1} x", `1:10: invalid JSON: unexpected data after the top-level value`},
		{"{\"a\": " + strings.Repeat("[", 70), `1:70: the plan is nested more than 64 levels deep`},
	} {
		_, _, jerr := parseJSON([]byte(tc.in))
		if jerr == nil {
			t.Errorf("%q parsed", tc.in)
			continue
		}
		if got := jerr.pos.String() + ": " + jerr.msg; got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// TestJSONLinear: the JSON parser allocates in proportion to its input
// (a few allocations a value, nodes in blocks), for one long line as for
// many short ones.
func TestJSONLinear(t *testing.T) {
	perValue := func(n int) float64 {
		var b strings.Builder
		b.WriteString(`{"a": [`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id": "x` + strconv.Itoa(i) + `", "n": 1}`)
		}
		b.WriteString(`]}`)
		data := []byte(b.String())
		return testing.AllocsPerRun(2, func() {
			if _, _, jerr := parseJSON(data); jerr != nil {
				t.Fatal(jerr.msg)
			}
		}) / float64(5*n)
	}
	small, big := perValue(1000), perValue(40000)
	if big > 1 || big > small*1.2 {
		t.Errorf("allocations per value: %.2f for 5,000 values, %.2f for 200,000", small, big)
	}
}
