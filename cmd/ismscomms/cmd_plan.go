package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/internal/fallible"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/schedule"
	"github.com/ismscomms/ismscomms/store"
)

// variants are the plans init writes: files of matrix.StarterFiles.
var variants = map[string]string{
	"starter":   "starter.yaml",
	"gdpr-nis2": "starter-gdpr-nis2.yaml",
}

func (a *app) initCommand() *cobra.Command {
	var variant string
	var force bool
	cmd := &cobra.Command{
		Use:   "init [file]",
		Short: "Write the starter plan to a file",
		Long: `Write the starter plan — the reference's 14-row communication matrix as a
complete plan — to a file (communication-plan.yaml by default). With
--variant gdpr-nis2 the plan also carries the GDPR and NIS2 notifications.
An existing file is not overwritten without --force; with it, the file is
replaced atomically (a failure leaves it as it was). "-" writes the plan to
standard output.`,
		Example: `  ismscomms init
  ismscomms init --variant gdpr-nis2 plans/isms-comms.yaml`,
		Args: positional(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "communication-plan.yaml"
			if len(args) == 1 {
				path = args[0]
			}
			tmpl, ok := variants[variant]
			if !ok {
				return usageErr("--variant \"%s\": use starter or gdpr-nis2", variant)
			}
			// The plan is written as YAML, and check reads a plan file by its
			// name's ending: a file it would refuse is refused here. (A FIFO
			// or a device, or a link to one, is written whatever its name.)
			if !yamlName(path) && becomesFile(path) {
				return usageErr("%s: the plan is YAML, so its file name must end in .yaml or .yml (check reads a plan file by its name)", path)
			}
			data, err := fs.ReadFile(matrix.StarterFiles(), tmpl)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error { _, err := w.Write(data); return err }
			if path == "-" {
				return a.writeOutput(path, write)
			}
			if err := writeFile(path, !force, write); err != nil {
				if errors.Is(err, errOutputExists) {
					return inputErr("%s exists; use --force to overwrite it", path)
				}
				return err
			}
			say(a.stderr, "wrote %s (%s plan); check it with: ismscomms check %s\n", path, variant, path)
			return nil
		},
	}
	cmd.Flags().StringVar(&variant, "variant", "starter", "starter, or gdpr-nis2 (with the GDPR and NIS2 notifications)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing file")
	return cmd
}

func (a *app) checkCommand() *cobra.Command {
	var format, profiles, failOn string
	cmd := &cobra.Command{
		Use:   "check <plan>",
		Short: "Check a plan for completeness (Clause 7.4 and legal profiles)",
		Long: `Check a plan file: every problem that makes it unreadable (with
file:line:col), then every completeness finding with its rule ID, clause,
subject, message and hint. The legal profiles the plan declares
(profiles: [gdpr, nis2]) are checked; --profile adds more (gdpr, nis2,
dora, hipaa, sec, ...), never fewer. --format sarif writes SARIF 2.1.0 for
code-scanning tools.

Exit status: 0 no error-severity finding (or none at --fail-on's level);
1 findings; 2 the plan could not be read, or a usage error (such as a
--profile that does not exist).`,
		Example: `  ismscomms check communication-plan.yaml
  ismscomms check --profile gdpr,nis2 --format sarif plan.yaml > ismscomms.sarif`,
		Args: positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "text", "json", "sarif"); err != nil {
				return err
			}
			if err := oneOf("--fail-on", failOn, "error", "warning", "info"); err != nil {
				return err
			}
			profileOpts, err := profileOptions(profiles)
			if err != nil {
				return err
			}
			p, src, err := loadPlan(args[0])
			if err != nil {
				return err
			}
			opts := append([]matrix.CheckOption{matrix.At(a.now), matrix.WithSource(src)}, profileOpts...)
			r := matrix.Check(p, opts...)
			switch format {
			case "json":
				err = r.WriteJSON(a.stdout)
			case "sarif":
				err = r.WriteSARIF(a.stdout, matrix.SARIFOptions{URI: filepath.ToSlash(args[0]), ToolVersion: version()})
			default:
				err = r.WriteText(a.stdout, matrix.TextOptions{File: args[0], Color: a.colour(a.stdout)})
			}
			if err != nil {
				return err
			}
			fail := r.Count(matrix.SeverityError)
			if failOn != "error" {
				fail += r.Count(matrix.SeverityWarning)
			}
			if failOn == "info" {
				fail += r.Count(matrix.SeverityInfo)
			}
			if fail > 0 {
				return errNegative
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json or sarif")
	cmd.Flags().StringVar(&profiles, "profile", "", "legal profiles to check on top of those the plan declares, comma-separated (gdpr,nis2,dora,hipaa,sec,...)")
	cmd.Flags().StringVar(&failOn, "fail-on", "error", "the lowest severity that makes the exit status 1: error, warning or info")
	return cmd
}

func (a *app) matrixCommand() *cobra.Command {
	var format string
	var mf matrixFlags
	cmd := &cobra.Command{
		Use:   "matrix <plan>",
		Short: "Print a plan's communication matrix",
		Long: `Print the communication matrix of a plan: for each activity the
communication activity, key message, target audience, communication
method, timing and responsible party.`,
		Example: `  ismscomms matrix plan.yaml
  ismscomms matrix --format html plan.yaml > matrix.html
  ismscomms matrix --format pdf --paper letter --out matrix.pdf plan.yaml`,
		Args: positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "md", "csv", "html", "json", "pdf"); err != nil {
				return err
			}
			p, _, err := loadPlan(args[0])
			if err != nil {
				return err
			}
			return a.writeMatrix(cmd.Context(), format, mf, p, args[0])
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, csv, html, json or pdf (pdf: through a headless Chromium)")
	mf.add(cmd)
	return cmd
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) calendarCommand() *cobra.Command {
	var domain string
	cmd := &cobra.Command{
		Use:   "calendar <plan>",
		Short: "Write a plan's recurring activities as an iCalendar file",
		Long: `Write the recurring activities of a plan as an iCalendar (RFC 5545) file,
with the plan's time zone, reminders, and UIDs that stay the same between
exports, so that importing it again updates the events.`,
		Example: `  ismscomms calendar plan.yaml > isms-communication.ics`,
		Args:    positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _, err := loadPlan(args[0])
			if err != nil {
				return err
			}
			return schedule.WriteICS(a.stdout, p, &schedule.ICSOptions{Stamp: a.now, UIDDomain: domain})
		},
	}
	cmd.Flags().StringVar(&domain, "uid-domain", "", "the domain that ends each event's UID (a domain you control)")
	return cmd
}

