package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/csvlimit"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/store"
)

func (a *app) rosterCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roster",
		Short: "Import and list the tenant's rosters: who belongs to each stakeholder group",
		Long: `A roster says who belongs to the plan's stakeholder groups, and since when:
the people an activity must reach and who must acknowledge its message.
Rosters are personal data: they live in the store, per tenant, every
version kept, never in the plan file.`,
		Args: cobra.ArbitraryArgs,
		RunE: group,
	}
	cmd.AddCommand(a.rosterImportCommand(), a.rosterListCommand())
	return cmd
}

func (a *app) rosterImportCommand() *cobra.Command {
	var id, format, groups, planID string
	var ignore []string
	cmd := &cobra.Command{
		Use:   "import <file>",
		Short: "Import a roster from a CSV export or a SCIM 2.0 ListResponse",
		Long: `Read a roster from an HR system's CSV export (a header row naming the
columns: id, name, email, stakeholders, from, until, in any order and
matched loosely) or an identity provider's SCIM 2.0 ListResponse of Users
(JSON, with --groups to map its groups to the plan's stakeholders), check
it against the tenant's plan, and save it as the roster's next version.

An import is a full snapshot of its source: a person the previous version
listed and this one does not has left (their last day becomes the day
before --now), and a person new to it joined on --now unless the file says
since when. Every problem is listed with its file, line and column, and
nothing is saved unless the whole file is right. An import that changes
nothing saves no new version.`,
		Example: `  ismscomms roster import staff.csv
  ismscomms roster import users.json --groups groups.yaml --roster idp`,
		Args: positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "", "csv", "scim"); err != nil {
				return err
			}
			return a.rosterImport(cmd.Context(), args[0], rosterImportFlags{id, format, groups, planID, ignore})
		},
	}
	f := cmd.Flags()
	f.StringVar(&id, "roster", "staff", "the roster's ID: one per source you import from")
	f.StringVar(&format, "format", "", "csv or scim (default: scim for a .json file, else csv)")
	f.StringVar(&groups, "groups", "", "a YAML file mapping the source's groups to stakeholder IDs (required for SCIM)")
	f.StringVar(&planID, "plan-id", "", "the plan whose stakeholders the roster names (default: the tenant's only plan)")
	f.StringSliceVar(&ignore, "ignore-column", nil, "a CSV column to skip (repeat or comma-separate); any other unknown column is an error")
	return cmd
}

type rosterImportFlags struct {
	id, format, groups, planID string
	ignore                     []string
}

