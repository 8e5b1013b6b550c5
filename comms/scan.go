package comms

import (
	"fmt"
	"unicode/utf8"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// scan is a pass over the raw bytes of a plan file, before any parser sees
// them, in time linear in their length.
//
// It refuses at once, with the line and column, what neither parser would
// locate or what would make the YAML parser count lines differently: bytes
// that are not UTF-8, NUL and the other C0 controls but TAB, LF and the CR
// of a CRLF line end, and in YAML also DEL, the C1 controls (NEL, U+0085,
// among them), the line separators U+2028 and U+2029 and the noncharacters
// U+FFFE and U+FFFF. The other characters safetext.Unsafe names (in JSON
// strings: DEL, C1 controls, bidirectional formatting characters; in YAML:
// bidirectional formatting characters) are left to the checks of each
// field, which name its path; scan remembers the first of them, and the
// plan is refused with it if no field check refused it (it was in a YAML
// comment or a key).
//
// For YAML it also bounds, from above, how many nodes the YAML parser
// would build, so that a file which would make it build millions is
// refused before it builds any. The bound: the YAML parser
// (go.yaml.in/yaml/v3) builds one node per scalar, alias, collection and
// document, and an empty scalar for each key or value left out. Each of
// these starts after a line break or an indicator: ',', '[', '{' and ':'
// (which in a flow collection need no blank after them), and '-' and '?'
// followed by a blank. A line break starts at most one node (a block
// mapping's next key); an indicator at most two (a key and its empty value
// after ',' or '{', a mapping and its first key after ':' in a flow
// sequence, a nested collection and its first entry). So the parser builds
// at most 4 + 2·(indicators) + (line breaks) nodes. The bound counts such
// characters inside quoted scalars and comments too, so it is larger than
// the true count, about twice for a plan written by hand. A fuzz test
// (FuzzYAMLNodeBound) holds the parser to it.
type scan struct {
	// body is data without a leading UTF-8 byte order mark.
	body []byte
	// json is true when the first character that is not blank is '{'.
	json bool
	// nodes bounds the number of nodes the YAML parser builds for body;
	// it is not computed for JSON.
	nodes int
	// overAt is where the bound first passed maxYAMLNodes, if it did.
	overAt Position
	// bad describes the first character refused at once, at badAt.
	bad   string
	badAt Position
	// later describes the first unsafe character left to the field
	// checks, at laterAt.
	later   string
	laterAt Position
}

// maxYAMLNodes bounds the nodes the YAML parser may build for one plan, as
// scanPlan counts them (about twice the true number for a plan written by
// hand). The parser builds about one node per microsecond and keeps about
// 200 bytes per node, so the bound keeps any file within about a third of
// a second and 60 MiB of it; a plan of 150,000 nodes (some 1.8 MB, or
// 6,000 activities) still fits, where the starter plan has 760. JSON plans
// are parsed here and counted exactly against maxValues.
const maxYAMLNodes = 300_000

// plain marks the bytes scanPlan has nothing to do for: printable ASCII
// other than the YAML indicators it counts.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range ",[{:-?" {
		t[c] = false
	}
	return t
}()

func scanPlan(data []byte) scan {
	var sc scan
	sc.body = data
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		sc.body = data[3:] // a byte order mark: YAML skips it, and so does JSON here
	}
	body := sc.body
	for i := 0; i < len(body); i++ {
		if c := body[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			sc.json = c == '{'
			break
		}
	}
	line, lineStart := 1, 0
	pos := func(i int) Position {
		return Position{Line: line, Column: utf8.RuneCount(body[lineStart:i]) + 1}
	}
	nodes := 4 // the bound, counted as it goes
	for i := 0; i < len(body); {
		c := body[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
				line, lineStart = line+1, i+1
				nodes++
			case c == '\r' && i+1 < len(body) && body[i+1] == '\n':
			case c == '\t':
			case c < 0x20 || c == 0x7f && !sc.json:
				sc.bad, sc.badAt = describe(body[i:], rune(c)), pos(i)
				return sc
			case c == 0x7f:
				sc.leave(body[i:], rune(c), pos(i))
			case c == ',' || c == '[' || c == '{' || c == ':':
				nodes += 2
			case c == '-' || c == '?':
				if i+1 == len(body) || body[i+1] == ' ' || body[i+1] == '\t' || body[i+1] == '\r' || body[i+1] == '\n' {
					nodes += 2
				}
			}
			i++
		} else {
			r, size := utf8.DecodeRune(body[i:])
			switch {
			case r == utf8.RuneError && size <= 1,
				!sc.json && (r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff):
				sc.bad, sc.badAt = describe(body[i:], r), pos(i)
				return sc
			case safetext.Unsafe(r):
				sc.leave(body[i:], r, pos(i))
			}
			i += size
		}
		if nodes > maxYAMLNodes && !sc.overAt.IsValid() {
			sc.overAt = pos(i)
		}
	}
	sc.nodes = nodes
	return sc
}

func (sc *scan) leave(s []byte, r rune, at Position) {
	if sc.later == "" {
		sc.later, sc.laterAt = describe(s, r), at
	}
}

// describe says why the character r that s starts with is refused.
func describe(s []byte, r rune) string {
	switch {
	case r == utf8.RuneError:
		return fmt.Sprintf("invalid UTF-8 (byte 0x%02x)", s[0])
	case r == 0:
		return "a NUL byte (U+0000) is not allowed in a plan file"
	case r == '\r':
		return "a carriage return (U+000D) not followed by a line feed is not allowed in a plan file"
	}
	return fmt.Sprintf("the character %U (%s) is not allowed in a plan file: it is a control, bidirectional formatting or line separator character", r, safetext.Escape(string(r)))
}
