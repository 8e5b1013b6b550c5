package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
	"github.com/ismscomms/ismscomms/store/postgres"
)

func (a *app) recordCommand() *cobra.Command {
	var r comms.Record
	var in recordFlags
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Record that a communication happened (or was waived)",
		Long: `Append a record of a communication to the tenant's log in the store: which
activity and occurrence (or event) it answers, when it was sent, through
which channel, to whom and by whom, a digest of its content, and how many
people it reached and how many acknowledged it. The store assigns the next
sequence number and chains the record to the one before by hash. Records
are never changed; to correct one, record a new one with --corrects.

With --key (an idempotency key: the message ID of the mail sent, a ticket
number) and --sent, the command is safe to run again after a timeout or a
crash: a record under a key the tenant already has is not appended a
second time, and the command prints the one stored the first time; a
different record under a used key is refused (so run it again with the
same flags, and with --plan-version if a plan version was saved since).

The record is checked first against the plan version it names: its
activity, channel, audiences and role must be the plan's, --occurrence one
of the activity's schedule, --event an incident of the kind the activity
answers, and --sent no later than --now. A record that does not fit is
refused with every problem, and nothing is appended.

A communication made in a drill (an exercise, opened with incident open
--exercises) is recorded with --drill and --event naming the drill: it
counts as the drill's, never as a real communication, and --drill is
refused for a real incident, as a record without it is for a drill.

Feedback received is recorded with --feedback: --from the stakeholder it
came from, --channel the (inbound) channel it came in through, --sent when
it was received, --activity (and --occurrence or --event) what it is about,
--score on the plan's feedback scale and/or --content (or --digest) for
its text, whose digest alone is kept, and --handled when it was handled.
Feedback handled later is closed with a second record: --feedback
--corrects N --handled TIME, which repeats the fields of record N that it
does not give. Feedback is never evidence that a communication was sent.`,
		Example: `  ismscomms record --plan-id starter --activity policy --sent 2026-01-15T09:30:00+01:00 \
      --channel email --audience employees --sender ina@acme.example --role iso \
      --subject "Information security policy 2026" --content policy.pdf --reached 231 --acknowledged 198
  ismscomms record --activity security-metrics --occurrence 2026-08-03T09:00:00+02:00 --waived --note "summer shutdown"
  ismscomms record --activity regulator-incident-reports --event INC-7 --channel formal-reports --audience regulators
  ismscomms record --drill --activity regulator-incident-reports --event DRILL-1 --channel formal-reports --audience regulators
  ismscomms record --feedback --from customers --channel feedback-survey --sent 2026-03-02T09:30 --activity customer-updates --score 4
  ismscomms record --feedback --corrects 41 --handled 2026-03-04T10:00`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.scored = cmd.Flags().Changed("score")
			return a.record(cmd.Context(), r, in)

		},
	}
	f := cmd.Flags()
	f.StringVar(&r.PlanID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.IntVar(&r.PlanVersion, "plan-version", 0, "the plan version in force (default: the latest)")
	f.StringVar(&r.ActivityID, "activity", "", "the activity (empty: an ad hoc communication)")
	f.StringVar(&in.occurrence, "occurrence", "", "the planned occurrence it answers")
	f.StringVar(&r.EventID, "event", "", "the event (incident) it answers")
	f.BoolVar(&r.Drill, "drill", false, "a communication made in a drill: --event names the drill")
	f.StringVar(&in.sent, "sent", "", "when it was sent; for --feedback, when it was received (default: now)")
	f.StringVar(&r.Channel, "channel", "", "the channel's ID")
	f.StringSliceVar(&r.Audiences, "audience", nil, "a stakeholder addressed (repeat or comma-separate)")
	f.StringVar(&r.Sender, "sender", "", "who sent it")
	f.StringVar(&r.SenderRole, "role", "", "the plan role the sender acted in")
	f.StringVar(&r.Subject, "subject", "", "the subject")
	f.StringVar(&r.Digest, "digest", "", "a digest of the content (sha256:<hex>)")
	f.StringVar(&in.content, "content", "", "a file with the content: records its SHA-256 as the digest")
	f.IntVar(&r.Reached, "reached", 0, "how many people it reached")
	f.IntVar(&r.Acknowledged, "acknowledged", 0, "how many acknowledged it")
	f.StringVar(&r.Note, "note", "", "a note; for a waiver, the reason")
	f.BoolVar(&in.waived, "waived", false, "record that the occurrence was waived, with the reason in --note")
	f.StringVar(&r.IdempotencyKey, "key", "", "an idempotency key (a message ID, a ticket number): running the command again with the same key appends nothing and prints the record stored the first time")
	f.Int64Var(&r.Corrects, "corrects", 0, "the sequence number of a record this one corrects")
	f.BoolVar(&in.feedback, "feedback", false, "record feedback received (not a communication sent): with --from, --channel, --score and/or --content")
	f.StringVar(&r.From, "from", "", "for --feedback: the stakeholder it came from")
	f.IntVar(&in.score, "score", 0, "for --feedback: the score given, on the plan's feedback scale")
	f.StringVar(&in.handled, "handled", "", "for --feedback: when it was handled")
	f.StringVar(&in.format, "format", "text", "text or json")
	return cmd
}

// recordFlags are the flags of record that are not fields of the record.
type recordFlags struct {
	sent, occurrence, content, format string
	waived                            bool
	// feedback: --feedback; score and scored: --score and whether it
	// was given; handled: --handled.
	feedback, scored bool
	score            int
	handled          string
}