func (a *app) rosterImport(ctx context.Context, path string, in rosterImportFlags) error {
	if in.format == "" {
		in.format = "csv"
		if strings.EqualFold(filepath.Ext(path), ".json") {
			in.format = "scim"
		}
	}
	if in.format == "scim" && in.groups == "" {
		return usageErr("a SCIM import needs --groups: a file mapping the identity provider's groups to the plan's stakeholders")
	}
	st, v, loc, err := a.openPlan(ctx, writeStore, in.planID)
	if err != nil {
		return err
	}
	defer st.Close()
	rs, err := a.rosters(st)
	if err != nil {
		return err
	}
	opts := &comms.RosterOptions{ID: in.id, Name: path, Plan: &v.Plan, IgnoreColumns: in.ignore}
	if in.groups != "" {
		m, err := readInput(in.groups, func(r io.Reader) (comms.GroupMapping, error) {
			return comms.DecodeGroupMapping(r, in.groups, &v.Plan)
		})
		if err != nil {
			return err
		}
		opts.Groups = &m
	}
	decode := comms.DecodeRosterCSV
	if in.format == "scim" {
		decode = comms.DecodeRosterSCIM
	}
	roster, err := readInput(path, func(r io.Reader) (comms.Roster, error) { return decode(r, opts) })
	if err != nil {
		return err
	}
	prev, err := rs.Roster(ctx, a.tenant, roster.ID, 0)
	switch {
	case errors.Is(err, store.ErrNotFound):
		prev = store.RosterVersion{}
	case err != nil:
		return storeFailure(err)
	}
	today := comms.DateOf(a.now.In(loc))
	if prev.Number > 0 && today.Before(prev.Roster.AsOf) {
		// A snapshot older than the version it would follow would say
		// that people who joined since never did, and bring back who left.
		return inputErr("roster %s of tenant %s: version %d is a snapshot of %s; an import is a snapshot of --now (%s), which must not be earlier",
			roster.ID, a.tenant, prev.Number, prev.Roster.AsOf, today)
	}
	next := roster.Carry(prev.Roster, today)
	same := next
	same.AsOf = prev.Roster.AsOf // a snapshot of another day that changes nothing
	if prev.Number > 0 && reflect.DeepEqual(same, prev.Roster) {
		say(a.stdout, "roster %s of tenant %s is unchanged: version %d stands (%s)\n", next.ID, a.tenant, prev.Number, people(len(next.People)))
		return nil
	}
	n, err := rs.SaveRoster(ctx, a.tenant, next, prev.Number)
	if errors.Is(err, store.ErrConflict) {
		return inputErr("roster %s of tenant %s: another import saved a version meanwhile; run the import again", next.ID, a.tenant)
	}
	if err != nil {
		return storeFailure(err)
	}
	a.committed = fmt.Sprintf("roster %s version %d is saved for tenant %s", next.ID, n, a.tenant)
	ch := rosterChanges(prev.Roster, next)
	say(a.stdout, "roster %s version %d saved for tenant %s: %s listed", next.ID, n, a.tenant, people(len(roster.People)))
	if prev.Number > 0 {
		say(a.stdout, " (%d joined, %d left, %d changed groups since version %d)", ch.joined, ch.left, ch.moved, prev.Number)
	}
	say(a.stdout, "\n")
	if ch.moved > 0 {
		say(a.stderr, "ismscomms: a roster keeps one span of days per person: the %s whose groups changed count in their new groups from their first day, and no longer in the old ones, in answers about the past too\n", people(ch.moved))
	}
	return nil
}

// rosterDiff counts how next differs from prev: the people it lists whom
// prev did not, those whose last day it sets that prev left open, and
// those whose groups changed.
type rosterDiff struct{ joined, left, moved int }

func rosterChanges(prev, next comms.Roster) rosterDiff {
	var d rosterDiff
	before := make(map[string]comms.Person, len(prev.People))
	for _, p := range prev.People {
		before[p.ID] = p
	}
	for _, p := range next.People {
		old, ok := before[p.ID]
		switch {
		case !ok:
			d.joined++
		case old.Until.IsZero() && !p.Until.IsZero():
			d.left++
		case !sameGroups(old.Stakeholders, p.Stakeholders):
			d.moved++
		}
	}
	return d
}

// sameGroups reports whether a and b list the same groups, in any order.
func sameGroups(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, g := range a {
		if !slices.Contains(b, g) {
			return false
		}
	}
	return true
}

// readInput opens the file at path (standard input for "-") and decodes
// it; a file that cannot be read, or whose content the decoder refuses,
// is bad input.
func readInput[T any](path string, decode func(io.Reader) (T, error)) (T, error) {
	var zero T
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			msg := strings.TrimSuffix(cannotRead(path, err), " (create one with: ismscomms init "+safetext.Line(path)+")")
			return zero, &exitError{code: exitInput, err: &describedError{msg, err}}
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return zero, inputErr("cannot read %s: it is a directory", path)
		}
		r = f
	}
	v, err := decode(r)
	if err != nil {
		return zero, &exitError{code: exitInput, err: &describedError{libText(err), err}}
	}
	return v, nil
}

