package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// Exit statuses.
const (
	exitOK       = 0
	exitNegative = 1 // the answer is no: errors found, chain broken
	exitInput    = 2 // bad input: usage, plan, date
	exitStore    = 3 // the store failed
	exitOther    = 4 // anything else, such as an output that could not be written
)

// exitError carries an exit status with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func inputErr(format string, args ...any) error {
	return &exitError{exitInput, fmt.Errorf(format, args...)}
}

func storeErr(err error) error { return &exitError{exitStore, err} }

// negative ends a command whose output is complete but whose answer is no.
var errNegative = &exitError{exitNegative, errors.New("")}

// app holds what every command shares.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	nowFlag     string
	db          string
	tenant      string
	lockTimeout time.Duration

	now time.Time
	// started is set once a command's own code runs: an error without an
	// exit status before that is cobra's (usage), after it is exitOther.
	started bool
	// storeNow, when set, is the clock stores stamp saves and records
	// with (tests); --now never is: a store records when things really
	// entered it.
	storeNow func() time.Time
}

// version is the module version of the binary ("(devel)" from source).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}

// run runs the command line and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return (&app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}).run(args)
}

// run runs the command line with a's streams and returns the exit status.
func (a *app) run(args []string) int {
	stdin, stdout, stderr := a.stdin, a.stdout, a.stderr
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if msg := ee.Error(); msg != "" {
			fmt.Fprintln(stderr, "ismscomms:", msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "ismscomms:", err)
	if a.started {
		return exitOther
	}
	// Cobra's own errors: unknown commands and flags, wrong arguments.
	return exitInput
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "ismscomms",
		Short: "ISO/IEC 27001:2022 Clause 7.4 Communication, executable",
		Long: `ismscomms determines, checks, schedules and proves an ISMS's communication:
what to communicate, when, with whom, how, and who is responsible.

Start with the whole flow in a temporary store:

  ismscomms demo

Dates are RFC 3339 or YYYY-MM-DD; without an offset they are read in the
plan's time zone where the command works on one plan, else in the local
one (--now always in the local one).

Exit status: 0 success; 1 the answer is negative (check found errors,
verify found a broken chain); 2 bad input (usage, an unreadable plan, a
bad date, a record that does not fit the plan); 3 the store failed
(cannot be opened, is locked or corrupt); 4 anything else, such as an
output that could not be written.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.started = true
			a.now = time.Now()
			if a.nowFlag != "" {
				t, err := parseTime(a.nowFlag, time.Local)
				if err != nil {
					return inputErr("--now: %v", err)
				}
				a.now = t
			}
			return nil
		},
	}
	root.SetVersionTemplate("ismscomms {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.nowFlag, "now", "", "the reference time, RFC 3339 or YYYY-MM-DD (default: the current time)")
	pf.StringVar(&a.db, "db", "ismscomms.db", "the store: an SQLite file, or a postgres:// URL")
	pf.StringVar(&a.tenant, "tenant", "default", "the tenant whose data the store commands use")
	pf.DurationVar(&a.lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for a database another process holds")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return inputErr("%v", err) })
	root.AddCommand(
		a.initCommand(), a.checkCommand(), a.matrixCommand(), a.calendarCommand(), a.agendaCommand(),
		a.planCommand(), a.recordCommand(), a.incidentCommand(), a.reportCommand(), a.verifyCommand(),
		a.schemaCommand(), a.demoCommand(),
	)
	return root
}

// parseTime reads RFC 3339 or YYYY-MM-DD (midnight in loc).
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use RFC 3339 (2026-03-07T10:00:00+01:00) or YYYY-MM-DD", s)
}

// writeFile writes a file through write, atomically: a temporary file in
// the same directory, renamed over path once complete, so that a failure
// never leaves a truncated file behind.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return inputErr("%v", err)
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	if err := write(f); err != nil {
		f.Close()
		return &exitError{exitOther, fmt.Errorf("writing %s: %w", path, err)}
	}
	if err := f.Close(); err != nil {
		return &exitError{exitOther, fmt.Errorf("writing %s: %w", path, err)}
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return &exitError{exitOther, err}
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return &exitError{exitOther, err}
	}
	return nil
}

// timeFlag parses a time flag in loc, defaulting to --now.
func (a *app) timeFlag(name, value string, loc *time.Location) (time.Time, error) {
	if value == "" {
		return a.now, nil
	}
	t, err := parseTime(value, loc)
	if err != nil {
		return time.Time{}, inputErr("%s: %v", name, err)
	}
	return t, nil
}

// loadPlan reads a plan file; problems are bad input, listed one per line
// as file:line:col: path: message.
func loadPlan(path string) (comms.Plan, *comms.Source, error) {
	p, src, err := comms.LoadPlanSource(path)
	if err != nil {
		var perr *comms.PlanError
		if errors.As(err, &perr) {
			return p, src, &exitError{exitInput, err}
		}
		return p, src, inputErr("%v", err)
	}
	return p, src, nil
}

// colour reports whether to colour output written to w: only a terminal,
// and never with NO_COLOR set.
func (a *app) colour(w io.Writer) bool {
	if a.getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// closingStore is a Store the command closes when done.
type closingStore interface {
	store.Store
	Close() error
}

// openStore opens the store --db names.
func (a *app) openStore() (closingStore, error) {
	if a.db == "" {
		return nil, inputErr("--db: no store given")
	}
	if strings.HasPrefix(a.db, "postgres://") || strings.HasPrefix(a.db, "postgresql://") {
		return a.openPostgres()
	}
	s, err := sqlite.Open(a.db, &sqlite.Options{BusyTimeout: a.lockTimeout, Now: a.storeNow})
	if err != nil {
		return nil, storeErr(err)
	}
	return s, nil
}

// storeFailure classifies an error a store method returned: input problems
// (invalid, conflict, not found) are bad input, the rest the store's.
func storeFailure(err error) error {
	switch {
	case errors.Is(err, store.ErrInvalid), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		return &exitError{exitInput, err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &exitError{exitStore, err}
	}
	return storeErr(err)
}

// oneOf validates the value of an enumerated flag.
func oneOf(flag, value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return inputErr("%s %q: use %s", flag, value, strings.Join(allowed, ", "))
}
