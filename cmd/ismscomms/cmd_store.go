package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

func (a *app) recordCommand() *cobra.Command {
	var r comms.Record
	var sent, occurrence, content, format string
	var waived bool
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Record that a communication happened (or was waived)",
		Long: `Append a record of a communication to the tenant's log in the store: which
activity and occurrence (or event) it answers, when it was sent, through
which channel, to whom and by whom, a digest of its content, and how many
people it reached and how many acknowledged it. The store assigns the next
sequence number and chains the record to the one before by hash. Records
are never changed; to correct one, record a new one with --corrects.`,
		Example: `  ismscomms record --plan-id starter --activity policy --sent 2026-01-15T09:30:00+01:00 \
      --channel email --audience employees --sender ina@acme.example --role iso \
      --subject "Information security policy 2026" --content policy.pdf --reached 231 --acknowledged 198
  ismscomms record --activity security-metrics --occurrence 2026-08-03T09:00:00+02:00 --waived --note "summer shutdown"
  ismscomms record --activity regulator-incident-reports --event INC-7 --channel formal-reports --audience regulators`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "text", "json"); err != nil {
				return err
			}
			st, err := a.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			v, err := a.storedPlan(cmd.Context(), st, r.PlanID)
			if err != nil {
				return err
			}
			if r.PlanVersion != 0 && r.PlanVersion != v.Number {
				if v, err = st.PlanVersion(cmd.Context(), a.tenant, v.PlanID, r.PlanVersion); err != nil {
					return storeFailure(err)
				}
			}
			r.PlanID, r.PlanVersion = v.PlanID, v.Number
			loc, err := v.Plan.Location()
			if err != nil {
				return err
			}
			r.SentAt = a.now
			if sent != "" {
				if r.SentAt, err = parseTime(sent, loc); err != nil {
					return inputErr("--sent: %v", err)
				}
			}
			if occurrence != "" {
				if r.Occurrence, err = parseTime(occurrence, loc); err != nil {
					return inputErr("--occurrence: %v", err)
				}
			}
			if content != "" {
				if r.Digest, err = fileDigest(content); err != nil {
					return inputErr("--content: %v", err)
				}
			}
			if waived {
				r.Type = comms.RecordWaived
			}
			if err := v.Plan.CheckRecord(r); err != nil {
				return inputErr("the record does not fit plan %s version %d:\n%v", v.PlanID, v.Number, err)
			}
			if err := checkOccurrence(v.Plan, r); err != nil {
				return err
			}
			if err := a.checkRecordFacts(cmd.Context(), st, v.Plan, r); err != nil {
				return err
			}
			got, err := st.AppendRecord(cmd.Context(), a.tenant, r)
			if err != nil {
				return storeFailure(err)
			}
			if format == "json" {
				return writeJSON(a.stdout, got)
			}
			if got.Type == comms.RecordWaived {
				fmt.Fprintf(a.stdout, "record %d appended for tenant %s: %s waived (recorded %s)\nhash %s\n",
					got.Seq, a.tenant, got.ActivityID, got.RecordedAt.Format(time.RFC3339), got.Hash)
				return nil
			}
			fmt.Fprintf(a.stdout, "record %d appended for tenant %s (sent %s, recorded %s)\nhash %s\n",
				got.Seq, a.tenant, got.SentAt.Format(time.RFC3339), got.RecordedAt.Format(time.RFC3339), got.Hash)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.PlanID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.IntVar(&r.PlanVersion, "plan-version", 0, "the plan version in force (default: the latest)")
	f.StringVar(&r.ActivityID, "activity", "", "the activity (empty: an ad hoc communication)")
	f.StringVar(&occurrence, "occurrence", "", "the planned occurrence it answers")
	f.StringVar(&r.EventID, "event", "", "the event (incident) it answers")
	f.StringVar(&sent, "sent", "", "when it was sent (default: now)")
	f.StringVar(&r.Channel, "channel", "", "the channel's ID")
	f.StringSliceVar(&r.Audiences, "audience", nil, "a stakeholder addressed (repeat or comma-separate)")
	f.StringVar(&r.Sender, "sender", "", "who sent it")
	f.StringVar(&r.SenderRole, "role", "", "the plan role the sender acted in")
	f.StringVar(&r.Subject, "subject", "", "the subject")
	f.StringVar(&r.Digest, "digest", "", "a digest of the content (sha256:<hex>)")
	f.StringVar(&content, "content", "", "a file with the content: records its SHA-256 as the digest")
	f.IntVar(&r.Reached, "reached", 0, "how many people it reached")
	f.IntVar(&r.Acknowledged, "acknowledged", 0, "how many acknowledged it")
	f.StringVar(&r.Note, "note", "", "a note; for a waiver, the reason")
	f.BoolVar(&waived, "waived", false, "record that the occurrence was waived, with the reason in --note")
	f.Int64Var(&r.Corrects, "corrects", 0, "the sequence number of a record this one corrects")
	f.StringVar(&format, "format", "text", "text or json")
	return cmd
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

