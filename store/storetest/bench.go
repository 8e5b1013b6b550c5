package storetest

import (
	"fmt"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// LogRecord returns the i-th record (from 1) of a log as a programme
// writes it, for benchmarks that read a large log back: three in four are
// communications with an idempotency key (record format v2), one in four
// an acknowledgement by a person of its own (v3, which fills the
// acknowledgement's stored columns). Every store's benchmarks use it, so
// that their figures are of the same data.
func LogRecord(i int) comms.Record {
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	if i%4 == 0 {
		return Ack("policy", fmt.Sprintf("E-%07d", i), at)
	}
	r := Record(fmt.Sprintf("a%d", i%20), at)
	r.IdempotencyKey = fmt.Sprintf("msg-%07d", i)
	return r
}