type agendaItem struct {
	At       time.Time `json:"at"`
	Due      time.Time `json:"due"`
	Plan     string    `json:"plan"`
	Activity string    `json:"activity_id"`
	Name     string    `json:"activity"`
	Status   string    `json:"status"`
}

func (a *app) agendaCommand() *cobra.Command {
	var fromFlag, toFlag, format string
	var withEvidence bool
	cmd := &cobra.Command{
		Use:   "agenda <plan>...",
		Short: "List what is due in a window, across one or many plans",
		Long: `List the occurrences of every recurring activity of the given plans in a
window (default: the next 30 days), in time order, each with its deadline.
Without a store, an occurrence whose deadline has passed is "past"; with
--evidence, each is judged against the records in the store (--db,
--tenant): on-time, late, missed, due or upcoming.`,
		Example: `  ismscomms agenda plan.yaml
  ismscomms agenda --from 2026-12-01 --to 2027-01-01 tenants/*.yaml
  ismscomms agenda --evidence --from 2026-01-01 plan.yaml`,
		Args: positional(1, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "table", "json"); err != nil {
				return err
			}
			plans := make([]comms.Plan, len(args))
			for i, path := range args {
				p, _, err := loadPlan(path)
				if err != nil {
					return err
				}
				plans[i] = p
			}
			loc := time.Local
			if len(plans) == 1 {
				if l, err := plans[0].Location(); err == nil {
					loc = l
				}
			}
			from, err := a.timeFlag("--from", fromFlag, loc)
			if err != nil {
				return err
			}
			to := from.AddDate(0, 0, 30)
			if toFlag != "" {
				if to, err = parseTime(toFlag, loc); err != nil {
					return inputErr("--to: %v", err)
				}
			}
			if !to.After(from) {
				return inputErr("--to (%s) must be after --from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
			}
			var st closingStore
			if withEvidence {
				if st, err = a.openStore(readStore); err != nil {
					return err
				}
				defer st.Close()
			}
			var items []agendaItem
			for i, path := range args {
				got, err := a.agendaOf(cmd, st, plans[i], from, to)
				if err != nil {
					return err
				}
				for i := range got {
					got[i].Plan = path
				}
				items = append(items, got...)
			}
			sortAgenda(items)
			if format == "json" {
				if items == nil {
					items = []agendaItem{}
				}
				return writeJSON(a.stdout, items)
			}
			t := newTable(a.stdout, "WHEN", "DUE BY", "STATUS", "ACTIVITY", "PLAN")
			for _, it := range items {
				t.row(it.At.Format("Mon 2006-01-02 15:04 MST"), it.Due.Format("2006-01-02 15:04"), it.Status, it.Name, it.Plan)
			}
			return t.flush()
		},
	}
	cmd.Flags().StringVar(&fromFlag, "from", "", "start of the window (default: now)")
	cmd.Flags().StringVar(&toFlag, "to", "", "end of the window, exclusive (default: 30 days after --from)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().BoolVar(&withEvidence, "evidence", false, "judge each occurrence against the records in the store")
	return cmd
}

// agendaOf lists p's occurrences in [from, to): judged against the
// records in st, or, with st nil, by the clock alone.
func (a *app) agendaOf(cmd *cobra.Command, st store.Store, p comms.Plan, from, to time.Time) ([]agendaItem, error) {
	var items []agendaItem
	if st != nil {
		// An edited record is left out with a warning, not the agenda:
		// verify says what is wrong with the log.
		records, unreadable, readTo, err := evidence.ReadRecords(cmd.Context(), st, a.tenant, store.RecordQuery{PlanID: p.ID}, nil)
		if err != nil {
			return nil, storeFailure(err)
		}
		for _, u := range unreadable {
			say(a.stderr, "ismscomms: warning: record %d left out: %s (the log was changed behind the store: ismscomms verify)\n", u.Seq, u.Reason)
		}
		if readTo > 0 {
			say(a.stderr, "ismscomms: warning: records after %d not read: too many of them are damaged\n", readTo)
		}
		rep, err := evidence.Evaluate(evidence.Input{Plan: p, Records: records, From: from, To: to, Now: a.now})
		if err != nil {
			return nil, inputErr("%v", err)
		}
		for _, o := range rep.Occurrences {
			if o.EventID == "" {
				items = append(items, agendaItem{At: o.At, Due: o.Due, Activity: o.ActivityID, Name: o.Activity, Status: string(o.Status)})
			}
		}
		return items, nil
	}
	ag := schedule.NewAgenda()
	if err := ag.AddPlan("", p); err != nil {
		return nil, inputErr("%v", err)
	}
	ix := p.Index()
	cals, err := schedule.PlanCalendars(p) // each built once, not per occurrence
	if err != nil {
		return nil, inputErr("%v", err)
	}
	for o := range ag.Between(from, to) {
		act, _ := ix.Activity(o.Key)
		cal, ok := cals[act.Calendar]
		if !ok {
			return nil, inputErr("activity %s: plan %s has no calendar %q", act.ID, p.ID, act.Calendar)
		}
		due := time.Date(o.At.Year(), o.At.Month(), o.At.Day()+1, 0, 0, 0, 0, o.At.Location()).Add(-time.Second)
		if d, err := schedule.ParseDeadline(act.When.Within); err == nil {
			due = d.From(o.At, cal)
		}
		status := "upcoming"
		switch {
		case a.now.After(due):
			status = "past"
		case !a.now.Before(o.At):
			status = "due"
		}
		name := act.Name
		if name == "" {
			name = act.ID
		}
		items = append(items, agendaItem{At: o.At, Due: due, Activity: act.ID, Name: name, Status: status})
	}
	return items, nil
}

func sortAgenda(items []agendaItem) {
	slices.SortStableFunc(items, func(x, y agendaItem) int { return x.At.Compare(y.At) })
}

func (a *app) schemaCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the plan file's JSON Schema",
		Long: `Print the JSON Schema of a plan file, generated from the library's types.
Point an editor at it from a plan file:

  # yaml-language-server: $schema=` + comms.SchemaURL,
		Example: `  ismscomms schema > plan.schema.json`,
		Args:    positional(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.stdout.Write(comms.Schema())
			return err
		},
	}
}