// record appends r, completed from in, to the tenant's log through the
// checked append, and prints it.
func (a *app) record(ctx context.Context, r comms.Record, in recordFlags) error {
	if err := oneOf("--format", in.format, "text", "json"); err != nil {
		return err
	}
	closing := in.feedback && r.Corrects != 0 // takes the time received from the record it closes
	if r.IdempotencyKey != "" && in.sent == "" && !closing {
		// Without --sent, each run would record another time, and so
		// another record under the same key, which the store refuses.
		return usageErr("--key needs --sent: a run again must record the same communication, sent at the same time")
	}
	if r.Corrects < 0 {
		return usageErr("--corrects %d: a record's sequence number is 1 or more", r.Corrects)
	}
	switch {
	case in.feedback && in.waived:
		return usageErr("--feedback and --waived: feedback received is not a waiver")
	case !in.feedback && (r.From != "" || in.scored || in.handled != ""):
		return usageErr("--from, --score and --handled are for --feedback")
	}
	st, err := a.openStore(writeStore)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := a.storedPlan(ctx, st, r.PlanID)
	if err != nil {
		return err
	}
	if r.PlanVersion != 0 && r.PlanVersion != v.Number {
		old, err := st.PlanVersion(ctx, a.tenant, v.PlanID, r.PlanVersion)
		if errors.Is(err, store.ErrNotFound) {
			return inputErr("--plan-version %d: plan %s of tenant %s has no such version (list them with: ismscomms plan list %s)", r.PlanVersion, v.PlanID, a.tenant, v.PlanID)
		}
		if err != nil {
			return storeFailure(err)
		}
		v = old
	}
	r.PlanID, r.PlanVersion = v.PlanID, v.Number
	loc, err := v.Plan.Location()
	if err != nil {
		return err
	}
	r.SentAt = a.now
	if in.sent != "" {
		if r.SentAt, err = parseTime(in.sent, loc); err != nil {
			return inputErr("--sent: %v", err)
		}
	}
	if in.occurrence != "" {
		if r.Occurrence, err = parseTime(in.occurrence, loc); err != nil {
			return inputErr("--occurrence: %v", err)
		}
	}
	if in.content != "" {
		if r.Digest, err = fileDigest(in.content); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // "no such file or directory", not "open x: ..."
			}
			return inputErr("--content %s: cannot read it: %v", in.content, err)
		}
	}
	if in.waived {
		r.Type = comms.RecordTypeWaived
	}
	if in.feedback {
		r.Type = comms.RecordTypeFeedback
		if in.scored {
			r.Score = &in.score
		}
		if in.handled != "" {
			if r.HandledAt, err = parseTime(in.handled, loc); err != nil {
				return inputErr("--handled: %v", err)
			}
		}
		if r.Corrects != 0 {
			if err := a.repeatFeedback(ctx, st, &r, in); err != nil {
				return err
			}
		}
	}
	if err := checkDigest(r.Digest); err != nil {
		return err
	}
	got, err := a.appendRecord(ctx, st, r)
	if err != nil {
		return err
	}
	if got.IdempotencyKey == "" {
		a.committed += ": running the command again would append a second record (give it --key and --sent to make a rerun safe)"
	}
	if in.format == "json" {
		return writeJSON(a.stdout, got)
	}
	if got.IdempotencyKey != "" {
		// A retry returns the record stored the first time: say
		// what is in the log, not that this run appended it.
		what := fmt.Sprintf("sent %s", got.SentAt.Format(time.RFC3339))
		if got.Type == comms.RecordTypeWaived {
			what = got.ActivityID + " waived"
		}
		if got.Drill {
			what = "a DRILL record of drill " + got.EventID + ", " + what
		}
		say(a.stdout, "record %d in the log of tenant %s under key %s (%s, recorded %s)\nhash %s\n",
			got.Seq, a.tenant, got.IdempotencyKey, what, got.RecordedAt.Format(time.RFC3339), got.Hash)
		return nil
	}
	if got.Type == comms.RecordTypeWaived {
		drill := ""
		if got.Drill {
			drill = " in DRILL " + got.EventID + " (counted as the drill's only)"
		}
		say(a.stdout, "record %d appended for tenant %s: %s waived%s (recorded %s)\nhash %s\n",
			got.Seq, a.tenant, got.ActivityID, drill, got.RecordedAt.Format(time.RFC3339), got.Hash)
		return nil
	}
	if got.Type == comms.RecordTypeFeedback {
		state := "open"
		if !got.HandledAt.IsZero() {
			state = "handled " + got.HandledAt.Format(time.RFC3339)
		}
		drill := ""
		if got.Drill {
			drill = " in DRILL " + got.EventID + " (counted as the drill's only)"
		}
		say(a.stdout, "record %d appended for tenant %s: feedback from %s received %s%s, %s (recorded %s)\nhash %s\n",
			got.Seq, a.tenant, got.From, got.SentAt.Format(time.RFC3339), drill, state, got.RecordedAt.Format(time.RFC3339), got.Hash)
		return nil
	}
	if got.Drill {
		say(a.stdout, "record %d appended for tenant %s: a DRILL record of drill %s, counted as the drill's only (sent %s, recorded %s)\nhash %s\n",
			got.Seq, a.tenant, got.EventID, got.SentAt.Format(time.RFC3339), got.RecordedAt.Format(time.RFC3339), got.Hash)
		return nil
	}
	say(a.stdout, "record %d appended for tenant %s (sent %s, recorded %s)\nhash %s\n",
		got.Seq, a.tenant, got.SentAt.Format(time.RFC3339), got.RecordedAt.Format(time.RFC3339), got.Hash)
	return nil
}

// fileDigest returns "sha256:<hex>" of the file's content.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

var digestLengths = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// checkDigest checks the form of --digest (or of the digest --content
// computed): the library takes any digest, the command the ones it knows.
func checkDigest(digest string) error {
	if digest == "" {
		return nil
	}
	algo, hexDigits, _ := strings.Cut(digest, ":")
	n, known := digestLengths[algo]
	if _, err := hex.DecodeString(hexDigits); !known || err != nil || len(hexDigits) != n || strings.ToLower(hexDigits) != hexDigits {
		return inputErr("--digest \"%s\": use sha256:<64 lower-case hex digits> (or sha384:, sha512:), or --content <file>", digest)
	}
	return nil
}

// refused is the error for what a checked write of package evidence
// refused (a record that does not fit the plan, a milestone that starts
// nothing), in the library's words, which may span lines; bad input.
func refused(err error) error {
	return &exitError{code: exitInput, err: &describedError{libText(err), err}}
}

// libText is a library error's message without the packages' prefixes
// (userText).
func libText(err error) string { return userText(err.Error()) }

func (a *app) incidentCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Open incidents, record their milestones, and run their notification clock",
		Long: `Incidents (and other events) start communication: their milestones —
detected, aware, classified, ... — start the clocks of the activities and
legal obligations they trigger.`,
		RunE: group,
	}
	cmd.AddCommand(a.incidentOpenCommand(), a.incidentMilestoneCommand(), a.incidentClockCommand(), a.incidentListCommand())
	return cmd
}

// incidentOpenCommand is "incident open": an incident with its first
// milestone.
func (a *app) incidentOpenCommand() *cobra.Command {
	var kind, title, milestone, at, note, planFile, planID, exercises, scenario string
	var force bool
	open := &cobra.Command{
		Use:   "open <id>",
		Short: "Open an incident with its first milestone",
		Long: `Open an incident (an event of --kind) with its first milestone, detected
unless --milestone says otherwise.

The kind and the milestone are checked against the plan as incident
milestone checks a milestone: one that starts none of the plan's
communications is refused, with the milestones that do, since it would
most likely leave every deadline unstarted. --force opens it anyway.

A drill (an exercise of the incident plan) is an event of kind drill that
names the kind it exercises (--exercises, which implies --kind drill) and
its --scenario: its milestones are those of the kind it exercises, and its
clock runs as the real one's would, marked as a drill. Record its
communications with record --drill.`,
		Example: `  ismscomms incident open INC-7 --title "Customer database exposed"
  ismscomms incident open INC-7 --milestone detected --at 2026-03-06T16:00:00+01:00
  ismscomms incident open DRILL-1 --exercises incident --scenario "ransomware on the file servers" --milestone aware`,
		Args: positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if exercises != "" && !cmd.Flags().Changed("kind") {
				kind = comms.EventKindDrill
			}
			// A drill's rules first, in the flags' words: a drill with
			// nothing to exercise is no typing error that --force mends.
			probe := comms.Event{ID: args[0], Kind: kind, Exercises: exercises, Scenario: scenario}
			switch err := probe.Check(); {
			case err != nil && kind == comms.EventKindDrill:
				return usageErr("a drill names the kind of event it exercises and its scenario: give --exercises (such as incident) and --scenario \"...\"")
			case err != nil:
				return usageErr("--exercises and --scenario are for a drill (--kind drill, the default with --exercises), not for an event of kind %s", kind)
			}
			st, err := a.openStore(createStore)
			if err != nil {
				return err
			}
			defer st.Close()
			opts, loc, err := a.milestoneCheck(cmd.Context(), st, planFile, planID, force, func(err error) error {
				return inputErr("%w\n(the incident is checked against the plan: save one first, name a plan file with --plan, or open it unchecked with --force)", err)
			})
			if err != nil {
				return err
			}
			if loc == time.Local {
				loc = a.tenantZone(cmd.Context(), st)
			}
			when, err := a.timeFlag("--at", at, loc)
			if err != nil {
				return err
			}
			e := comms.Event{ID: args[0], Kind: kind, Title: title, Exercises: exercises, Scenario: scenario,
				Milestones: []comms.Milestone{{Name: milestone, At: when, Note: note}}}
			res, err := evidence.OpenEvent(cmd.Context(), st, a.tenant, e, opts)
			if errors.Is(err, store.ErrConflict) {
				return inputErr("event %s is already open; add milestones with: ismscomms incident milestone %s <name>", args[0], args[0])
			}
			if err != nil {
				return milestoneRefused(err)
			}
			a.committed = fmt.Sprintf("incident %s was opened for tenant %s", e.ID, a.tenant)
			if e.IsDrill() {
				a.committed = fmt.Sprintf("drill %s was opened for tenant %s", e.ID, a.tenant)
			}
			a.milestoneWarnings(res, func() {
				say(a.stdout, "opened %s %s: %s.%s at %s\n", kind, e.ID, kind, milestone, when.In(loc).Format(time.RFC3339))
				if e.IsDrill() {
					sayDrill(a.stdout, e)
				}
			})
			return nil
		},
	}
	f := open.Flags()
	f.StringVar(&kind, "kind", "incident", "the kind of event (the first half of a trigger); drill for an exercise")
	f.StringVar(&exercises, "exercises", "", "for a drill: the kind of event it exercises (incident); implies --kind drill")
	f.StringVar(&scenario, "scenario", "", "for a drill: the scenario exercised")
	f.StringVar(&title, "title", "", "a title")
	f.StringVar(&milestone, "milestone", "detected", "the first milestone")
	f.StringVar(&at, "at", "", "when it was reached (default: now)")
	f.StringVar(&note, "note", "", "a note on the milestone")
	f.StringVar(&planFile, "plan", "", "the plan file whose triggers the incident is checked against (default: the tenant's plan in the store)")
	f.StringVar(&planID, "plan-id", "", "the plan's ID in the store")
	f.BoolVar(&force, "force", false, "open an incident whose kind or milestone starts none of the plan's communications")
	return open
}

