package comms_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// budgetPlan: more distinct costly rules than the plan's work budget
// allows (each about 1,500 steps; their starts differ, so no cache shares
// them).
func budgetPlan() []byte {
	return rulePlan(12000, func(int) string { return "FREQ=DAILY;INTERVAL=40;BYMONTHDAY=31;BYDAY=MO" }, func(i int) string {
		return fmt.Sprintf("%04d-%02d-%02dT09:00", 2000+i/336, 1+i/28%12, 1+i%28)
	})
}

// manyProblems: a list of 200,000 references to stakeholders the plan
// does not declare.
func manyProblems() []byte {
	var b strings.Builder
	b.WriteString("{\"id\": \"a\", \"activities\": [{\"id\": \"x\", \"whom\": [")
	for i := 0; i < 200_000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\"s%d\"", i)
	}
	b.WriteString("]}]}")
	return []byte(b.String())
}

// unknownFields: a mapping of 90,000 fields the plan does not have, each
// of which asks for a suggestion.
func unknownFields() []byte {
	var b strings.Builder
	b.WriteString("id: a\n")
	for i := 0; i < 90_000; i++ {
		fmt.Fprintf(&b, "f%d: x\n", i)
	}
	return []byte(b.String())
}

// longValues: values of 900 KB where the messages quote values.
func longValues() []byte {
	big := strings.Repeat("x", 900_000)
	return []byte("id: " + big + "\nstakeholders: [{id: s, kind: " + big + "}]\nactivities: [{id: a, whom: [" + big + "], when: {trigger: " + big + "}}]\n")
}

// flatJSON: the flat list as JSON, two bytes a value.
func flatJSON() []byte {
	return []byte("{\"id\": \"a\", \"x\": [" + strings.Repeat("1,", 2_000_000) + "1]}")
}

// TestHostileCorpus holds every cost class of issue 12 to the contract:
// decoded or refused with at most 256 MiB allocated (counted, the whole
// allocation and not only what is live), a bounded list of located
// problems, and a generous timeout as the backstop.
func TestHostileCorpus(t *testing.T) {
	cases := []struct {
		name string
		data func() []byte
		want string // in the error; "" when the plan must decode
	}{
		{"rules with COUNT=60000000", countPlan, ""},
		{"2000 copies of a rule that never matches", func() []byte { return unsatCopies("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6") }, "and 1700 more problems"},
		{"2000 copies of a daily rule that never matches", func() []byte { return unsatCopies("FREQ=DAILY;BYHOUR=9;BYSETPOS=2") }, "never matches"},
		{"2000 distinct rules that never match", unsatDistinct, "never matches"},
		{"12000 costly rules", budgetPlan, "checking the plan's recurrence rules takes too long"},
		{"4 MiB of JSON tokens on one line", func() []byte { return jsonTokens(4<<20 - 64) }, "more than 500000 values"},
		{"stored plan of 20000 activities", func() []byte { return storedPlan(20000) }, ""},
		{"1 MiB aliased 300 times", func() []byte { return aliasBomb(1<<20, 300) }, "text is longer than 4194304 bytes"},
		{"flow list of 2 million scalars", func() []byte { return flatList(2_000_000) }, "too many elements"},
		{"JSON list of 2 million numbers", flatJSON, "more than 500000 values"},
		{"200000 undeclared references", manyProblems, "and 199700 more problems"},
		{"90000 unknown fields", unknownFields, "and 89700 more problems"},
		{"values of 900 KB", longValues, "not a valid id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			if len(data) > comms.MaxPlanSize {
				t.Fatalf("the input is %d bytes, over the cap", len(data))
			}
			timer := time.AfterFunc(30*time.Second, func() { panic("DecodePlanSource hangs on " + tc.name) })
			defer timer.Stop()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err := comms.DecodePlanSource(bytes.NewReader(data), "hostile")
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("%d KB of input: %d MiB allocated", len(data)/1000, alloc>>20)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %.500v", err)
				}
				return
			}
			var perr *comms.PlanError
			if !errors.As(err, &perr) {
				t.Fatalf("got %v, want a *PlanError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("the error does not say %q:\n%.1000s", tc.want, err)
			}
			if n := len(perr.Problems); n > comms.MaxProblems+1 {
				t.Errorf("%d problems listed", n)
			}
			if len(err.Error()) > 200_000 {
				t.Errorf("the error is %d bytes long", len(err.Error()))
			}
			first := perr.Problems[0]
			if !first.Pos.IsValid() {
				t.Errorf("the first problem has no position: %+v", first)
			}
		})
	}
}

// TestStoredPlanLinear: reading a stored plan back (comms.EncodeJSON's
// output, as the stores read it) allocates in proportion to its size: the
// same per activity for 2,000 activities as for 20,000 (the JSON decoder
// used to locate every token by counting from the start of the file).
func TestStoredPlanLinear(t *testing.T) {
	perActivity := func(n int) float64 {
		data := storedPlan(n)
		return testing.AllocsPerRun(2, func() {
			if _, _, err := comms.DecodePlanSource(bytes.NewReader(data), ""); err != nil {
				t.Fatal(err)
			}
		}) / float64(n)
	}
	small, big := perActivity(2000), perActivity(20000)
	t.Logf("allocations per activity: %.1f for 2,000 activities, %.1f for 20,000", small, big)
	if big > 40 || big > small*1.25 {
		t.Errorf("allocations per activity: %.1f for 2,000 activities, %.1f for 20,000", small, big)
	}
}

// TestProblemCap: a plan with more problems than MaxProblems lists the
// first ones, sorted, and then one problem that counts the rest; the
// PlanError stays usable.
func TestProblemCap(t *testing.T) {
	_, _, err := comms.DecodePlanSource(bytes.NewReader(manyProblems()), "many.json")
	var perr *comms.PlanError
	if !errors.As(err, &perr) {
		t.Fatalf("got %v", err)
	}
	if len(perr.Problems) != comms.MaxProblems+1 {
		t.Fatalf("%d problems", len(perr.Problems))
	}
	for i, p := range perr.Problems[:comms.MaxProblems] {
		if !p.Pos.IsValid() || p.Path == "" || !strings.Contains(p.Message, "is not declared") {
			t.Fatalf("problem %d: %+v", i, p)
		}
		if i > 0 && p.Pos.Column < perr.Problems[i-1].Pos.Column {
			t.Fatalf("problems out of order at %d", i)
		}
	}
	last := perr.Problems[comms.MaxProblems]
	if last.Message != "and 199700 more problems" || last.Pos.IsValid() || last.Path != "" {
		t.Errorf("last problem: %+v", last)
	}
	if !strings.HasPrefix(err.Error(), "many.json: 301 problems:") || !strings.HasSuffix(err.Error(), "many.json: and 199700 more problems") {
		t.Errorf("error text: %.200s … %s", err, err.Error()[len(err.Error())-100:])
	}
}