func (a *app) planCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Keep plan versions in the store",
		Long:  `Save a plan file as a new version in the store, and list the versions kept.`,
		RunE:  group,
	}
	var expect int
	var by, note string
	save := &cobra.Command{
		Use:   "save <plan>",
		Short: "Save a plan file as the plan's next version",
		Long: `Save a plan file as the next version of the plan with its ID in the store.
--expect is the version you read (0 to create); without it the plan's
current version is used. A stale --expect fails and changes nothing.`,
		Example: `  ismscomms plan save --by alice --note "annual review" plan.yaml`,
		Args:    positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, _, err := loadPlan(args[0])
			if err != nil {
				return err
			}
			st, err := a.openStore(createStore)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := store.WithSaveInfo(cmd.Context(), store.SaveInfo{By: by, Note: note})
			implicit := !cmd.Flags().Changed("expect")
			if implicit {
				expect = 0
				if v, err := st.Plan(ctx, a.tenant, p.ID); err == nil {
					expect = v.Number
				} else if !errors.Is(err, store.ErrNotFound) {
					return storeFailure(err)
				}
			}
			v, err := st.SavePlan(ctx, a.tenant, p, expect)
			if implicit && errors.Is(err, store.ErrConflict) {
				// The version read a moment ago is no longer the latest.
				return inputErr("plan %s: another save of it came first (it was at version %d when this one began); run the command again to save this file over it, or pass --expect", p.ID, expect)
			}
			if err != nil {
				return storeFailure(err)
			}
			a.committed = fmt.Sprintf("plan %s version %d was saved for tenant %s", p.ID, v, a.tenant)
			say(a.stdout, "saved plan %s version %d for tenant %s\n", p.ID, v, a.tenant)
			return nil
		},
	}
	save.Flags().IntVar(&expect, "expect", 0, "the version you read (0 to create)")
	save.Flags().StringVar(&by, "by", "", "who saves the version")
	save.Flags().StringVar(&note, "note", "", "why")
	var format string
	list := &cobra.Command{
		Use:     "list [plan-id]",
		Short:   "List the plans, or the versions of one plan",
		Example: "  ismscomms plan list\n  ismscomms plan list acme-isms-comms",
		Args:    positional(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("--format", format, "table", "json"); err != nil {
				return err
			}
			st, err := a.openStore(readStore)
			if err != nil {
				return err
			}
			defer st.Close()
			seq := st.Plans(cmd.Context(), a.tenant)
			if len(args) == 1 {
				seq = st.Versions(cmd.Context(), a.tenant, args[0])
			}
			type row struct {
				Plan    string    `json:"plan_id"`
				Version int       `json:"version"`
				SavedAt time.Time `json:"saved_at"`
				SavedBy string    `json:"saved_by,omitempty"`
				Note    string    `json:"note,omitempty"`
			}
			rows := []row{}
			for v, err := range seq {
				if len(args) == 1 && errors.Is(err, store.ErrNotFound) {
					break
				}
				if err != nil {
					return storeFailure(err)
				}
				rows = append(rows, row{v.PlanID, v.Number, v.SavedAt, v.SavedBy, v.Note})
			}
			if len(args) == 1 && len(rows) == 0 {
				return inputErr("tenant %s has no plan %s (list them with: ismscomms plan list)", a.tenant, args[0])
			}
			if format == "json" {
				return writeJSON(a.stdout, rows)
			}
			t := newTable(a.stdout, "PLAN", "VERSION", "SAVED", "BY", "NOTE")
			for _, r := range rows {
				t.row(r.Plan, strconv.Itoa(r.Version), r.SavedAt.Format(time.RFC3339), r.SavedBy, r.Note)
			}
			return t.flush()
		},
	}
	list.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.AddCommand(save, list)
	return cmd
}

