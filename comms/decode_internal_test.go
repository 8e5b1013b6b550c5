package comms

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// aliasWalks are YAML plans that make a decoder walk far more nodes than
// the file holds, through aliases and merge keys: each must be decoded or
// refused in a number of steps bounded by the value cap.
var aliasWalks = []struct {
	name string
	data func() string
}{
	{"merge of lists of lists of empty mappings (the review's 539 bytes)", func() string {
		var b strings.Builder
		b.WriteString("id: x\nx-m: &m {}\n")
		prev := "m"
		for k := 1; k <= 9; k++ {
			fmt.Fprintf(&b, "x-s%d: &s%d [%s]\n", k, k, strings.TrimSuffix(strings.Repeat("*"+prev+",", 10), ","))
			prev = fmt.Sprintf("s%d", k)
		}
		b.WriteString("roles:\n  - <<: *" + prev + "\n    id: r\n")
		return b.String()
	}},
	{"merge of lists of lists of mappings", func() string {
		var b strings.Builder
		b.WriteString("id: x\nroles:\n  - &m {id: q}\nstakeholders:\n")
		prev := "m"
		for k := 1; k <= 7; k++ {
			fmt.Fprintf(&b, "  - &s%d [%s]\n", k, strings.TrimSuffix(strings.Repeat("*"+prev+",", 10), ","))
			prev = fmt.Sprintf("s%d", k)
		}
		b.WriteString("channels:\n  - <<: *" + prev + "\n    id: r\n")
		return b.String()
	}},
	{"mappings that merge ten copies of the one before, nine deep", func() string {
		var b strings.Builder
		b.WriteString("id: x\nx-0: &m0 {name: n}\n")
		for k := 1; k <= 9; k++ {
			fmt.Fprintf(&b, "x-%d: &m%d {<<: [%s]}\n", k, k, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", k-1), 10), ","))
		}
		b.WriteString("roles: [{id: r, <<: *m9}]\n")
		return b.String()
	}},
	{"a merged mapping of 20000 keys, each overridden, used 2000 times", func() string {
		var b strings.Builder
		b.WriteString("id: x\nx-base: &b {")
		for i := 0; i < 20000; i++ {
			fmt.Fprintf(&b, "id: %d, ", i)
		}
		b.WriteString("name: n}\nroles:\n")
		for i := 0; i < 2000; i++ {
			fmt.Fprintf(&b, "  - {id: r%d, <<: *b}\n", i)
		}
		return b.String()
	}},
	{"a mapping of 20000 unknown fields aliased 20000 times", func() string {
		var b strings.Builder
		b.WriteString("id: x\nx-a: &a {")
		for i := 0; i < 20000; i++ {
			fmt.Fprintf(&b, "k%d: x, ", i)
		}
		b.WriteString("id: r}\nroles: [")
		b.WriteString(strings.TrimSuffix(strings.Repeat("*a,", 20000), ","))
		b.WriteString("]\n")
		return b.String()
	}},
	{"a mapping of 20000 repeated keys aliased 20000 times", func() string {
		var b strings.Builder
		b.WriteString("id: x\nx-a: &a {")
		for i := 0; i < 20000; i++ {
			b.WriteString("name: x, ")
		}
		b.WriteString("id: r}\nroles: [")
		b.WriteString(strings.TrimSuffix(strings.Repeat("*a,", 20000), ","))
		b.WriteString("]\n")
		return b.String()
	}},
	{"a mapping that merges itself", func() string { return "id: x\nroles: [&a {id: r, <<: *a}]\n" }},
	{"a list whose mapping merges the list", func() string { return "id: x\nroles: &a [{id: r, <<: *a}]\n" }},
	{"a chain of 5000 merges", func() string {
		var b strings.Builder
		b.WriteString("id: x\nx-0: &m0 {name: n}\n")
		for k := 1; k <= 5000; k++ {
			fmt.Fprintf(&b, "x-%d: &m%d {<<: *m%d}\n", k, k, k-1)
		}
		b.WriteString("roles: [{id: r, <<: *m5000}]\n")
		return b.String()
	}},
}

// TestAliasWalksBounded: every walk of the decoder (values, keys, merge
// keys, through aliases) counts what it walks, so the hostile plans above
// take at most a few times maxValues steps. Before merge keys counted
// their lists, the first took 35 s and a billion steps. The timeout is
// only a backstop.
func TestAliasWalksBounded(t *testing.T) {
	var steps int
	decodeSteps = &steps
	defer func() { decodeSteps = nil }()
	for _, tc := range aliasWalks {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			if len(data) > MaxPlanSize {
				t.Fatalf("%d bytes", len(data))
			}
			timer := time.AfterFunc(60*time.Second, func() { panic("the decoder hangs on " + tc.name) })
			defer timer.Stop()
			steps = 0
			_, err := DecodePlan(bytes.NewReader([]byte(data)))
			t.Logf("%d bytes: %d steps: %.200v", len(data), steps, err)
			if steps > 3*maxValues {
				t.Errorf("%d steps, more than 3 × %d", steps, maxValues)
			}
			if err == nil {
				t.Errorf("accepted")
			}
		})
	}
}