// milestoneCheck returns what an incident's milestones are checked
// against — the plan file planFile, else the stored plan planID (or the
// tenant's only plan) — and the plan's zone (time.Local without a plan).
// With force and no plan, nothing is checked; without force, the error
// that no plan could be found goes through noPlan.
func (a *app) milestoneCheck(ctx context.Context, st store.Store, planFile, planID string, force bool, noPlan func(error) error) (evidence.MilestoneOptions, *time.Location, error) {
	opts := evidence.MilestoneOptions{Force: force}
	if planFile != "" {
		p, _, err := loadPlan(planFile)
		if err != nil {
			return opts, nil, err
		}
		opts.Plan = &p
		loc, _ := p.Location()
		return opts, loc, nil
	}
	v, err := a.storedPlan(ctx, st, planID)
	switch {
	case err == nil:
		opts.PlanID = v.PlanID
		loc, _ := v.Plan.Location()
		return opts, loc, nil
	case planID != "":
		return opts, nil, err
	case !force:
		return opts, nil, noPlan(err)
	}
	return opts, time.Local, nil
}

// milestoneRefused is the exit of a milestone or an incident that
// evidence.SaveMilestone or OpenEvent refused.
func milestoneRefused(err error) error {
	var merr *evidence.MilestoneError
	switch {
	case errors.As(err, &merr) && len(merr.Starting) == 0:
		return refused(fmt.Errorf("%w; use --force to record it anyway", err))
	case errors.As(err, &merr):
		return refused(fmt.Errorf("%w (use --force to record it anyway)", err))
	}
	return storeFailure(err)
}

// milestoneWarnings prints what was saved (through confirm) between the
// warnings of res: that a forced milestone starts nothing before it, that
// aware came before detected after it.
func (a *app) milestoneWarnings(res evidence.MilestoneResult, confirm func()) {
	e := res.Event
	var merr *evidence.MilestoneError
	for _, w := range res.Warnings {
		if errors.As(w, &merr) {
			say(a.stderr, "ismscomms: warning: %s.%s starts no communication of plan %s; recorded as --force asks\n", e.Kind, merr.Milestone, merr.PlanID)
		}
	}
	confirm()
	for _, w := range res.Warnings {
		if errors.Is(w, evidence.ErrMilestoneOrder) {
			say(a.stderr, "ismscomms: warning: %s; if a time is wrong, record that milestone again with the right --at\n", libText(w))
		}
	}
}

// incidentMilestoneCommand is "incident milestone": a milestone of an
// open incident, checked against the plan.
func (a *app) incidentMilestoneCommand() *cobra.Command {
	var mAt, mNote, mPlanFile, mPlanID string
	var force bool
	ms := &cobra.Command{
		Use:   "milestone <id> <name>",
		Short: "Record that an incident reached a milestone",
		Long: `Record that an incident reached a milestone (aware, classified, ...).
Recording a milestone again corrects its time: deadlines move with it.

A milestone that starts none of the plan's communications — no activity is
triggered by it and no clock of an obligation the plan declares counts
from it — is refused, with the milestones that do: it is most likely a
typing error that would leave a deadline unstarted. --force records it
anyway. A warning says when aware comes before detected.`,
		Example: `  ismscomms incident milestone INC-7 aware --at 2026-03-07T10:00:00+01:00`,
		Args:    positional(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(writeStore)
			if err != nil {
				return err
			}
			defer st.Close()
			id, name := args[0], args[1]
			opts, loc, err := a.milestoneCheck(cmd.Context(), st, mPlanFile, mPlanID, force, func(err error) error {
				if _, eerr := st.Event(cmd.Context(), a.tenant, id); errors.Is(eerr, store.ErrNotFound) {
					return a.noEvent(id)
				}
				return inputErr("%w\n(the milestone is checked against the plan: name a plan file with --plan, or record it unchecked with --force)", err)
			})
			if err != nil {
				return err
			}
			when, err := a.timeFlag("--at", mAt, loc)
			if err != nil {
				return err
			}
			res, err := evidence.SaveMilestone(cmd.Context(), st, a.tenant, id, comms.Milestone{Name: name, At: when, Note: mNote}, opts)
			if errors.Is(err, store.ErrNotFound) && !errors.Is(err, evidence.ErrStartsNothing) {
				return a.noEvent(id)
			}
			if err != nil {
				return milestoneRefused(err)
			}
			e := res.Event
			a.committed = fmt.Sprintf("milestone %s of incident %s was saved for tenant %s", name, e.ID, a.tenant)
			a.milestoneWarnings(res, func() {
				say(a.stdout, "%s: %s.%s at %s\n", e.ID, e.Kind, name, when.In(loc).Format(time.RFC3339))
			})
			return nil
		},
	}
	ms.Flags().StringVar(&mAt, "at", "", "when it was reached (default: now)")
	ms.Flags().StringVar(&mNote, "note", "", "a note")
	ms.Flags().StringVar(&mPlanFile, "plan", "", "the plan file whose triggers the milestone is checked against (default: the tenant's plan in the store)")
	ms.Flags().StringVar(&mPlanID, "plan-id", "", "the plan's ID in the store")
	ms.Flags().BoolVar(&force, "force", false, "record a milestone that starts none of the plan's communications")
	return ms
}

