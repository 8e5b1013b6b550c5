package schedule

import (
	"fmt"
	"strings"
)

// contextError is an error of this package said in a context ("activity
// a0"): "schedule: activity a0: rrule ..." rather than "schedule: activity
// a0: schedule: rrule ...". It unwraps to the error it annotates.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg }
func (e *contextError) Unwrap() error { return e.err }

// inContext returns err annotated with the context format names, with
// this package's prefix said once.
func inContext(err error, format string, args ...any) error {
	inner := strings.TrimPrefix(err.Error(), "schedule: ")
	return &contextError{msg: "schedule: " + fmt.Sprintf(format, args...) + ": " + inner, err: err}
}
