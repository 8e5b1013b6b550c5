// Package remind computes which reminders and escalations a plan's
// policy (comms.Reminders, the reminders: block of a plan file) makes due
// at a moment: reminders to an activity's owner before an occurrence,
// chases of the people who have not acknowledged a message, and
// escalations to a role when an occurrence or a legal deadline is overdue
// or close to it.
//
// Call [Due] with the tenant's plan versions, roster, log and events, the
// time of the previous run (Since) and the present (Now):
//
//	due, err := remind.Due(remind.Input{
//		Tenant: "acme", Versions: versions, Roster: roster,
//		Log: records, Events: events, Since: lastRun, Now: time.Now(),
//	})
//	for _, r := range due {
//		// claim r.Key in the delivery log, send r.Subject/r.Text to r.To.Address, mark it sent
//	}
//
// Due is a pure function: it reads no store and no clock and sends
// nothing. Each [Reminder] carries a stable idempotency key ([Key]) built
// from the tenant, the activity, the occurrence, event or message
// version, the recipient and the step, so a delivery log or a job
// queue's unique-job option sends it once however often Due runs.
//
// # Never late, except escalations
//
// A reminder or chase whose moment is at or before Since is not due: it
// was due in an earlier run. One whose moment is more than MaxLate
// (default a day) before Now is not due either: it passed while nothing
// ran, and a reminder sent late ("due in 7 days", three days before)
// does more harm than none. Escalations are retroactive: due at every run from
// their moment on (within Input.Lookback) while their condition holds.
//
// # Calendars
//
// Offsets are counted in the activity's calendar: 3bd skips its weekend
// and holidays, 1mo is a calendar month, 72h is elapsed time. Where the
// calendar gives business hours (comms.Calendar.Hours), a reminder that
// falls outside them moves to the next opening.
//
// Due is safe for concurrent use: it shares nothing between calls.
package remind