// incidentClockCommand is "incident clock": every communication owed for
// an incident.
func (a *app) incidentClockCommand() *cobra.Command {
	var planFile, planID, format string
	clock := &cobra.Command{
		Use:   "clock <id>",
		Short: "Show every communication owed for an incident, with its deadline",
		Long: `Show every communication owed for an incident: the activity, the legal
obligations it fulfils, the recipients, the deadline (the earlier of the
plan's and the law's), the time left or overdue by, and the record that did
it — in deadline order. The clock runs under the plan version in force when
the incident began (its earliest milestone), or under --plan, a plan file;
times are in the plan's zone.`,
		Example: `  ismscomms incident clock INC-7 --plan plan.yaml
  ismscomms incident clock INC-7 --plan-id starter --format json`,
		Args: positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "table", "json"); err != nil {
				return err
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			opts := evidence.ClockOptions{Tenant: a.tenant, EventID: args[0], Now: a.now}
			if planFile != "" {
				p, _, err := loadPlan(planFile)
				if err != nil {
					return err
				}
				opts.Plan = &p
			} else {
				v, err := a.storedPlan(cmd.Context(), st, planID)
				if err != nil {
					if _, eerr := st.Event(cmd.Context(), a.tenant, args[0]); errors.Is(eerr, store.ErrNotFound) {
						return a.noEvent(args[0])
					}
					return err
				}
				opts.PlanID = v.PlanID
			}
			c, err := evidence.IncidentClock(cmd.Context(), st, opts)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return a.noEvent(args[0])
			case errors.Is(err, evidence.ErrInvalid):
				return inputErr("%w", err)
			case err != nil:
				return storeFailure(err)
			}
			owed := c.Owed
			if format == "json" {
				if owed == nil {
					owed = []regulation.Owed{}
				}
				return writeJSON(a.stdout, owed)
			}
			say(a.stdout, "%s %s at %s\n", c.Event.ID, c.Event.Title, c.Now.Format("Mon 2006-01-02 15:04 MST"))
			if c.Event.IsDrill() {
				sayDrill(a.stdout, c.Event)
			}
			return writeClock(a.stdout, owed)
		},
	}
	clock.Flags().StringVar(&planFile, "plan", "", "the plan file (default: the tenant's plan in the store)")
	clock.Flags().StringVar(&planID, "plan-id", "", "the plan's ID in the store")
	clock.Flags().StringVar(&format, "format", "table", "table or json")
	return clock
}

// incidentListCommand is "incident list": the tenant's events with their
// milestones.
func (a *app) incidentListCommand() *cobra.Command {
	var listKind, listFormat string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the tenant's incidents (and other events) with their milestones",
		Long: `List the tenant's events, oldest first: each one's ID, kind, title, when it
started (its earliest milestone) and its milestones in time order. Times
are shown in the zone of the tenant's plan when it has one.`,
		Example: `  ismscomms incident list
  ismscomms incident list --kind crisis --format json`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", listFormat, "table", "json"); err != nil {
				return err
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			events, err := fallible.Collect(st.Events(cmd.Context(), a.tenant, store.EventQuery{Kind: listKind}))
			if err != nil {
				return storeFailure(err)
			}
			if events == nil {
				events = []comms.Event{}
			}
			if listFormat == "json" {
				return writeJSON(a.stdout, events)
			}
			loc := a.tenantZone(cmd.Context(), st)
			t := newTable(a.stdout, "EVENT", "KIND", "TITLE", "STARTED", "MILESTONES")
			for _, e := range events {
				ms := effectiveMilestones(e)
				names := make([]string, len(ms))
				for i, m := range ms {
					names[i] = m.Name + " " + m.At.In(loc).Format("Mon 02 Jan 15:04")
					if m.Corrected {
						names[i] += " (corrected)"
					}
				}
				started := ""
				if len(ms) > 0 {
					started = ms[0].At.In(loc).Format("Mon 2006-01-02 15:04 MST")
				}
				kind, title := e.Kind, e.Title
				if e.IsDrill() {
					kind = "DRILL (exercising " + e.Exercises + ")"
					title = strings.TrimSpace(title + " [scenario: " + e.Scenario + "]")
				}
				t.row(e.ID, kind, title, started, strings.Join(names, ", "))
			}
			return t.flush()
		},
	}
	list.Flags().StringVar(&listKind, "kind", "", "only events of this kind (default: all)")
	list.Flags().StringVar(&listFormat, "format", "table", "table or json")
	return list
}

// milestoneAt is a milestone as it counts: its name, its latest time, and
// whether it was recorded more than once.
type milestoneAt struct {
	Name      string
	At        time.Time
	Corrected bool
}

// effectiveMilestones returns e's milestones as they count: one per name,
// at its latest entry's time (recording a milestone again corrects its
// time, see comms.Event.Milestone), in time order.
func effectiveMilestones(e comms.Event) []milestoneAt {
	var out []milestoneAt
	for _, m := range e.Milestones {
		if i := slices.IndexFunc(out, func(o milestoneAt) bool { return o.Name == m.Name }); i >= 0 {
			out[i].At, out[i].Corrected = m.At, true
			continue
		}
		out = append(out, milestoneAt{Name: m.Name, At: m.At})
	}
	slices.SortStableFunc(out, func(x, y milestoneAt) int { return x.At.Compare(y.At) })
	return out
}

// sayDrill says that the drill e is an exercise, not a real incident:
// what it exercises, its scenario, and what its deadlines mean.
func sayDrill(w io.Writer, e comms.Event) {
	say(w, "DRILL (exercising %s): %s\nAn exercise, not a real %s: its deadlines are those the real %s would have; nothing is owed to a regulator or anyone else.\n",
		e.Exercises, e.Scenario, e.Exercises, e.Exercises)
}

// noEvent is the error for an event the tenant does not have.
func (a *app) noEvent(id string) error {
	return inputErr("tenant %s has no incident %s (list them with: ismscomms incident list; open one with: ismscomms incident open %s)", a.tenant, id, id)
}

// plural returns "1 record", "2 records".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// tenantZone returns the time zone of the tenant's plan when it has one
// plan in the store, else the local zone.
func (a *app) tenantZone(ctx context.Context, st store.Store) *time.Location {
	if v, err := a.storedPlan(ctx, st, ""); err == nil {
		if loc, err := v.Plan.Location(); err == nil {
			return loc
		}
	}
	return time.Local
}

// writeClock writes an incident clock as a table. Its times are in the
// plan's zone (evidence.IncidentClock returns them so). LAW says the
// standing of the law behind each item in words (primary, secondary
// sources only, proposed, not law, not yet in force); COUNTS FROM the
// milestone or submission its legal deadline runs from; a filing cut-off
// shows the practical deadline in DUE with the legal one after it.
func writeClock(out io.Writer, owed []regulation.Owed) error {
	t := newTable(out, "COMMUNICATION", "OBLIGATIONS", "TO", "DUE", "COUNTS FROM", "STATUS", "LAW")
	for _, o := range owed {
		due := "—"
		if !o.Due.IsZero() {
			due = o.Due.Format("Mon 02 Jan 15:04")
		}
		if !o.PracticalDue.IsZero() && o.Due.Equal(o.PracticalDue) {
			due += " (filing cut-off; legal " + o.LegalDue.Format("Mon 02 Jan 15:04") + ")"
		}
		name := o.Activity
		switch {
		case name == "" && o.FollowUp != "":
			name = o.FollowUp + " (follow-up; no activity in the plan)"
		case name == "":
			name = "(no activity in the plan)"
		}
		from, law := o.From, o.Standing()
		if from == "" {
			from = "—"
		}
		if law == "" {
			law = "—"
		}
		status := o.String()
		if o.Record != nil && (o.Status == regulation.OwedStatusDone || o.Status == regulation.OwedStatusDoneLate) {
			status = "done " + o.Record.SentAt.Format("Mon 02 Jan 15:04")
			if o.Status == regulation.OwedStatusDoneLate {
				status += " (late)"
			}
		}
		t.row(name, strings.Join(o.Obligations, ", "), strings.Join(o.Recipients, ", "), due, from, status, law)
	}
	return t.flush()
}