// storedPlan returns the latest version of the tenant's plan id, or, with
// id empty, of the tenant's only plan.
func (a *app) storedPlan(ctx context.Context, st store.Store, id string) (store.Version, error) {
	if id != "" {
		v, err := st.Plan(ctx, a.tenant, id)
		if errors.Is(err, store.ErrNotFound) {
			return store.Version{}, inputErr("tenant %s has no plan %s (list them with: ismscomms plan list)", a.tenant, id)
		}
		if err != nil {
			return store.Version{}, storeFailure(err)
		}
		return v, nil
	}
	all, err := fallible.Collect(st.Plans(ctx, a.tenant))
	if err != nil {
		return store.Version{}, storeFailure(err)
	}
	switch len(all) {
	case 1:
		return all[0], nil
	case 0:
		return store.Version{}, inputErr("tenant %s has no plan in the store; save one with: ismscomms plan save <file>", a.tenant)
	}
	ids := make([]string, len(all))
	for i, v := range all {
		ids[i] = v.PlanID
	}
	return store.Version{}, inputErr("tenant %s has %d plans (%s); name one with --plan-id", a.tenant, len(all), strings.Join(ids, ", "))
}

// yamlName reports whether check would read the file at path as YAML.
func yamlName(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

// becomesFile reports whether writing to path makes or replaces a regular
// file (path, or where its links lead, is one or does not exist), rather
// than writing to standard output, a FIFO or a device.
func becomesFile(path string) bool {
	if path == "-" {
		return false
	}
	fi, err := os.Stat(path)
	return err != nil || fi.Mode().IsRegular()
}
