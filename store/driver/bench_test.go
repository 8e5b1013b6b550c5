package driver_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store/driver"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// Reading a stored plan back: driver.DecodePlan on the compact form the
// stores now keep, next to what they did before — comms.DecodePlan (the
// hostile-text decoder, with positions and full validation) on the
// indented form of comms.EncodeJSON. The indented form of 20,000
// activities is over the 4 MiB limit, so comms.DecodePlan refuses it.
//
//	go test ./store/driver/ -run XXX -bench PlanReadBack -benchmem
func BenchmarkPlanReadBack(b *testing.B) {
	for _, n := range []int{2_000, 10_000, 20_000} {
		p := storetest.LargePlan("big", n)
		compact, err := driver.EncodePlan(p)
		if err != nil {
			b.Fatal(err)
		}
		var indented bytes.Buffer
		comms.EncodeJSON(&indented, p)
		b.Run(fmt.Sprintf("DecodePlan/compact/activities=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(compact)), "stored-bytes")
			for i := 0; i < b.N; i++ {
				if _, err := driver.DecodePlan(compact); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("comms.DecodePlan/indented/activities=%d", n), func(b *testing.B) {
			if indented.Len() > comms.MaxPlanSize {
				b.Skipf("the indented form is %d bytes, over comms.MaxPlanSize: unreadable", indented.Len())
			}
			b.ReportAllocs()
			b.ReportMetric(float64(indented.Len()), "stored-bytes")
			for i := 0; i < b.N; i++ {
				if _, err := comms.DecodePlan(bytes.NewReader(indented.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