func (a *app) reportCommand() *cobra.Command {
	var planID, fromFlag, toFlag, format, out, profiles, forFlag, sinceFlag, activityFlag, paper string
	var record bool
	var names bool
	var reportKey string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the evidence report: planned versus done, KPIs, chain check",
		Long: `Write the auditor's report for a plan over a period (default: the last 12
months): the record chain's verification first, the plan versions in
force, every occurrence with its evidence or the lack of it, deviations,
KPIs, the matrix and the completeness findings. HTML is one self-contained
page; Markdown and JSON are also available.

--for management-review writes the input to a management review instead
(ISO/IEC 27001 9.3.2 c-d), from the same evidence: objectives met and
missed, KPIs and their trends, overdue and missed communications, feedback
and its handling, drills, incidents and their notifications, and the plan
versions saved since the last review: --since, else the last record of an
activity of topic management-review in the period, else the plan's
approval. It is HTML or Markdown.

--record appends the input, as written, to the tenant's log as a record of
the plan's activity of topic management-review (--activity when it has
several), with the digest of the bytes written: the input of the plan's own
review, provably the file management received, and where the next review's
changes start. Without --record the command writes nothing to the store.`,
		Example: `  ismscomms report --plan-id starter --from 2026-01-01 --to 2027-01-01 --out report.html
  ismscomms report --format md
  ismscomms report --for management-review --format md --out review.md
  ismscomms report --for management-review --since 2025-11-20 --out review.html --record`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--for", forFlag, "audit", "management-review"); err != nil {
				return err
			}
			if err := oneOf("--format", format, "html", "md", "json", "pdf", "oscal-ar", "oscal-poam"); err != nil {
				return err
			}
			review := forFlag == "management-review"
			if review && (format == "json" || strings.HasPrefix(format, "oscal-")) {
				return usageErr("--format %s is for --for audit; the management-review input is html, md or pdf", format)
			}
			pr, err := a.newPrinter(format, paper, out)
			if err != nil {
				return err
			}
			if !review && (record || sinceFlag != "" || activityFlag != "") {
				return usageErr("--since, --record and --activity are for --for management-review")
			}
			if activityFlag != "" && !record {
				return usageErr("--activity names the activity --record records the input for: give --record too")
			}
			access := readStore
			if record {
				access = writeStore
			}
			opts, err := profileOptions(profiles)
			if err != nil {
				return err
			}
			st, v, loc, err := a.openPlan(cmd.Context(), access, planID)
			if err != nil {
				return err
			}
			defer st.Close()
			var reviewed comms.Activity
			if record {
				if reviewed, err = reviewActivity(v.Plan, activityFlag); err != nil {
					return err
				}
			}
			var since time.Time
			if sinceFlag != "" {
				if since, err = parseTime(sinceFlag, loc); err != nil {
					return inputErr("--since: %v", err)
				}
				if since.After(a.now) {
					return inputErr("--since %s is after --now (%s): the last review was held before now", sinceFlag, a.now.Format(time.RFC3339))
				}
			}
			from, to := a.now.AddDate(-1, 0, 0), a.now
			if fromFlag != "" {
				if from, err = parseTime(fromFlag, loc); err != nil {
					return inputErr("--from: %v", err)
				}
			}
			if toFlag != "" {
				if to, err = parseTime(toFlag, loc); err != nil {
					return inputErr("--to: %v", err)
				}
			}
			if !to.After(from) {
				return inputErr("--to (%s) must be after --from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
			}
			rep, err := evidence.Build(cmd.Context(), st, evidence.BuildOptions{
				Tenant: a.tenant, PlanID: v.PlanID, From: from, To: to, Now: a.now, CheckOptions: opts, Names: names,
			})
			if err != nil {
				return storeFailure(err)
			}
			treeErr, err := a.reportCheckpoint(cmd.Context(), st, rep, reportKey)
			if err != nil {
				return err
			}
			input := rep.ManagementReview(evidence.ReviewOptions{Since: since})
			var oscalDoc []byte // report_oscal.go
			if strings.HasPrefix(format, "oscal-") {
				if oscalDoc, err = a.oscalReport(rep, format, out); err != nil || oscalDoc == nil {
					return err // nil: nothing to remediate, nothing written
				}
			}
			digest := sha256.New() // of what is written, for --record
			page := evidence.HTMLOptions{Paper: pr.paper}
			render := func(w io.Writer) error {
				switch {
				case review && format == "md":
					return input.WriteMarkdown(w)
				case review:
					return input.WriteHTMLPage(w, page)
				}
				switch format {
				case "md":
					return rep.WriteMarkdown(w)
				case "json":
					return rep.WriteJSON(w)
				case "oscal-ar", "oscal-poam":
					_, err := w.Write(oscalDoc)
					return err
				}
				return rep.WriteHTMLPage(w, page)
			}
			if format == "pdf" {
				if render, err = pr.pdfOf(cmd.Context(), render); err != nil {
					return err
				}
			}
			write := func(w io.Writer) error { return render(io.MultiWriter(w, digest)) }
			if out == "" || out == "-" {
				if err := a.writeOutput("-", write); err != nil {
					return err
				}
			} else {
				if err := a.writeOutput(out, write); err != nil {
					return err
				}
				if review {
					say(a.stderr, "wrote %s: management-review input, objectives met %d, missed %d (so far, in periods not over: met %d, missed %d); on-time rate %s; plan versions saved since %s (%s): %d; chain %s\n", out,
						input.ObjectivesMet, input.ObjectivesMissed, input.ObjectivesMetSoFar, input.ObjectivesMissedSoFar, pctText(rep.KPIs.OnTimeRate),
						input.Since.Format("2006-01-02"), sinceWords(input.SinceFrom), len(input.Changes), chainWord(rep.Chain))
				} else {
					say(a.stderr, "wrote %s: %d occurrences, on-time rate %s, chain %s\n", out, rep.KPIs.Occurrences, pctText(rep.KPIs.OnTimeRate), chainWord(rep.Chain))
				}
			}
			if record {
				if rep.Chain.Checked && !rep.Chain.OK {
					// Exit 1, as without --record: the input is written and
					// opens with the damage; it is not recorded.
					say(a.stderr, "ismscomms: the record chain is broken at record %d: the input was written and says so first, but is not recorded as the review's; ismscomms verify says more\n", rep.Chain.Seq)
					return errNegative
				}
				if err := a.recordReview(cmd.Context(), st, input, reviewed, digest.Sum(nil)); err != nil {
					return err
				}
			}
			if rep.Chain.Checked && !rep.Chain.OK {
				// The report is written, and opens with the damage; a script
				// that makes reports must notice it too.
				say(a.stderr, "ismscomms: the record chain is broken at record %d: the report says so first; ismscomms verify says more\n", rep.Chain.Seq)
				return errNegative
			}
			if treeErr != nil {
				say(a.stderr, "ismscomms: no checkpoint in the report (its header says so): %s; ismscomms verify says more\n", libText(treeErr))
				return errNegative
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&planID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.StringVar(&fromFlag, "from", "", "start of the period (default: 12 months before --now)")
	f.StringVar(&toFlag, "to", "", "end of the period, exclusive (default: --now)")
	f.StringVar(&forFlag, "for", "audit", "audit (the evidence report) or management-review (the input to a management review)")
	f.StringVar(&format, "format", "html", "html, md, json, pdf (through a headless Chromium), oscal-ar (OSCAL assessment results) or oscal-poam (OSCAL POA&M); json and oscal: --for audit only")
	paperFlag(cmd, &paper)
	f.StringVar(&out, "out", "", "write to this file (\"-\" or none: standard output); a regular file is replaced atomically, a device or FIFO written as it is")
	f.StringVar(&profiles, "profile", "", "legal profiles for the findings, comma-separated, on top of those the plan declares")
	f.StringVar(&reportKey, "key", "", "sign the checkpoint the report was computed at with this signer key file (ismscomms key generate) and print the signed note in the header")
	f.BoolVar(&names, "names", false, "list the people in the acknowledgement figures (personal data; default: counts and rates only)")
	f.StringVar(&sinceFlag, "since", "", "management-review: when the last review was held; the changes to the plan count from it (default: the last one recorded, else the plan's approval)")
	f.BoolVar(&record, "record", false, "management-review: record the input written in the tenant's log, as the plan's management-review activity's")
	f.StringVar(&activityFlag, "activity", "", "management-review --record: the activity of topic management-review (default: the plan's only one)")
	return cmd
}

// reviewActivity returns the activity of plan p that --record records a
// management-review input for: id, or the plan's only activity of topic
// management-review.
func reviewActivity(p comms.Plan, id string) (comms.Activity, error) {
	if id != "" {
		a, ok := p.Activity(id)
		switch {
		case !ok:
			return comms.Activity{}, inputErr("--activity %s: plan %s has no such activity", id, p.ID)
		case a.What.Topic != comms.TopicManagementReview:
			return comms.Activity{}, inputErr("--activity %s is of topic %s, not %s: the input goes to the plan's management review", id, a.What.Topic, comms.TopicManagementReview)
		}
		return a, nil
	}
	var found []comms.Activity
	for _, a := range p.Activities {
		if a.What.Topic == comms.TopicManagementReview {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return comms.Activity{}, inputErr("--record: plan %s has no activity of topic %s to record the input for: add one (the starter plans have management-review)", p.ID, comms.TopicManagementReview)
	case 1:
		return found[0], nil
	}
	return comms.Activity{}, usageErr("--record: plan %s has %d activities of topic %s: name one with --activity", p.ID, len(found), comms.TopicManagementReview)
}

// recordReview appends the record that input, whose written bytes have
// SHA-256 sum, was handed to the management review through activity a.
func (a *app) recordReview(ctx context.Context, st store.Store, input *evidence.ReviewInput, act comms.Activity, sum []byte) error {
	r, err := input.RecordDigest(act, comms.DigestPrefix+hex.EncodeToString(sum), a.now)
	if err != nil {
		return inputErr("--record: %v", err)
	}
	got, err := a.appendRecord(ctx, st, r)
	if err != nil {
		return err
	}
	say(a.stderr, "recorded the input as record %d of activity %s (digest %s), tenant %s\n", got.Seq, act.ID, got.Digest, a.tenant)
	return nil
}

// appendRecord appends r through the checked append: a refusal is exit
// status 2, a store failure 3, and once it is in, a.committed says so
// (for a confirmation that cannot be printed).
func (a *app) appendRecord(ctx context.Context, st store.Store, r comms.Record) (comms.Record, error) {
	got, err := evidence.AppendRecord(ctx, st, a.tenant, r, a.now)
	if errors.Is(err, evidence.ErrRefused) {
		return comms.Record{}, refused(err)
	}
	if err != nil {
		return comms.Record{}, storeFailure(err)
	}
	a.committed = fmt.Sprintf("record %d is in the log of tenant %s (hash %s)", got.Seq, a.tenant, got.Hash)
	return got, nil
}

// sinceWords says where a review's changes count from.
func sinceWords(from string) string {
	switch from {
	case evidence.SinceOption:
		return "--since"
	case evidence.SinceReview:
		return "the last review recorded"
	case evidence.SinceApproval:
		return "the plan's approval"
	}
	return "the start of the period"
}

func pctText(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}

func chainWord(c evidence.Chain) string {
	if c.OK {
		if c.Verified == 0 {
			return "empty (no records to verify)"
		}
		return fmt.Sprintf("verified (%s, head %s)", plural(int(c.Verified), "record"), shortHash(c.HeadHash))
	}
	return fmt.Sprintf("BROKEN at record %d", c.Seq)
}

// shortHash abbreviates a hex hash for a one-line message.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// verifyResult is what verify found, as --format json prints it.
type verifyResult struct {
	Tenant string `json:"tenant"`
	// Status is "verified", "no records" (plans, no record yet: an empty
	// chain, nothing to verify), "nothing stored" or "broken".
	Status string `json:"status"`
	// Intact is true only when the whole chain verified.
	Intact bool `json:"intact"`
	// Records is how many records were verified, when the chain was.
	Records *int64 `json:"records,omitempty"`
	// Head is the last record verified: its number and hash.
	Head     *store.Head `json:"head,omitempty"`
	Plans    int         `json:"plans"`
	BrokenAt int64       `json:"broken_at,omitempty"`
	Reason   string      `json:"reason,omitempty"`
	// Integrity is the storage check of a store that has one (SQLite's
	// PRAGMA integrity_check): "ok", "corrupt", or absent when the store
	// offers none.
	Integrity string `json:"integrity,omitempty"`
	// Damaged are the records the storage damage affects, where the store
	// can tell; Damage describes it.
	Damaged []store.RecordRef `json:"damaged,omitempty"`
	Damage  []string          `json:"damage,omitempty"`
	// Checkpoint is what verify --checkpoint found about the signed
	// checkpoint, after the checks above.
	Checkpoint *checkpointResult `json:"checkpoint,omitempty"`
	// Tree is what plain verify found about the store's Merkle tree, on a
	// store that keeps one and a chain that verified.
	Tree *treeResult `json:"tree,omitempty"`
}

// treeResult is plain verify's check of the store's Merkle tree: every
// leaf and hash recomputed from the records (checkpoint.Verify with no
// checkpoint), and no hash past the log's end (a cut log).
type treeResult struct {
	// Status is "intact", "damaged" (a stored hash is missing or wrong;
	// the records may still be sound), "inconsistent" (the tree and the
	// log disagree: the log was cut behind the store's back), "unbuilt"
	// (the migration to the tree found the log broken and built none:
	// ismscomms migrate retries it) or "not checked" (reading the records
	// again found a break the chain check did not).
	Status string `json:"status"`
	// Size and Hash are the tree's size and root hash, recomputed from
	// the records, when they could be.
	Size   int64  `json:"size,omitempty"`
	Hash   string `json:"hash,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// treeCheck is what checkpoint.Verify found, on a store that keeps the
// Merkle tree, against the checkpoint verifyLog was given (the zero one:
// none): the checkpoint the records give, and the error.
type treeCheck struct {
	ran bool
	now checkpoint.Checkpoint
	err error
}

// verifyTree is plain verify's tree check, from what verifyLog found: on
// a store that keeps a Merkle tree and a chain that verified, the tree
// was recomputed from the records and compared with the store's.
func (a *app) verifyTree(tc treeCheck, res *verifyResult) error {
	if !tc.ran || res.Status != "verified" {
		return nil
	}
	now, err := tc.now, tc.err
	var te *store.TreeError
	var ce *store.ChainError
	t := &treeResult{}
	switch {
	case err == nil:
		t.Status, t.Size, t.Hash = "intact", now.Size, now.Hash.String()
	case errors.As(err, &te) && te.Unbuilt:
		t.Status, t.Reason = "unbuilt", te.Reason
	case errors.As(err, &te) && te.Damaged:
		t.Status, t.Size, t.Hash, t.Reason = "damaged", now.Size, now.Hash.String(), te.Reason
	case errors.As(err, &te):
		t.Status, t.Reason = "inconsistent", te.Reason
	case errors.As(err, &ce):
		t.Status, t.Reason = "not checked", libText(err)
	default:
		return storeFailure(err)
	}
	res.Tree = t
	if t.Status != "intact" {
		res.Intact = false
	}
	return nil
}

// sayDamage prints what the storage check found: the tenant's records it
// affects by number, how many of other tenants', and each problem.
func (a *app) sayDamage(res verifyResult) {
	var ours []string
	others := 0
	for _, r := range res.Damaged {
		if r.Tenant == res.Tenant {
			ours = append(ours, strconv.FormatInt(r.Seq, 10))
		} else {
			others++
		}
	}
	say(a.stdout, "the store's storage is DAMAGED (integrity check failed)\n")
	if len(ours) > 0 {
		say(a.stdout, "records of tenant %s affected: %s\n", res.Tenant, strings.Join(ours, ", "))
	}
	if others > 0 {
		say(a.stdout, "records of other tenants affected: %d\n", others)
	}
	for _, p := range res.Damage {
		say(a.stdout, "  %s\n", p)
	}
}

// verifyLog runs verify's checks but the checkpoint's: the plans, the
// record chain, and the storage of a store that can check it. On a store
// that keeps the Merkle tree, one checkpoint.Verify against old (the zero
// Checkpoint: none) checks the chain and the tree in one read of the log,
// and its result is returned for verifyTree and verify --checkpoint.
func (a *app) verifyLog(ctx context.Context, st store.Store, old checkpoint.Checkpoint) (verifyResult, treeCheck, error) {
	res := verifyResult{Tenant: a.tenant}
	for _, err := range st.Plans(ctx, a.tenant) {
		if err != nil {
			return res, treeCheck{}, storeFailure(err)
		}
		res.Plans++
	}
	var tc treeCheck
	var head store.Head
	var err error
	if _, ok := st.(store.TreeReader); ok {
		tc.ran = true
		tc.now, tc.err = checkpoint.Verify(ctx, st, a.tenant, old)
		head, err = a.verifiedHead(ctx, st, tc)
	} else {
		head, err = st.Verify(ctx, a.tenant)
	}
	var ce *store.ChainError
	switch {
	case errors.As(err, &ce):
		res.Status, res.BrokenAt, res.Reason = "broken", ce.Seq, ce.Reason
	case err != nil:
		return res, tc, storeFailure(err)
	case head.Seq == 0 && res.Plans == 0:
		res.Status, res.Records = "nothing stored", &head.Seq
	case head.Seq == 0:
		res.Status, res.Intact, res.Records = "no records", true, &head.Seq
	default:
		res.Status, res.Intact, res.Records, res.Head = "verified", true, &head.Seq, &head
	}
	if ic, ok := st.(store.IntegrityChecker); ok {
		res.Integrity = "ok"
		var corrupt *store.CorruptError
		switch err := ic.CheckIntegrity(ctx); {
		case errors.As(err, &corrupt):
			res.Integrity, res.Intact, res.Damage = "corrupt", false, corrupt.Problems
			if corrupt.More > 0 {
				res.Damage = append(res.Damage, fmt.Sprintf("and %d more problems", corrupt.More))
			}
			res.Damaged = corrupt.Records
		case err != nil:
			return res, tc, storeFailure(err)
		}
	}
	return res, tc, nil
}

// verifiedHead is the head of the chain checkpoint.Verify verified (tc),
// or its error: checkpoint.Verify returns a *store.TreeError only for a
// log whose chain verified. With the tree intact or damaged, the head is
// the record at the checkpoint's size (read back, its hash checked);
// otherwise (a tree unbuilt, cut, or not extending old: failures) the
// chain is read again to find it.
func (a *app) verifiedHead(ctx context.Context, st store.Store, tc treeCheck) (store.Head, error) {
	var te *store.TreeError
	switch {
	case tc.err != nil && !errors.As(tc.err, &te):
		return store.Head{}, tc.err
	case tc.err != nil && !te.Damaged:
		return st.Verify(ctx, a.tenant)
	case tc.now.Size == 0:
		return store.Head{}, nil
	}
	for r, err := range st.Records(ctx, a.tenant, store.RecordQuery{After: tc.now.Size - 1, Limit: 1}) {
		if err != nil {
			return store.Head{}, err
		}
		return store.Head{Seq: r.Seq, Hash: r.Hash}, nil
	}
	return store.Head{}, &store.ChainError{Tenant: a.tenant, Seq: tc.now.Size, Reason: "the record was verified, and is gone now"}
}

// sound reports whether verify found nothing wrong: exit status 0.
func (res verifyResult) sound() bool {
	return res.Status != "broken" && res.Status != "nothing stored" && res.Integrity != "corrupt" &&
		(res.Checkpoint == nil || res.Checkpoint.Status == "extends") &&
		(res.Tree == nil || res.Tree.Status == "intact")
}

// sayVerify prints what plain verify found.
func (a *app) sayVerify(res verifyResult) {
	switch {
	case res.Status == "verified" && res.Integrity == "corrupt":
		say(a.stdout, "record chain of tenant %s: %s whose hashes and links are intact, but the storage is damaged, so queries and reports may not see them all\nhead: record %d, hash %s\n",
			a.tenant, plural(int(res.Head.Seq), "record"), res.Head.Seq, res.Head.Hash)
	case res.Status == "verified":
		say(a.stdout, "record chain of tenant %s verified: %s, all intact and in sequence\nhead: record %d, hash %s\n",
			a.tenant, plural(int(res.Head.Seq), "record"), res.Head.Seq, res.Head.Hash)
	case res.Status == "no records":
		say(a.stdout, "tenant %s has %s and no record yet: there is no record chain to verify\n", a.tenant, plural(res.Plans, "plan"))
	case res.Status == "nothing stored":
		say(a.stdout, "tenant %s has nothing stored (no plan, no record): nothing was verified; check --tenant and --db\n", a.tenant)
	default:
		say(a.stdout, "record chain of tenant %s is BROKEN at record %d: %s\n", a.tenant, res.BrokenAt, res.Reason)
	}
	if res.Integrity == "corrupt" {
		a.sayDamage(res)
	}
	if t := res.Tree; t != nil {
		switch t.Status {
		case "intact":
			say(a.stdout, "Merkle tree: every hash recomputed from the records matches the store's (tree size %d, root hash %s)\n", t.Size, t.Hash)
		case "damaged":
			say(a.stdout, "the Merkle tree the store keeps for tenant %s is DAMAGED: %s\n", a.tenant, t.Reason)
		case "inconsistent":
			say(a.stdout, "the Merkle tree the store keeps for tenant %s does NOT match its log: %s\n", a.tenant, t.Reason)
		case "unbuilt":
			say(a.stdout, "tenant %s has NO Merkle tree: %s\n", a.tenant, t.Reason)
		default:
			say(a.stdout, "the Merkle tree of tenant %s was not checked: reading its records again found %s\n", a.tenant, t.Reason)
		}
	}
}

func (a *app) verifyCommand() *cobra.Command {
	var format, cpFile, verifierKey string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify the tenant's record chain",
		Long: `Walk the tenant's log of records and check every hash and link. Prints how
many records it verified and the hash of the last (the head), or the first
record whose hash, link or sequence number is wrong. It verifies the
record chain only: plans and events are not chained. Every column a
query reads is checked against the hashed record.

On SQLite it also checks the whole file (PRAGMA integrity_check): an index
that no longer matches its table would hide records from queries and
reports. It names the records affected. The check reads the whole file,
about 0.6 s per 100,000 records.

On a store that keeps the Merkle tree (SQLite, PostgreSQL) it then
recomputes every leaf and hash of the tree from the records and compares
them with the store's: a log cut behind the store's back (the tree holds
hashes past its last record), a damaged tree hash, or a tenant whose tree
was never built (the migration to the tree found its log broken: once
repaired, ismscomms migrate builds it) is each said in its own words.

Exit status: 0 the chain verified (or the tenant has plans but no record
yet, which is said) and so did the tree; 1 the chain is broken, the
storage is damaged, the tree is damaged, cut or unbuilt, or the
tenant has nothing stored at all (no plan, no record: most likely a wrong
--tenant or --db); 3 the store failed.

With --checkpoint (and --verifier-key) it does all of the above and then
proves that today's log extends a signed checkpoint kept from before
(ismscomms checkpoint): it recomputes every leaf and hash of the Merkle
tree from the records and checks that the first records, as many as the
checkpoint's tree size, give the checkpoint's root hash. A record up to the
checkpoint that was rewritten, removed, inserted or reordered fails it
(exit status 1), even with every hash in the database recomputed, naming
the tree size or record; so does a log cut behind the store's back. A
stored tree hash that is wrong while the records still extend the
checkpoint is reported as a damaged tree, saying so (exit status 1). A
checkpoint that is not signed by the key, or is another tenant's, is
refused (exit status 2).`,
		Example: `  ismscomms verify --tenant acme
  ismscomms verify --format json
  ismscomms verify --tenant acme --checkpoint acme-2026-05.checkpoint --verifier-key ismscomms.key.pub`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "text", "json"); err != nil {
				return err
			}
			if cpFile != "" {
				return a.verifyCheckpoint(cmd, cpFile, verifierKey, format)
			}
			if verifierKey != "" {
				return usageErr("--verifier-key: only with --checkpoint (the key opens the checkpoint)")
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			res, tc, err := a.verifyLog(cmd.Context(), st, checkpoint.Checkpoint{})
			if err != nil {
				return err
			}
			if err := a.verifyTree(tc, &res); err != nil {
				return err
			}
			if format == "json" {
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else {
				a.sayVerify(res)
			}
			if !res.sound() {
				return errNegative
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.Flags().StringVar(&cpFile, "checkpoint", "", "also prove that the log extends this signed checkpoint (ismscomms checkpoint)")
	cmd.Flags().StringVar(&verifierKey, "verifier-key", "", "with --checkpoint: the log's verifier key, or the file that holds it")
	return cmd
}

// treeRebuilder is a store that can retry the trees its migration to the
// tree left unbuilt (RebuildTrees of store/sqlite and store/postgres).
type treeRebuilder interface {
	RebuildTrees(ctx context.Context) (built []string, unbuilt []*store.TreeError, err error)
}

// migrateCommand brings an existing store to this program's schema, as
// any command that writes does, without writing anything else: a store
// that an older ismscomms wrote can then be read by the commands that
// only read (they never migrate).
func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store to this program's schema",
		Long: `Apply to the store the schema migrations this program knows and the store
lacks, in one transaction, and write nothing else. The commands that only
read (verify, report, agenda, incident clock, plan list) never migrate: on a
store written by an older ismscomms they say so and ask for this command.
A store that does not exist is not created.

A tenant whose log was broken when the store was migrated to the Merkle
tree has no tree, and nothing can be appended to it or checkpointed. Once
its log is repaired (ismscomms verify says it verifies), run migrate again:
it retries every such tenant, builds the tree of each whose log now
verifies, and names those still broken. On PostgreSQL only the owner of the
store's tables can: run migrate with the owner's connection string in --db.`,
		Example: `  ismscomms --db ismscomms.db migrate`,
		Args:    positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(writeStore)
			if err != nil {
				return err
			}
			var unbuilt []*store.TreeError
			if tn, ok := st.(store.TreeNotes); ok {
				unbuilt = tn.UnbuiltTrees()
			}
			// Tenants an earlier migration left without a tree are retried:
			// a log repaired since gets its tree.
			var built []string
			if rb, ok := st.(treeRebuilder); ok && len(unbuilt) == 0 {
				var err error
				built, unbuilt, err = rb.RebuildTrees(cmd.Context())
				switch {
				case errors.Is(err, postgres.ErrPermission):
					// Not the tables' owner: the schema is current, and
					// only the owner can retry what its migration left.
					say(a.stderr, "ismscomms: the store is migrated, but tenants its migration to the Merkle tree left without one (if any) were not retried: only the owner of the store's tables can; run ismscomms migrate with the owner's connection string in --db\n")
				case err != nil:
					st.Close()
					return storeFailure(err)
				}
			}
			if err := st.Close(); err != nil {
				return storeErr(err)
			}
			say(a.stdout, "store %s is at this program's schema\n", a.dbName())
			for _, tenant := range built {
				say(a.stdout, "tenant %s: its log now verifies; Merkle tree built, so it can be appended to and checkpointed again\n", tenant)
			}
			for _, e := range unbuilt {
				say(a.stdout, "tenant %s: its log is broken at record %d; no Merkle tree built, so nothing can be appended to it and it cannot be checkpointed until it is repaired (ismscomms --tenant %s verify says more); the other tenants are migrated\n", e.Tenant, e.First, e.Tenant)
			}
			return nil
		},
	}
}

// repeatFeedback completes r, feedback closing or correcting record
// r.Corrects, with the fields of that record the flags did not give: the
// stakeholder, channel, activity, occurrence, event, score, digest and
// the time it was received (--sent not given).
func (a *app) repeatFeedback(ctx context.Context, st store.Store, r *comms.Record, in recordFlags) error {
	var prev comms.Record
	found := false
	for got, err := range st.Records(ctx, a.tenant, store.RecordQuery{After: r.Corrects - 1, Limit: 1}) {
		if err != nil {
			return storeFailure(err)
		}
		prev, found = got, got.Seq == r.Corrects
	}
	switch {
	case !found:
		return inputErr("--corrects %d: tenant %s has no record %d", r.Corrects, a.tenant, r.Corrects)
	case prev.Type != comms.RecordTypeFeedback:
		typ := prev.Type
		if typ == "" {
			typ = comms.RecordTypeSent
		}
		return inputErr("--corrects %d: record %d is not feedback (it is of type %s): --feedback closes or corrects feedback", r.Corrects, r.Corrects, typ)
	}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&r.From, prev.From)
	fill(&r.Channel, prev.Channel)
	fill(&r.ActivityID, prev.ActivityID)
	fill(&r.EventID, prev.EventID)
	fill(&r.Digest, prev.Digest)
	if r.Occurrence.IsZero() {
		r.Occurrence = prev.Occurrence
	}
	if r.Score == nil && prev.Score != nil {
		s := *prev.Score
		r.Score = &s
	}
	if r.HandledAt.IsZero() {
		r.HandledAt = prev.HandledAt // a correction of handled feedback keeps it handled
	}
	if in.sent == "" {
		r.SentAt = prev.SentAt
	}
	r.Drill = r.Drill || prev.Drill
	return nil
}