// checkRecordFacts checks what a plan cannot: that the record was sent by
// the reference time, that its digest is well formed, and that the event
// it answers exists and is of the kind the activity answers.
func (a *app) checkRecordFacts(ctx context.Context, st store.Store, p comms.Plan, r comms.Record) error {
	if r.SentAt.After(a.now) {
		return inputErr("--sent %s is after the reference time %s: a record tells what has happened", r.SentAt.Format(time.RFC3339), a.now.Format(time.RFC3339))
	}
	if r.Digest != "" {
		algo, hexDigits, _ := strings.Cut(r.Digest, ":")
		n, known := digestLengths[algo]
		if _, err := hex.DecodeString(hexDigits); !known || err != nil || len(hexDigits) != n || strings.ToLower(hexDigits) != hexDigits {
			return inputErr("--digest %q: use sha256:<64 lower-case hex digits> (or sha384:, sha512:), or --content <file>", r.Digest)
		}
	}
	if r.EventID == "" {
		return nil
	}
	e, err := st.Event(ctx, a.tenant, r.EventID)
	if errors.Is(err, store.ErrNotFound) {
		return inputErr("--event %s: tenant %s has no such event; open it with: ismscomms incident open %s", r.EventID, a.tenant, r.EventID)
	}
	if err != nil {
		return storeFailure(err)
	}
	if act, ok := p.Activity(r.ActivityID); ok {
		if kind, _, ok := act.When.TriggerParts(); ok && kind != e.Kind {
			return inputErr("--event %s is of kind %s; activity %s answers %s events (%s)", e.ID, e.Kind, act.ID, kind, act.When.Trigger)
		}
	}
	return nil
}

// checkOccurrence checks that a record's occurrence is one of its
// activity's schedule.
func checkOccurrence(p comms.Plan, r comms.Record) error {
	if r.Occurrence.IsZero() || r.ActivityID == "" {
		return nil
	}
	act, ok := p.Activity(r.ActivityID)
	if !ok {
		return nil
	}
	rule, err := schedule.ActivityRule(p, act)
	if err != nil {
		return err
	}
	next, ok := rule.Next(r.Occurrence.Add(-time.Nanosecond))
	if ok && next.Equal(r.Occurrence) {
		return nil
	}
	hint := "it has no occurrence after it"
	if ok {
		hint = "the next is " + next.Format(time.RFC3339)
	}
	return inputErr("--occurrence %s is not an occurrence of activity %s (%s); %s",
		r.Occurrence.Format(time.RFC3339), act.ID, act.When.RRule, hint)
}

