package notify

import (
	"errors"
	"strconv"
)

// ErrPermanent is matched (through errors.Is) by every error of a send that
// must not be retried: the message or the configuration is invalid, the
// SMTP server answered with a 5xx reply, or the webhook receiver with a 4xx
// status other than 408 and 429, or with a redirect. An error that does
// not match it is temporary: the same message may succeed later, and a
// sender that claimed it should leave the claim to be retried.
var ErrPermanent = errors.New("notify: permanent failure")

// ErrInvalid is matched by the error of a message or configuration that is
// not valid: a header with a control character, an address that does not
// parse, a field over its size limit, an empty key. Such an error is also
// permanent.
var ErrInvalid = errors.New("notify: invalid")

// ErrSignature is returned by [VerifySignature] for a webhook request whose
// signature does not verify: a missing or malformed header, a timestamp
// outside the tolerance, or no matching HMAC.
var ErrSignature = errors.New("notify: webhook signature does not verify")

// Error is the error a [Notifier] returns for a failed send. It says
// whether the failure is permanent (errors.Is(err, ErrPermanent) is true
// then) or temporary, with the SMTP reply code or HTTP status where there
// was one, and wraps the cause: a context's error after cancellation, a
// *textproto.Error from the SMTP server, a network error.
type Error struct {
	// Op is what was being done: "smtp", "webhook" or "validate".
	Op string
	// Permanent reports that retrying the same message cannot succeed.
	Permanent bool
	// Code is the SMTP reply code or HTTP status of the failure, or 0.
	Code int
	// Attempts is how many requests a webhook send made (0 for SMTP).
	Attempts int
	// Err is the cause.
	Err error
}

func (e *Error) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	s := "notify: " + e.Op + " (" + kind
	if e.Attempts > 1 {
		s += ", " + strconv.Itoa(e.Attempts) + " attempts"
	}
	s += ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrPermanent and the failure is permanent.
func (e *Error) Is(target error) bool { return target == ErrPermanent && e.Permanent }

// Temporary reports whether the failure may go away: the opposite of
// Permanent.
func (e *Error) Temporary() bool { return !e.Permanent }

// IsPermanent reports whether err is a permanent failure: shorthand for
// errors.Is(err, ErrPermanent).
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

func permanent(op string, code int, err error) *Error {
	return &Error{Op: op, Permanent: true, Code: code, Err: err}
}

func temporary(op string, code int, err error) *Error {
	return &Error{Op: op, Code: code, Err: err}
}
