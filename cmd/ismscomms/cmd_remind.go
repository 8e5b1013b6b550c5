package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/notify"
	"github.com/ismscomms/ismscomms/remind"
	"github.com/ismscomms/ismscomms/store"
)

// remindJob is the delivery log's checkpoint name for the runs of remind
// on a plan: each plan's runs are its own.
func remindJob(planID string) string { return "remind." + planID }

type remindFlags struct {
	planID, since, send, format string
	lease                       time.Duration
}

func (a *app) remindCommand() *cobra.Command {
	var in remindFlags
	cmd := &cobra.Command{
		Use:   "remind",
		Short: "List the reminders and escalations due, or send them (--send), each once",
		Long: `Compute the reminders and escalations the plan's policy (its reminders:
block) makes due at --now: reminders to an activity's owner before an
occurrence, chases of the people who have not acknowledged a message, and
escalations to a role when an occurrence or a legal deadline is overdue or
close to it. Without --send, list them (a dry run: nothing is sent or
written) with what the delivery log says of each.

With --send, send each one through the notifier the URL names and keep it in
the store's delivery log, so that it goes out once however often remind runs
and however many run at once: each reminder is claimed for --lease, sent,
and marked sent; one left claimed by a sender that crashed is sent again
once the lease has run out (its Message-ID or Idempotency-Key header lets
the receiver drop the duplicate).

  smtp://user@host:587?from=isms@example.com    SMTP, STARTTLS required
  smtps://user@host:465?from=isms@example.com   SMTP over TLS
  https://hooks.example.com/ismscomms           a webhook (JSON, HMAC-SHA256 signed)

The SMTP password comes from ISMSCOMMS_SMTP_PASSWORD and the webhook secret
from ISMSCOMMS_WEBHOOK_SECRET, never from the command line.

A reminder or chase whose moment passed before the previous run (or more
than a day ago) is not sent late; escalations are due until their
condition ends. The previous run is the delivery log's checkpoint, which
--send moves to --now (not past a reminder that failed and will be
retried), or --since.`,
		Example: `  ismscomms remind
  ismscomms remind --format json
  ISMSCOMMS_SMTP_PASSWORD=… ismscomms remind --send 'smtp://isms@mail.example.com:587?from=isms@example.com'`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error { return a.remind(cmd.Context(), in) },
	}
	f := cmd.Flags()
	f.StringVar(&in.planID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.StringVar(&in.since, "since", "", "the previous run (default: the delivery log's checkpoint)")
	f.StringVar(&in.send, "send", "", "send through this notifier: smtp://, smtps:// or https:// URL")
	f.DurationVar(&in.lease, "lease", 10*time.Minute, "how long a sender holds a reminder before another may send it")
	f.StringVar(&in.format, "format", "table", "table or json")
	return cmd
}

// dueReminder is a reminder with what the delivery log says of it.
type dueReminder struct {
	remind.Reminder
	// State is the delivery log's: "" (never claimed), claimed, released
	// or sent; after a --send, what this run did.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
}

func (a *app) remind(ctx context.Context, in remindFlags) error {
	if err := oneOf("--format", in.format, "table", "json"); err != nil {
		return err
	}
	if in.lease <= 0 || in.lease > store.MaxLease {
		return inputErr("--lease %s: give a duration above zero and at most %s", in.lease, store.MaxLease)
	}
	var notifier notify.Notifier
	if in.send != "" {
		n, err := notify.Parse(in.send, notify.Options{
			Password:  a.getenv(notify.EnvSMTPPassword),
			Secret:    []byte(a.getenv(notify.EnvWebhookSecret)),
			TLSConfig: a.tlsConfig,
		})
		if err != nil {
			return inputErr("--send: %s", libText(err))
		}
		notifier = n
	}
	access := readStore
	if notifier != nil {
		access = writeStore
	}
	st, err := a.openStore(access)
	if err != nil {
		return err
	}
	defer st.Close()
	dl, _ := st.(store.DeliveryLog)
	if notifier != nil && dl == nil {
		return errorf(exitStore, "the store at %s keeps no delivery log, so it cannot send each reminder once", a.db)
	}
	in2, err := a.remindInput(ctx, st, dl, in)
	if err != nil {
		return err
	}
	in.planID = in2.Versions[len(in2.Versions)-1].PlanID // the plan found
	due, err := a.dueReminders(ctx, dl, in2)
	if err != nil {
		return err
	}
	list := make([]dueReminder, len(due))
	for i, r := range due {
		list[i] = dueReminder{Reminder: r}
		if dl != nil && notifier == nil { // a dry run says where each stands; a send claims
			d, err := dl.Delivery(ctx, a.tenant, r.Key)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return storeFailure(err)
			default:
				list[i].State = string(d.State)
			}
		}
	}
	if notifier == nil {
		return a.writeReminders(list, in2, in.format)
	}
	return a.sendReminders(ctx, dl, notifier, list, in)
}