func (a *app) rosterListCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tenant's rosters: the latest version of each and how many people it lists",
		Args:  positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "table", "json"); err != nil {
				return err
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			rs, err := a.rosters(st)
			if err != nil {
				return err
			}
			all, err := fallible.Collect(rs.Rosters(cmd.Context(), a.tenant))
			if err != nil {
				return storeFailure(err)
			}
			type row struct {
				ID      string    `json:"id"`
				Version int       `json:"version"`
				People  int       `json:"people"`
				Active  int       `json:"active"`
				SavedAt time.Time `json:"saved_at"`
				SavedBy string    `json:"saved_by,omitempty"`
			}
			rows := make([]row, 0, len(all))
			today := comms.DateOf(a.now.In(a.tenantZone(cmd.Context(), st)))
			for _, v := range all {
				active := 0
				for _, p := range v.Roster.People {
					if p.Active(today) {
						active++
					}
				}
				rows = append(rows, row{v.RosterID, v.Number, len(v.Roster.People), active, v.SavedAt, v.SavedBy})
			}
			if format == "json" {
				return writeJSON(a.stdout, rows)
			}
			t := newTable(a.stdout, "ROSTER", "VERSION", "PEOPLE", "MEMBERS NOW", "SAVED")
			for _, r := range rows {
				t.row(r.ID, fmt.Sprint(r.Version), fmt.Sprint(r.People), fmt.Sprint(r.Active), r.SavedAt.Format(time.RFC3339))
			}
			return t.flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}

