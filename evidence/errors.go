package evidence

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors, by category; test them with errors.Is. Errors of the store pass
// through wrapped, so errors.Is(err, store.ErrNotFound) tells a plan or
// event the tenant does not have.
var (
	// ErrInvalid: an argument or option is missing or malformed (no
	// tenant, no plan ID, a zero reference time, a period that ends
	// before it begins). Nothing was read or written.
	ErrInvalid = errors.New("evidence: invalid argument")
	// ErrRefused: a checked write refused what it was given, and wrote
	// nothing: a record that does not fit the plan version it names (the
	// error is a *[RecordError] that lists why), or a milestone that starts
	// none of the plan's communications (a *[MilestoneError]).
	ErrRefused = errors.New("evidence: refused")
	// ErrStartsNothing: a milestone starts none of the plan's
	// communications: no activity is triggered by it and no clock of an
	// obligation the plan's activities declare counts from it. It is most
	// likely a typing error that would leave a deadline unstarted.
	// [SaveMilestone] refuses it (a *[MilestoneError]) unless forced, and
	// returns it as a warning when forced.
	ErrStartsNothing = errors.New("evidence: the milestone starts no communication of the plan")
	// ErrMilestoneOrder: the event became aware before it was detected,
	// so the deadlines that count from awareness started first. A warning
	// of [SaveMilestone] (an *[OrderError]): the milestone is saved.
	ErrMilestoneOrder = errors.New("evidence: milestones out of order")
)

// RecordError is a record that [AppendRecord] refused: every problem
// found, each naming the record field at fault ("channel: plan p has no
// channel \"fax\""). errors.Is(err, ErrRefused) is true, and so is
// errors.Is for what a problem wraps (store.ErrNotFound for an event the
// tenant does not have).
type RecordError struct {
	// PlanID and Version are the plan version the record was checked
	// against.
	PlanID  string
	Version int
	// Problems are what is wrong, in the order of the record's fields.
	Problems []error
}

func (e *RecordError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "evidence: the record does not fit plan %s version %d:", e.PlanID, e.Version)
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RecordError) Is(target error) bool { return target == ErrRefused }

// Unwrap returns the problems.
func (e *RecordError) Unwrap() []error { return e.Problems }

// MilestoneError is a milestone that starts none of a plan's
// communications: [SaveMilestone]'s refusal, or its warning when forced.
// errors.Is(err, ErrStartsNothing) is true, and errors.Is(err,
// ErrRefused) when it was refused.
type MilestoneError struct {
	// EventID and Kind are the event's; Milestone is the name refused.
	EventID, Kind, Milestone string
	// PlanID is the plan the milestone was checked against.
	PlanID string
	// Starting are the milestones of events of this kind that do start
	// one of the plan's communications, in the order the plan first names
	// them; empty when none does.
	Starting []string
	// Refused says the milestone was not saved (it was not forced).
	Refused bool
}

func (e *MilestoneError) Error() string {
	if len(e.Starting) == 0 {
		return fmt.Sprintf("evidence: %s.%s starts no communication of plan %s: none of its activities is triggered by %s events",
			e.Kind, e.Milestone, e.PlanID, e.Kind)
	}
	return fmt.Sprintf("evidence: %s.%s starts no communication of plan %s; the milestones that do are: %s",
		e.Kind, e.Milestone, e.PlanID, strings.Join(e.Starting, ", "))
}

// Is makes errors.Is(err, ErrStartsNothing) true, and errors.Is(err,
// ErrRefused) for a refusal.
func (e *MilestoneError) Is(target error) bool {
	return target == ErrStartsNothing || target == ErrRefused && e.Refused
}

// OrderError is [SaveMilestone]'s warning that an event became aware
// before it was detected: most likely one of the two times is wrong, and
// the deadlines that count from awareness started first.
// errors.Is(err, ErrMilestoneOrder) is true.
type OrderError struct {
	EventID         string
	Aware, Detected time.Time
}

func (e *OrderError) Error() string {
	return fmt.Sprintf("evidence: %s became aware at %s, before it was detected at %s: the deadlines that count from awareness started first",
		e.EventID, e.Aware.Format(time.RFC3339), e.Detected.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrMilestoneOrder) true.
func (e *OrderError) Is(target error) bool { return target == ErrMilestoneOrder }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
