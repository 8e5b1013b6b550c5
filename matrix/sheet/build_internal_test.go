package sheet

import (
	"strconv"
	"testing"
)

// TestIDSetProbes: 20,000 names that make one slug ("a" and a CJK
// character, which slug drops) cost a bounded number of probes each, not
// one per name made before (D2: the suffix loop was quadratic).
func TestIDSetProbes(t *testing.T) {
	const n = 20000
	s := newIDSet("stakeholder")
	seen := make(map[string]bool, n)
	for i := range n {
		name := "a" + string(rune(0x4E00+i))
		_, id, isNew := s.id(name, i)
		if !isNew || seen[id] {
			t.Fatalf("name %d: id %q new %v (seen %v)", i, id, isNew, seen[id])
		}
		seen[id] = true
	}
	if s.probes > 3*n {
		t.Errorf("%d names making one slug: %d probes, want at most %d", n, s.probes, 3*n)
	}
	// An ID a name takes that another base's suffix would make later
	// ("a-20001" written as a name) is still not given twice.
	_, id, _ := s.id("a-"+strconv.Itoa(n+1), n)
	_, id2, _ := s.id("a"+string(rune(0x4E00+n)), n+1)
	if id == id2 {
		t.Errorf("two names got the ID %q", id)
	}

	// Activities of one name: the same bound.
	acts := newIDSet("row")
	for range n {
		acts.unique("review", 2)
	}
	if acts.probes > 3*n {
		t.Errorf("%d activities of one name: %d probes", n, acts.probes)
	}
}