func (a *app) incidentCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Open incidents, record their milestones, and run their notification clock",
		Long: `Incidents (and other events) start communication: their milestones —
detected, aware, classified, ... — start the clocks of the activities and
legal obligations they trigger.`,
	}
	var kind, title, milestone, at, note string
	open := &cobra.Command{
		Use:   "open <id>",
		Short: "Open an incident with its first milestone",
		Example: `  ismscomms incident open INC-7 --title "Customer database exposed"
  ismscomms incident open INC-7 --milestone detected --at 2026-03-06T16:00:00+01:00`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			when, err := a.timeFlag("--at", at, a.tenantZone(cmd.Context(), st))
			if err != nil {
				return err
			}
			if _, err := st.Event(cmd.Context(), a.tenant, args[0]); err == nil {
				return inputErr("event %s is already open; add milestones with: ismscomms incident milestone %s <name>", args[0], args[0])
			} else if !errors.Is(err, store.ErrNotFound) {
				return storeFailure(err)
			}
			e := comms.Event{ID: args[0], Kind: kind, Title: title, Milestones: []comms.Milestone{{Name: milestone, At: when, Note: note}}}
			if err := st.SaveEvent(cmd.Context(), a.tenant, e); err != nil {
				return storeFailure(err)
			}
			fmt.Fprintf(a.stdout, "opened %s %s: %s.%s at %s\n", kind, e.ID, kind, milestone, when.Format(time.RFC3339))
			return nil
		},
	}
	open.Flags().StringVar(&kind, "kind", "incident", "the kind of event (the first half of a trigger)")
	open.Flags().StringVar(&title, "title", "", "a title")
	open.Flags().StringVar(&milestone, "milestone", "detected", "the first milestone")
	open.Flags().StringVar(&at, "at", "", "when it was reached (default: now)")
	open.Flags().StringVar(&note, "note", "", "a note on the milestone")

	var mAt, mNote string
	ms := &cobra.Command{
		Use:   "milestone <id> <name>",
		Short: "Record that an incident reached a milestone",
		Long: `Record that an incident reached a milestone (aware, classified, ...).
Recording a milestone again corrects its time: deadlines move with it.`,
		Example: `  ismscomms incident milestone INC-7 aware --at 2026-03-07T10:00:00+01:00`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			when, err := a.timeFlag("--at", mAt, a.tenantZone(cmd.Context(), st))
			if err != nil {
				return err
			}
			e, err := st.Event(cmd.Context(), a.tenant, args[0])
			if err != nil {
				return storeFailure(err)
			}
			e.Milestones = append(e.Milestones, comms.Milestone{Name: args[1], At: when, Note: mNote})
			if err := st.SaveEvent(cmd.Context(), a.tenant, e); err != nil {
				return storeFailure(err)
			}
			fmt.Fprintf(a.stdout, "%s: %s.%s at %s\n", e.ID, e.Kind, args[1], when.Format(time.RFC3339))
			return nil
		},
	}
	ms.Flags().StringVar(&mAt, "at", "", "when it was reached (default: now)")
	ms.Flags().StringVar(&mNote, "note", "", "a note")

	var planFile, planID, format string
	clock := &cobra.Command{
		Use:   "clock <id>",
		Short: "Show every communication owed for an incident, with its deadline",
		Long: `Show every communication owed for an incident: the activity, the legal
obligations it fulfils, the recipients, the deadline (the earlier of the
plan's and the law's), the time left or overdue by, and the record that did
it — in deadline order.`,
		Example: `  ismscomms incident clock INC-7 --plan plan.yaml
  ismscomms incident clock INC-7 --plan-id starter --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "table", "json"); err != nil {
				return err
			}
			st, err := a.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			p, err := a.readPlanFlag(cmd, st, planFile, planID)
			if err != nil {
				return err
			}
			e, err := st.Event(cmd.Context(), a.tenant, args[0])
			if err != nil {
				return storeFailure(err)
			}
			var records []comms.Record
			for r, err := range st.Records(cmd.Context(), a.tenant, store.RecordQuery{EventID: e.ID}) {
				if err != nil {
					return storeFailure(err)
				}
				records = append(records, r)
			}
			owed, err := regulation.IncidentClock(p, e, records, a.now)
			if err != nil {
				return inputErr("%v", err)
			}
			if format == "json" {
				if owed == nil {
					owed = []regulation.Owed{}
				}
				return writeJSON(a.stdout, owed)
			}
			loc, _ := p.Location()
			fmt.Fprintf(a.stdout, "%s %s at %s\n", e.ID, e.Title, a.now.In(loc).Format("Mon 2006-01-02 15:04 MST"))
			return writeClock(a.stdout, owed, loc)
		},
	}
	clock.Flags().StringVar(&planFile, "plan", "", "the plan file (default: the tenant's plan in the store)")
	clock.Flags().StringVar(&planID, "plan-id", "", "the plan's ID in the store")
	clock.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.AddCommand(open, ms, clock)
	return cmd
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

// writeClock writes an incident clock as a table, times in loc.
func writeClock(out io.Writer, owed []regulation.Owed, loc *time.Location) error {
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "COMMUNICATION\tOBLIGATIONS\tTO\tDUE\tSTATUS")
	for _, o := range owed {
		due := "—"
		if !o.Due.IsZero() {
			due = o.Due.In(loc).Format("Mon 02 Jan 15:04")
		}
		name := o.Activity
		if name == "" {
			name = "(no activity in the plan)"
		}
		status := o.String()
		if o.Record != nil && (o.Status == regulation.Done || o.Status == regulation.DoneLate) {
			status = "done " + o.Record.SentAt.In(loc).Format("Mon 02 Jan 15:04")
			if o.Status == regulation.DoneLate {
				status += " (late)"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", name, strings.Join(o.Obligations, ", "), strings.Join(o.Recipients, ", "), due, status)
	}
	return w.Flush()
}

func (a *app) reportCommand() *cobra.Command {
	var planID, fromFlag, toFlag, format, out, profiles string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the evidence report: planned versus done, KPIs, chain check",
		Long: `Write the auditor's report for a plan over a period (default: the last 12
months): the record chain's verification first, the plan versions in
force, every occurrence with its evidence or the lack of it, deviations,
KPIs, the matrix and the completeness findings. HTML is one self-contained
page; Markdown and JSON are also available.`,
		Example: `  ismscomms report --plan-id starter --from 2026-01-01 --to 2027-01-01 --out report.html
  ismscomms report --format md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "html", "md", "json"); err != nil {
				return err
			}
			st, err := a.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			v, err := a.storedPlan(cmd.Context(), st, planID)
			if err != nil {
				return err
			}
			loc, err := v.Plan.Location()
			if err != nil {
				return err
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
			var opts []matrix.CheckOption
			for _, name := range strings.Split(profiles, ",") {
				if name = strings.TrimSpace(name); name != "" {
					opts = append(opts, matrix.Profile(name))
				}
			}
			rep, err := evidence.Build(cmd.Context(), st, a.tenant, v.PlanID, from, to, a.now, opts...)
			if err != nil {
				return storeFailure(err)
			}
			write := func(w io.Writer) error {
				switch format {
				case "md":
					return rep.WriteMarkdown(w)
				case "json":
					return rep.WriteJSON(w)
				}
				return rep.WriteHTML(w)
			}
			if out == "" {
				return write(a.stdout)
			}
			if err := writeFile(out, write); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "wrote %s: %d occurrences, on-time rate %s, chain %s\n", out, rep.KPIs.Occurrences, pctText(rep.KPIs.OnTimeRate), chainWord(rep.Chain))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&planID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.StringVar(&fromFlag, "from", "", "start of the period (default: 12 months before --now)")
	f.StringVar(&toFlag, "to", "", "end of the period, exclusive (default: --now)")
	f.StringVar(&format, "format", "html", "html, md or json")
	f.StringVar(&out, "out", "", "write to this file instead of standard output")
	f.StringVar(&profiles, "profile", "", "legal profiles for the findings, comma-separated")
	return cmd
}