func (a *app) ackCommand() *cobra.Command {
	var in ackFlags
	cmd := &cobra.Command{
		Use:   "ack",
		Short: "Record that people acknowledged an activity's message",
		Long: `Append acknowledgements to the tenant's log: that a person (a roster ID)
acknowledged the version of an activity's message in force (or the one
--digest names), when (--at, default --now), through which channel, and
what backs it (a click-through ID, a signature reference).

Give the people with --person, or a CSV file with --file whose header names
the columns person (required), at, digest, channel, evidence_kind and
evidence_ref. All of them are checked first — each person must be in the
tenant's rosters, the digest a version the message has had — and appended
in one transaction, or none of them. A person acknowledges a version once:
running the command again appends nothing, and the first acknowledgement
stands.`,
		Example: `  ismscomms ack --activity policy --person E1027 --channel intranet --evidence-kind click-through --evidence-ref 8f2c
  ismscomms ack --activity policy --file acks.csv`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error { return a.ack(cmd.Context(), in) },
	}
	f := cmd.Flags()
	f.StringVar(&in.planID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.StringVar(&in.activity, "activity", "", "the activity whose message was acknowledged (required)")
	f.StringSliceVar(&in.people, "person", nil, "a person's roster ID (repeat or comma-separate)")
	f.StringVar(&in.file, "file", "", "a CSV file of acknowledgements (\"-\": standard input)")
	f.StringVar(&in.at, "at", "", "when they acknowledged (default: --now)")
	f.StringVar(&in.digest, "digest", "", "the message version acknowledged (default: the one in force)")
	f.StringVar(&in.channel, "channel", "", "the channel's ID")
	f.StringVar(&in.kind, "evidence-kind", "", "what backs it: click-through, signature, e-mail reply")
	f.StringVar(&in.ref, "evidence-ref", "", "a reference the system holding the evidence understands")
	return cmd
}

type ackFlags struct {
	planID, activity, file, at, digest, channel, kind, ref string
	people                                                 []string
}

func (a *app) ack(ctx context.Context, in ackFlags) error {
	switch {
	case in.activity == "":
		return usageErr("ack needs --activity")
	case len(in.people) == 0 && in.file == "":
		return usageErr("ack needs --person or --file")
	case len(in.people) > 0 && in.file != "":
		return usageErr("give --person or --file, not both")
	}
	st, v, loc, err := a.openPlan(ctx, writeStore, in.planID)
	if err != nil {
		return err
	}
	defer st.Close()
	act, ok := v.Plan.Activity(in.activity)
	if !ok {
		return inputErr("--activity: plan %s has no activity %s", v.PlanID, in.activity)
	}
	base := comms.Record{Type: comms.RecordTypeAck, PlanID: v.PlanID, ActivityID: act.ID, Digest: in.digest,
		Channel: in.channel, Evidence: comms.AckEvidence{Kind: in.kind, Ref: in.ref}}
	if base.Digest == "" {
		if base.Digest = act.What.Version.Digest; base.Digest == "" {
			return inputErr("--activity: the message of activity %s has no version (what.version.digest) to acknowledge", act.ID)
		}
	}
	if base.SentAt, err = a.timeFlag("--at", in.at, loc); err != nil {
		return err
	}
	var acks []comms.Record
	var lines []string // where each entry came from, for errors
	if in.file != "" {
		if acks, lines, err = readAcks(in.file, base, loc); err != nil {
			return err
		}
	} else {
		for _, p := range in.people {
			r := base
			r.PersonID = p
			acks = append(acks, r)
			lines = append(lines, "--person "+safetext.Line(p))
		}
	}
	got, fresh, err := evidence.AppendAcks(ctx, st, a.tenant, acks, a.now)
	var ae *evidence.AckError
	if errors.As(err, &ae) {
		var b strings.Builder
		if len(acks) == 1 {
			b.WriteString("the acknowledgement is refused, and not recorded:")
		} else {
			fmt.Fprintf(&b, "refused, none of the %d acknowledgements recorded:", len(acks))
		}
		for _, p := range ae.Problems {
			fmt.Fprintf(&b, "\n%s: %s", lines[p.Index], libText(p.Err))
		}
		if ae.More > 0 {
			fmt.Fprintf(&b, "\nand %d more problems", ae.More)
		}
		return &exitError{code: exitInput, err: &describedError{b.String(), err}}
	}
	if err != nil {
		return storeFailure(err)
	}
	a.committed = fmt.Sprintf("%s of %s are in the log of tenant %s", plural(fresh, "new acknowledgement"), act.ID, a.tenant)
	say(a.stdout, "%s of %s recorded for tenant %s", plural(fresh, "acknowledgement"), act.ID, a.tenant)
	if already := len(got) - fresh; already > 0 {
		say(a.stdout, "; %d already acknowledged (the first acknowledgement stands)", already)
	}
	say(a.stdout, "\n")
	return nil
}

// ackColumns are the columns of an acknowledgement CSV file.
var ackColumns = map[string]string{
	"person": "person", "personid": "person", "employeeid": "person",
	"at": "at", "acknowledgedat": "at", "time": "at", "date": "at",
	"digest": "digest", "version": "digest",
	"channel":      "channel",
	"evidencekind": "evidence_kind", "kind": "evidence_kind",
	"evidenceref": "evidence_ref", "ref": "evidence_ref", "reference": "evidence_ref",
}

// maxAckFile bounds an acknowledgement file: 64 MiB holds a store batch.
const maxAckFile = 64 << 20

// readAcks reads an acknowledgement CSV file: one entry per row, base
// giving what a row leaves out. lines says where each entry is, for
// errors ("acks.csv:7").
func readAcks(path string, base comms.Record, loc *time.Location) ([]comms.Record, []string, error) {
	type parsed struct {
		acks  []comms.Record
		lines []string
	}
	name := safetext.Line(path)
	p, err := readInput(path, func(r io.Reader) (parsed, error) {
		var out parsed
		data, err := io.ReadAll(io.LimitReader(r, maxAckFile+1))
		if err != nil {
			return out, fmt.Errorf("%s: %w", name, err)
		}
		if len(data) > maxAckFile {
			return out, fmt.Errorf("%s: larger than %d MiB: split it", name, maxAckFile>>20)
		}
		var tooWide *csvlimit.Error
		if errors.As(csvlimit.Check(data, ',', len(ackColumns)), &tooWide) {
			return out, fmt.Errorf("%s:%d: more than %d fields in one record: not an acknowledgement file", name, tooWide.Line, tooWide.Max)
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			return out, fmt.Errorf("%s: no header row: %w", name, err)
		}
		col := map[string]int{}
		var problems []string
		for i, h := range header {
			key := strings.Map(func(r rune) rune {
				if strings.ContainsRune(" -_.", r) {
					return -1
				}
				return r
			}, strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))))
			c, ok := ackColumns[key]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s:1:%d: unknown column %q (known: person, at, digest, channel, evidence_kind, evidence_ref)", name, i+1, safetext.Line(h)))
			case col[c] != 0:
				problems = append(problems, fmt.Sprintf("%s:1:%d: column %s given twice", name, i+1, c))
			default:
				col[c] = i + 1
			}
		}
		if col["person"] == 0 {
			problems = append(problems, fmt.Sprintf("%s:1: no person column", name))
		}
		for len(problems) < comms.MaxProblems {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return out, fmt.Errorf("%s: %w", name, err)
			}
			line, _ := cr.FieldPos(0)
			if len(out.acks) >= store.MaxBatch {
				return out, fmt.Errorf("%s:%d: more than %d acknowledgements in one file", name, line, store.MaxBatch)
			}
			cell := func(c string) (string, int) {
				i := col[c]
				if i == 0 || i > len(rec) {
					return "", 0
				}
				return strings.TrimSpace(rec[i-1]), i
			}
			if strings.Join(rec, "") == "" {
				continue
			}
			r := base
			r.PersonID, _ = cell("person")
			if s, c := cell("at"); s != "" {
				t, err := parseTime(s, loc)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s:%d:%d: at: %v", name, line, c, err))
				}
				r.SentAt = t
			}
			if s, _ := cell("digest"); s != "" {
				r.Digest = s
			}
			if s, _ := cell("channel"); s != "" {
				r.Channel = s
			}
			if s, _ := cell("evidence_kind"); s != "" {
				r.Evidence.Kind = s
			}
			if s, _ := cell("evidence_ref"); s != "" {
				r.Evidence.Ref = s
			}
			out.acks = append(out.acks, r)
			out.lines = append(out.lines, fmt.Sprintf("%s:%d", name, line))
		}
		if len(problems) > 0 {
			return out, errors.New(strings.Join(problems, "\n"))
		}
		if len(out.acks) == 0 {
			return out, fmt.Errorf("%s: no acknowledgements in it", name)
		}
		return out, nil
	})
	return p.acks, p.lines, err
}

