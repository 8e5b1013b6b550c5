package comms_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

// BenchmarkHostile decodes the worst input of each cost class of issue 12.
// Run it with -benchmem: the table of input class, size, time and
// allocations in the README comes from it. Every case uses the public API
// only, so that it runs unchanged against older versions.
//
//	go test ./comms/ -run XXX -bench Hostile -benchmem -benchtime 3x
func BenchmarkHostile(b *testing.B) {
	cases := []struct {
		name string
		data func() []byte
	}{
		{"count/50-rules-COUNT=60M", countPlan},
		{"unsat/2000-copies-monthly-setpos", func() []byte { return unsatCopies("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6") }},
		{"unsat/2000-copies-daily-setpos", func() []byte { return unsatCopies("FREQ=DAILY;BYHOUR=9;BYSETPOS=2") }},
		{"unsat/2000-distinct", unsatDistinct},
		{"json/64KiB-tokens", func() []byte { return jsonTokens(64 << 10) }},
		{"json/512KiB-tokens", func() []byte { return jsonTokens(512 << 10) }},
		{"json/4MiB-tokens", func() []byte { return jsonTokens(4<<20 - 64) }},
		{"json/stored-20000-activities", func() []byte { return storedPlan(20000) }},
		{"alias/1MiB-x300", func() []byte { return aliasBomb(1<<20, 300) }},
		{"flat/2M-scalars", func() []byte { return flatList(2_000_000) }},
	}
	for _, tc := range cases {
		data := tc.data()
		b.Run(fmt.Sprintf("%s/%dKB", tc.name, len(data)/1000), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				_, _, err := comms.DecodePlanSource(bytes.NewReader(data), "hostile")
				if i == 0 && b.N == 1 {
					var perr *comms.PlanError
					if err != nil && !errorsAs(err, &perr) {
						b.Fatal(err)
					}
					n := 0
					if perr != nil {
						n = len(perr.Problems)
					}
					b.ReportMetric(float64(n), "problems")
				}
			}
		})
	}
}

// BenchmarkEncodeAliasBomb: what an accepted alias bomb costs the next
// reader (a store, a report).
func BenchmarkEncodeAliasBomb(b *testing.B) {
	data := aliasBomb(1<<20, 300)
	p, _, err := comms.DecodePlanSource(bytes.NewReader(data), "")
	if err != nil {
		b.Skipf("refused: %.200v", err)
	}
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		comms.EncodeJSON(&buf, p)
		b.SetBytes(int64(buf.Len()))
	}
}

func errorsAs(err error, target **comms.PlanError) bool {
	pe, ok := err.(*comms.PlanError)
	if ok {
		*target = pe
	}
	return ok
}
