package oscal_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaFile = "testdata/oscal_complete_schema.json"

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func compileOSCAL(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		raw, err := os.ReadFile(schemaFile)
		if err != nil {
			schemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			schemaErr = err
			return
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		n := refSiblings(doc)
		if n == 0 {
			schemaErr = errors.New("no definition has both $id and $ref: the schema is not the one this test was written for")
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.UseRegexpEngine(ecmaRegexp)
		if err := c.AddResource(id, doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile(id)
	})
	if schemaErr != nil {
		t.Fatalf("the OSCAL schema does not compile: %v", schemaErr)
	}
	return schema
}

// refSiblings rewrites, in the decoded schema, every object with both
// "$id" and "$ref" into {"$id": ..., "allOf": [{"$ref": ...}]}, and
// returns how many it rewrote.
//
// NIST's OSCAL JSON schemas declare draft-07 and give many definitions
// an "$id" (the anchor other definitions "$ref" them by, such as
// "#field_oscal-metadata_remarks") next to a "$ref". Draft-07 says that
// every other keyword beside "$ref" MUST be ignored, "$id" included
// (draft-handrews-json-schema-01 §8.3), so a conforming validator such
// as santhosh-tekuri/jsonschema finds no such anchor and refuses the
// schema. Moving the "$ref" into an "allOf" keeps both meanings the
// schema's authors intend (the object is named by its "$id" and
// validates as its "$ref"), and is what other OSCAL tools do with these
// schemas (defenseunicorns/go-oscal's "doctor"). The file in testdata
// stays as published; TestSchemaFile checks its digest.
func refSiblings(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		_, hasID := v["$id"]
		if ref, ok := v["$ref"]; ok && hasID {
			delete(v, "$ref")
			all, _ := v["allOf"].([]any)
			v["allOf"] = append(all, map[string]any{"$ref": ref})
			n++
		}
		for _, x := range v {
			n += refSiblings(x)
		}
	case []any:
		for _, x := range v {
			n += refSiblings(x)
		}
	}
	return n
}

func TestSchemaCompiles(t *testing.T) { compileOSCAL(t) }

// ecmaSpace is ECMAScript's \s (ECMA-262 WhiteSpace and LineTerminator),
// as members of a Go character class.
const ecmaSpace = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// ecmaRegexp compiles a JSON Schema pattern, which is an ECMA-262
// regular expression, with Go's regexp package, translating what the two
// read differently in the patterns of OSCAL's schemas: \s and \S, which
// are ASCII in Go and Unicode in ECMAScript, and "." outside a
// character class, which in ECMAScript matches no line terminator (LF,
// CR, U+2028, U+2029) and in Go matches all but LF (OSCAL's StringDatatype,
// "^\S(.*\S)?$", must refuse a string that begins with a no-break space,
// as an ECMAScript validator does). \p{L} and \p{N} (TokenDatatype)
// mean the same in both. A pattern with \S inside a character class has
// no exact translation here and is refused, rather than read otherwise.
func ecmaRegexp(pattern string) (jsonschema.Regexp, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			next := pattern[i+1]
			i++
			switch {
			case next == 's' && inClass:
				b.WriteString(ecmaSpace)
			case next == 's':
				b.WriteString("[" + ecmaSpace + "]")
			case next == 'S' && inClass:
				return nil, fmt.Errorf("pattern %q: \\S in a character class is not translated", pattern)
			case next == 'S':
				b.WriteString("[^" + ecmaSpace + "]")
			default:
				b.WriteByte(c)
				b.WriteByte(next)
			}
		case c == '.' && !inClass:
			// ECMA-262's "." (without the s flag) excludes every
			// LineTerminator; Go's only "\n".
			b.WriteString(`[^\n\r\x{2028}\x{2029}]`)
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return regexp.Compile(b.String())
}

// The translated patterns match as ECMA-262 (node's new RegExp(p, "u"))
// does, for OSCAL's StringDatatype, TokenDatatype and URI patterns; the
// want column is what node v20.20.2 answers.
func TestECMARegexp(t *testing.T) {
	const str, tok, uri = `^\S(.*\S)?$`, `^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`, `^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$`
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{str, "a", true}, {str, "a b", true}, {str, "a\rb", false}, {str, "a\nb", false}, {str, "a\u2028b", false},
		{str, "a\u2029b", false}, {str, "a\u0085b", true}, {str, "\u0085", true}, {str, "a\u00a0b", true}, {str, "\u00a0a", false},
		{str, "a\ufeff", false}, {str, "\ufeffa", false}, {str, "a\u200bb", true}, {str, "\u200b", true}, {str, "a\u3000", false},
		{str, "a\u180e", true}, {str, "\x00", true}, {str, "", false}, {str, " ", false}, {str, "a\tb", true},
		{tok, "a.b-c_1", true}, {tok, "_1", true}, {tok, "1a", false}, {tok, "a b", false}, {tok, "ä\u0663", true}, {tok, "a\rb", false},
		{uri, "https://x", true}, {uri, "ab:c\rd", false}, {uri, "ab:\u2028", false}, {uri, "a.b:c", true}, {uri, "1a:b", false}, {uri, "ab.c:d", true},
	} {
		re, err := ecmaRegexp(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(c.s); got != c.want {
			t.Errorf("%s on %+q: %v, ECMA-262 says %v", c.pattern, c.s, got, c.want)
		}
	}
}