func (a *app) outstandingCommand() *cobra.Command {
	var in outstandingFlags
	cmd := &cobra.Command{
		Use:   "outstanding",
		Short: "Who has not acknowledged an activity's message, and who is overdue",
		Long: `For each activity whose message has a version (or the one --activity names),
at --at (default --now): who was due to acknowledge it (the tenant's
rosters, the activity's audiences, on that day), who did, who is
outstanding within the grace period and who is overdue; per stakeholder
group, and the people not done by name (--all lists everyone due).

The figures are read from the store's columns for acknowledgements
(fast, without decoding each record); with --fail-on, which a CI gate
trusts, the tenant's record chain is verified first, those columns with
it, and a broken chain fails the gate. These are personal data: the list
goes to standard output only.`,
		Example: `  ismscomms outstanding
  ismscomms outstanding --activity policy --at 2026-06-30 --format json
  ismscomms outstanding --fail-on overdue`,
		Args: positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error { return a.outstanding(cmd.Context(), in) },
	}
	f := cmd.Flags()
	f.StringVar(&in.planID, "plan-id", "", "the plan's ID in the store (default: the tenant's only plan)")
	f.StringVar(&in.activity, "activity", "", "one activity (default: every activity whose message has a version)")
	f.StringVar(&in.at, "at", "", "the moment (default: --now)")
	f.StringVar(&in.format, "format", "table", "table or json")
	f.BoolVar(&in.all, "all", false, "list everyone due, not only those who have not acknowledged")
	f.StringVar(&in.failOn, "fail-on", "none", "exit 1 if anyone is overdue (overdue) or has not acknowledged (outstanding)")
	return cmd
}