func pctText(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}

func chainWord(c evidence.Chain) string {
	if c.OK {
		return "verified"
	}
	return fmt.Sprintf("BROKEN at record %d", c.Seq)
}

func (a *app) verifyCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify the tenant's record chain",
		Long: `Walk the tenant's log of records and check every hash and link. Prints the
first record whose hash, link or sequence number is wrong.

Exit status: 0 the chain is intact; 1 it is broken; 3 the store failed.`,
		Example: `  ismscomms verify --tenant acme
  ismscomms verify --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "text", "json"); err != nil {
				return err
			}
			st, err := a.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			res := struct {
				Tenant   string `json:"tenant"`
				Intact   bool   `json:"intact"`
				Records  int    `json:"records"`
				BrokenAt int64  `json:"broken_at,omitempty"`
				Reason   string `json:"reason,omitempty"`
			}{Tenant: a.tenant}
			for _, err := range st.Records(cmd.Context(), a.tenant, store.RecordQuery{}) {
				if err != nil {
					break // Verify reports it
				}
				res.Records++
			}
			_, err = st.Verify(cmd.Context(), a.tenant)
			var ce *store.ChainError
			switch {
			case errors.As(err, &ce):
				res.BrokenAt, res.Reason = ce.Seq, ce.Reason
			case err != nil:
				return storeFailure(err)
			default:
				res.Intact = true
			}
			switch {
			case format == "json":
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			case res.Intact:
				fmt.Fprintf(a.stdout, "record chain of tenant %s verified: %s, all intact and in sequence\n", a.tenant, plural(res.Records, "record"))
			default:
				fmt.Fprintf(a.stdout, "record chain of tenant %s is BROKEN at record %d: %s\n", a.tenant, res.BrokenAt, res.Reason)
			}
			if !res.Intact {
				return errNegative
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}