// dueReminders returns what remind.Due makes due for in, and the
// reminders and chases that a run tried to send and could not (the
// delivery log holds them released, or claimed by a sender whose lease
// ran out): those stay due until they are sent, however long ago their
// moment was (within remind.DefaultLookback), while their condition
// holds. They did not pass while nothing ran; a run failed to send them.
func (a *app) dueReminders(ctx context.Context, dl store.DeliveryLog, in remind.Input) ([]remind.Reminder, error) {
	var retry map[string]bool
	if dl != nil {
		for _, state := range []store.DeliveryState{store.DeliveryReleased, store.DeliveryClaimed} {
			prefix := remind.PlanPrefix(a.tenant, in.Versions[len(in.Versions)-1].PlanID)
			for d, err := range dl.Deliveries(ctx, a.tenant, store.DeliveryQuery{Prefix: prefix, State: state}) {
				if err != nil {
					return nil, storeFailure(err)
				}
				if state == store.DeliveryReleased || d.Expired(a.now) {
					if retry == nil {
						retry = map[string]bool{}
					}
					retry[d.Key] = true
				}
			}
		}
	}
	wide := in
	if len(retry) > 0 {
		wide.Since, wide.MaxLate = time.Time{}, remind.DefaultLookback
	}
	due, err := remind.Due(wide)
	if err != nil {
		msg := libText(err)
		for _, words := range []string{"invalid input: ", "invalid argument: ", "outstanding: "} {
			msg = strings.ReplaceAll(msg, words, "")
		}
		return nil, inputErr("cannot compute the reminders: %s", msg)
	}
	if len(retry) == 0 {
		return due, nil
	}
	// The window a run without retries has: after Since, and at most a
	// day late.
	since := in.Now.Add(-remind.DefaultMaxLate)
	if in.Since.After(since) {
		since = in.Since
	}
	kept := due[:0]
	for _, r := range due {
		if r.Kind == remind.KindEscalate || r.At.After(since) || retry[r.Key] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// remindInput reads from st what remind.Due needs.
func (a *app) remindInput(ctx context.Context, st store.Store, dl store.DeliveryLog, in remindFlags) (remind.Input, error) {
	v, err := a.storedPlan(ctx, st, in.planID)
	if err != nil {
		return remind.Input{}, err
	}
	loc, err := v.Plan.Location()
	if err != nil {
		return remind.Input{}, err
	}
	versions, err := fallible.Collect(st.Versions(ctx, a.tenant, v.PlanID))
	if err != nil {
		return remind.Input{}, storeFailure(err)
	}
	roster, _, err := evidence.TenantRoster(ctx, st, a.tenant)
	if err != nil {
		return remind.Input{}, storeFailure(err)
	}
	log, err := evidence.ReadLog(ctx, st, a.tenant, versions, a.now)
	if err != nil {
		return remind.Input{}, storeFailure(err)
	}
	events, err := fallible.Collect(st.Events(ctx, a.tenant, store.EventQuery{}))
	if err != nil {
		return remind.Input{}, storeFailure(err)
	}
	since := time.Time{}
	switch {
	case in.since != "":
		if since, err = parseTime(in.since, loc); err != nil {
			return remind.Input{}, inputErr("--since: %v", err)
		}
	case dl != nil:
		if since, err = dl.Checkpoint(ctx, a.tenant, remindJob(v.PlanID)); err != nil {
			return remind.Input{}, storeFailure(err)
		}
	}
	if !since.IsZero() && since.After(a.now) {
		since = time.Time{} // a checkpoint ahead of --now (a past --now): as a first run
	}
	return remind.Input{Tenant: a.tenant, Versions: versions, Roster: roster, Log: log, Events: events,
		Since: since, Now: a.now}, nil
}

func (a *app) writeReminders(list []dueReminder, in remind.Input, format string) error {
	if list == nil {
		list = []dueReminder{}
	}
	for i := range list {
		list[i].At = list[i].At.In(a.planZone(in))
		if !list[i].Due.IsZero() {
			list[i].Due = list[i].Due.In(a.planZone(in))
		}
	}
	if format == "json" {
		return writeJSON(a.stdout, list)
	}
	since := "the beginning (a first run)"
	if !in.Since.IsZero() {
		since = in.Since.In(a.planZone(in)).Format("2006-01-02 15:04 MST")
	}
	say(a.stdout, "%s due at %s since %s (a dry run: nothing is sent; --send sends them)\n",
		plural(len(list), "reminder"), a.now.In(a.planZone(in)).Format("2006-01-02 15:04 MST"), since)
	if len(list) == 0 {
		return failed(a.stdout)
	}
	say(a.stdout, "\n")
	t := newTable(a.stdout, "AT", "KIND", "STEP", "TO", "ADDRESS", "ABOUT", "STATE")
	for _, r := range list {
		to := r.To.RoleID
		if r.To.PersonID != "" {
			to = r.To.PersonID
		}
		about := r.ActivityID
		switch {
		case r.EventID != "" && r.Obligation != "":
			about = r.EventID + " " + r.Obligation
		case r.EventID != "":
			about += " " + r.EventID
		case !r.Occurrence.IsZero():
			about += " " + r.Occurrence.In(a.planZone(in)).Format("2006-01-02")
		}
		if r.Drill {
			about += " (DRILL)"
		}
		addr, state := r.To.Address, r.State
		if addr == "" {
			addr = "(none)"
		}
		if state == "" {
			state = "due"
		}
		t.row(r.At.Format("2006-01-02 15:04"), string(r.Kind), r.Step, to, addr, about, state)
	}
	return t.flush()
}

// planZone is the zone of the plan in force at in.Now.
func (a *app) planZone(in remind.Input) *time.Location {
	if n := len(in.Versions); n > 0 {
		if loc, err := in.Versions[n-1].Plan.Location(); err == nil {
			return loc
		}
	}
	return time.Local
}

// sendOutcome counts what a run of remind --send did.
type sendOutcome struct {
	sent, already, busy, failed, noAddress int
	// retryFrom is the moment of the earliest reminder this run did not
	// see sent (it failed, has no address, or another sender holds it):
	// the checkpoint stays before it, so that the next run has it again.
	retryFrom time.Time
}

// unsent notes that a reminder due at at was not seen sent.
func (o *sendOutcome) unsent(at time.Time) {
	if o.retryFrom.IsZero() || at.Before(o.retryFrom) {
		o.retryFrom = at
	}
}

// maxFailuresInARow ends a run of remind --send whose notifier failed
// that many times in a row with errors a retry may cure (a server down, a
// network gone): the rest is left to the next run, not tried one by one,
// each with its own timeouts and retries.
const maxFailuresInARow = 5

func (a *app) sendReminders(ctx context.Context, dl store.DeliveryLog, n notify.Notifier, list []dueReminder, in remindFlags) error {
	var out sendOutcome
	inARow := 0
	for i := range list {
		r := &list[i]
		if inARow >= maxFailuresInARow {
			out.failed++
			out.unsent(r.At)
			continue
		}
		if r.State == string(store.DeliverySent) {
			out.already++
			continue
		}
		if r.To.Address == "" {
			out.noAddress++
			out.unsent(r.At)
			who := "role " + r.To.RoleID + " has no contact in the plan"
			if r.To.PersonID != "" {
				who = "person " + r.To.PersonID + " has no e-mail address in the roster"
			}
			say(a.stderr, "ismscomms: cannot send %s (%s): %s\n", r.Key, r.Step, who)
			continue
		}
		c, ok, err := dl.Claim(ctx, a.tenant, r.Key, in.lease)
		if errors.Is(err, store.ErrInvalid) { // this one's key: the others may go
			out.failed++
			out.unsent(r.At)
			say(a.stderr, "ismscomms: cannot send %s: %s\n", r.Key, libText(err))
			continue
		}
		if err != nil {
			return storeFailure(err)
		}
		if !ok {
			d, err := dl.Delivery(ctx, a.tenant, r.Key)
			if err == nil && d.State == store.DeliverySent {
				out.already++
			} else {
				out.busy++ // another sender holds it
				out.unsent(r.At)
			}
			continue
		}
		data, err := json.Marshal(r.Reminder)
		if err != nil {
			return err
		}
		msg := notify.Message{Key: r.Key, To: []string{r.To.Address}, Subject: r.Subject, Text: r.Text, Data: data}
		if err := n.Notify(ctx, msg); err != nil {
			if notify.IsPermanent(err) {
				inARow = 0
			} else if inARow++; inARow == maxFailuresInARow {
				say(a.stderr, "ismscomms: %d sends in a row failed: the rest is left to the next run\n", inARow)
			}
			out.failed++
			out.unsent(r.At) // a wrong password is permanent too, until it is put right
			if rerr := dl.Release(ctx, a.tenant, c, err.Error()); rerr != nil && !errors.Is(rerr, store.ErrLeaseLost) {
				return storeFailure(rerr)
			}
			say(a.stderr, "ismscomms: could not send %s to %s: %s\n", r.Key, r.To.Address, libText(err))
			continue
		}
		if err := dl.MarkSent(ctx, a.tenant, c); err != nil {
			if errors.Is(err, store.ErrLeaseLost) {
				say(a.stderr, "ismscomms: sent %s, but its lease ran out before it was marked sent: another run may send it again (give a longer --lease)\n", r.Key)
				out.sent++
				continue
			}
			return storeFailure(fmt.Errorf("sent %s but could not mark it sent (a run again will send it again): %w", r.Key, err))
		}
		out.sent++
		inARow = 0
		a.committed = fmt.Sprintf("%s sent and marked sent in the delivery log of tenant %s", plural(out.sent, "reminder"), a.tenant)
	}
	checkpoint := a.now
	if !out.retryFrom.IsZero() && out.retryFrom.Before(checkpoint) {
		checkpoint = out.retryFrom.Add(-time.Nanosecond)
	}
	if _, err := dl.SetCheckpoint(ctx, a.tenant, remindJob(in.planID), checkpoint); err != nil && !errors.Is(err, store.ErrInvalid) {
		return storeFailure(err)
	}
	parts := []string{fmt.Sprintf("%d sent", out.sent)}
	for _, p := range []struct {
		n    int
		what string
	}{{out.already, "sent before"}, {out.busy, "held by another sender"}, {out.failed + out.noAddress, "not sent"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	say(a.stdout, "%s due: %s\n", plural(len(list), "reminder"), strings.Join(parts, ", "))
	if err := failed(a.stdout); err != nil {
		return err
	}
	if out.failed+out.noAddress > 0 {
		return errorf(exitOther, "%d of %s could not be sent (above); those that may succeed are tried again by the next run", out.failed+out.noAddress, plural(len(list), "reminder"))
	}
	return nil
}