type outstandingFlags struct {
	planID, activity, at, format, failOn string
	all                                  bool
}

// outstanding answers who has not acknowledged, as in says.
func (a *app) outstanding(ctx context.Context, in outstandingFlags) error {
	if err := oneOf("--format", in.format, "table", "json"); err != nil {
		return err
	}
	if err := oneOf("--fail-on", in.failOn, "none", "outstanding", "overdue"); err != nil {
		return err
	}
	st, v, loc, err := a.openPlan(ctx, readStore, in.planID)
	if err != nil {
		return err
	}
	defer st.Close()
	when, err := a.timeFlag("--at", in.at, loc)
	if err != nil {
		return err
	}
	ids, err := versionedActivities(v.Plan, in.activity)
	if err != nil {
		return err
	}
	if in.failOn != "none" {
		// A gate reads what it verified: the columns the figures
		// come from are checked against the hashed records.
		if _, err := st.Verify(ctx, a.tenant); err != nil {
			var ce *store.ChainError
			if errors.As(err, &ce) {
				say(a.stderr, "ismscomms: the record chain of tenant %s is broken at record %d (ismscomms verify says more): nothing was checked\n", a.tenant, ce.Seq)
				return errNegative
			}
			return storeFailure(err)
		}
	}
	statuses := make([]*evidence.AckStatus, 0, len(ids))
	var skipped error
	for _, id := range ids {
		s, err := evidence.ReadOutstanding(ctx, st, a.tenant, v.PlanID, id, when)
		if errors.Is(err, evidence.ErrInvalid) && in.activity == "" {
			skipped = err // not versioned at --at
			continue
		}
		if errors.Is(err, evidence.ErrInvalid) {
			return inputErr("--activity %s: %s", id, invalidText(err))
		}
		if err != nil {
			return storeFailure(err)
		}
		statuses = append(statuses, s.In(loc))
	}
	if len(statuses) == 0 {
		return inputErr("nothing to answer at %s: %s", when.Format(time.RFC3339), invalidText(skipped))
	}
	_, hasRoster, err := evidence.TenantRoster(ctx, st, a.tenant)
	if err != nil {
		return storeFailure(err)
	}
	if in.format == "json" {
		err = writeJSON(a.stdout, struct {
			Tenant     string                `json:"tenant"`
			Roster     bool                  `json:"roster"`
			Activities []*evidence.AckStatus `json:"activities"`
		}{a.tenant, hasRoster, statuses})
	} else {
		if !hasRoster {
			say(a.stdout, "tenant %s has no roster, so no one is due (import one with: ismscomms roster import <file>)\n\n", a.tenant)
		}
		err = a.writeOutstanding(v.Plan, statuses, in.all)
	}
	if err != nil {
		return err
	}
	if in.failOn != "none" && !hasRoster {
		// No one is due because no one is known: not an answer.
		say(a.stderr, "ismscomms: tenant %s has no roster: nothing was checked\n", a.tenant)
		return errNegative
	}
	for _, s := range statuses {
		if in.failOn == "overdue" && s.Total.Overdue > 0 || in.failOn == "outstanding" && s.Total.Outstanding > 0 {
			return errNegative
		}
	}
	return nil
}

// versionedActivities returns the activity given, or every activity of p
// whose message has a version.
func versionedActivities(p comms.Plan, id string) ([]string, error) {
	if id != "" {
		if _, ok := p.Activity(id); !ok {
			return nil, inputErr("--activity: plan %s has no activity %s", p.ID, id)
		}
		return []string{id}, nil
	}
	var ids []string
	for _, a := range p.Activities {
		if a.What.Version.Digest != "" {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return nil, inputErr("plan %s has no activity whose message has a version (what.version.digest): nothing is acknowledged", p.ID)
	}
	return ids, nil
}

func (a *app) writeOutstanding(p comms.Plan, statuses []*evidence.AckStatus, all bool) error {
	for i, s := range statuses {
		if i > 0 {
			say(a.stdout, "\n")
		}
		name := s.ActivityID
		if act, ok := p.Activity(s.ActivityID); ok && act.Name != "" {
			name += " (" + act.Name + ")"
		}
		grace := "no grace period"
		if s.Grace != "" {
			grace = "grace " + s.Grace
		}
		say(a.stdout, "%s: version %s, acknowledgements since %s, %s\n", name, versionText(p, s), s.Since.Format("2006-01-02"), grace)
		c := s.Total
		say(a.stdout, "%d due, %d acknowledged (%s), %d outstanding, %d of them overdue\n\n", c.Due, c.Acknowledged, pctText(ackRateOf(c)), c.Outstanding, c.Overdue)
		t := newTable(a.stdout, "STAKEHOLDER", "DUE", "ACKNOWLEDGED", "OUTSTANDING", "OVERDUE", "RATE")
		for _, g := range s.Stakeholders {
			t.row(g.StakeholderID, fmt.Sprint(g.Due), fmt.Sprint(g.Acknowledged), fmt.Sprint(g.Outstanding), fmt.Sprint(g.Overdue), pctText(ackRateOf(g.AckCounts)))
		}
		if err := t.flush(); err != nil {
			return err
		}
		t = newTable(a.stdout, "PERSON", "NAME", "STATE", "DUE BY", "ACKNOWLEDGED")
		listed := 0
		for _, pa := range s.People {
			if pa.State == evidence.AckDone && !all {
				continue
			}
			acked := ""
			if !pa.AcknowledgedAt.IsZero() {
				acked = pa.AcknowledgedAt.Format("2006-01-02 15:04")
			}
			if listed == 0 {
				say(a.stdout, "\n")
			}
			listed++
			t.row(pa.PersonID, pa.Name, string(pa.State), pa.DueBy.Format("2006-01-02 15:04"), acked)
		}
		if listed > 0 {
			if err := t.flush(); err != nil {
				return err
			}
		}
	}
	return failed(a.stdout)
}

// invalidText is what evidence.ErrInvalid wraps, in the library's words.
func invalidText(err error) string {
	msg := strings.TrimPrefix(libText(err), "invalid argument: ")
	return strings.TrimPrefix(msg, "outstanding: ")
}

// people returns "1 person", "2 people".
func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// ackRateOf is c's rate, or -1 (a dash) when no one is due.
func ackRateOf(c evidence.AckCounts) float64 {
	if c.Due == 0 {
		return -1
	}
	return c.Rate
}

// versionText names the message version s counts: its label, if the plan
// gives one, and the start of its digest.
func versionText(p comms.Plan, s *evidence.AckStatus) string {
	short := shortHash(strings.TrimPrefix(s.Digest, comms.DigestPrefix))
	if act, ok := p.Activity(s.ActivityID); ok && act.What.Version.Digest == s.Digest && act.What.Version.Label != "" {
		return act.What.Version.Label + " (" + short + ")"
	}
	return short
}

// openPlan opens the store for access and finds in it the tenant's plan
// (planID, or the tenant's only plan) and the plan's zone. The caller
// closes the store; on an error it is closed already.
func (a *app) openPlan(ctx context.Context, access storeAccess, planID string) (closingStore, store.Version, *time.Location, error) {
	st, err := a.openStore(access)
	if err != nil {
		return nil, store.Version{}, nil, err
	}
	v, err := a.storedPlan(ctx, st, planID)
	if err != nil {
		st.Close()
		return nil, store.Version{}, nil, err
	}
	loc, err := v.Plan.Location()
	if err != nil {
		st.Close()
		return nil, store.Version{}, nil, err
	}
	return st, v, loc, nil
}

// rosters returns st's roster capability, or the error for a store
// without one.
func (a *app) rosters(st store.Store) (store.RosterStore, error) {
	rs, ok := st.(store.RosterStore)
	if !ok {
		return nil, errorf(exitStore, "the store at %s keeps no rosters", a.db)
	}
	return rs, nil
}
