package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/matrix"
	"github.com/ismscomms/ismscomms/regulation"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
)

// Exit statuses: the README's table, which TestExitStatusTable runs row
// by row.
const (
	exitOK       = 0
	exitNegative = 1 // the answer is no: findings, a broken chain, nothing stored
	exitInput    = 2 // usage or bad input: a flag, an argument, a plan, a date
	exitStore    = 3 // the store failed: missing, locked, corrupt, unreachable
	exitOther    = 4 // an output could not be written, or anything else
)

// exitError carries an exit status with an error.
type exitError struct {
	code int
	err  error
	// usage: the error is one of usage; the command's usage line follows
	// the message.
	usage bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errorf returns an error with exit status code. Every string argument is
// escaped (see escapeArgs): a message that echoes a flag, a plan or a
// store cannot break into lines of its own or command the terminal.
// Errors among args are wrapped (%w) and escaped where printed.
func errorf(code int, format string, args ...any) *exitError {
	return &exitError{code: code, err: fmt.Errorf(format, escapeArgs(args, true)...)}
}

// inputErr is exit status 2: bad input.
func inputErr(format string, args ...any) error { return errorf(exitInput, format, args...) }

// usageErr is exit status 2 with the command's usage line: a command,
// flag or argument that is not one the command takes.
func usageErr(format string, args ...any) error {
	e := errorf(exitInput, format, args...)
	e.usage = true
	return e
}

// storeErr is exit status 3: the store failed.
func storeErr(err error) error { return &exitError{code: exitStore, err: err} }

// negative ends a command whose output is complete but whose answer is no.
var errNegative = &exitError{code: exitNegative, err: errors.New("")}

// app holds what every command shares.
type app struct {
	stdin io.Reader
	// stdout and stderr are, once run starts, trackedWriters: a write that
	// fails makes the exit status 4.
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
	// committed says what a command wrote to the store, once it has (set
	// by the commands that write): if its confirmation cannot be printed,
	// the error says the write happened all the same, so that whoever runs
	// it again knows it would be written twice.
	committed string
	// storeNow, when set, is the clock stores stamp saves and records
	// with (tests); --now never is: a store records when things really
	// entered it.
	storeNow func() time.Time
	// tlsConfig, when set, is the TLS configuration remind --send uses
	// (tests: a throwaway CA); nil is the system's roots.
	tlsConfig *tls.Config
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
// It is the one place errors are printed: escaped (safetext.Escape), and
// for a usage error followed by the usage line. An output that could not
// be written turns a success or a negative answer into exit status 4: the
// reader did not get the whole answer.
func (a *app) run(args []string) int {
	stdout := &trackedWriter{w: a.stdout}
	stderr := &trackedWriter{w: a.stderr}
	a.stdout, a.stderr = stdout, stderr
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if cmd == nil {
		cmd = root
	}
	code, usage := exitOK, false
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code, usage = ee.code, ee.usage
	case !a.started:
		// Cobra's own errors: unknown commands and flags, wrong arguments.
		code, usage = exitInput, true
	default:
		code = exitOther
	}
	if stdout.err != nil && (code == exitOK || code == exitNegative || code == exitOther || errors.Is(err, stdout.err)) {
		if err != nil && !errors.Is(err, stdout.err) && err.Error() != "" {
			printErr(stderr, err)
		}
		err = fmt.Errorf("cannot write standard output: %w", stdout.err)
		if a.committed != "" {
			err = fmt.Errorf("%w; all the same, %s", err, a.committed)
		}
		code, usage = exitOther, false
	}
	if err != nil && err.Error() != "" {
		printErr(stderr, err)
	}
	if usage {
		io.WriteString(stderr, usageText(cmd))
	}
	if stderr.err != nil && (code == exitOK || code == exitNegative) {
		code = exitOther // a message, a warning or a file's confirmation was lost
	}
	return code
}

// printErr prints err on w, escaped (library errors quote plans and
// stores too), without the names of the packages it passed through.
func printErr(w io.Writer, err error) {
	msg := userText(err.Error())
	if errors.Is(err, sqlite.ErrLocked) && !strings.Contains(msg, "--lock-timeout") {
		msg += " (another process is using the store: try again, or wait longer with --lock-timeout)"
	}
	fmt.Fprintln(w, "ismscomms:", safetext.Escape(msg))
}

// packagePrefixes are the prefixes the module's packages give their
// errors: "evidence: records: sqlite: store: record chain ..." names
// three packages a user of the command never sees.
var packagePrefixes = []string{"comms", "schedule", "matrix", "regulation", "evidence", "store", "driver", "sqlite", "postgres", "notify", "remind"}

// userText removes from msg every package prefix ("sqlite: ") that
// starts it or follows a ": ", so that an error wrapped on its way up
// reads as one sentence. A prefix inside quotes (a user's value) is kept.
func userText(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		if i == 0 || strings.HasSuffix(msg[:i], ": ") {
			if p := packagePrefix(msg[i:]); p > 0 {
				i += p
				continue
			}
		}
		if msg[i] == '"' { // a quoted value, through its closing quote
			j := i + 1
			for j < len(msg) && msg[j] != '"' {
				if msg[j] == '\\' {
					j++
				}
				j++
			}
			if j < len(msg) { // a quote without its closing one is a character
				b.WriteString(msg[i : j+1])
				i = j + 1
				continue
			}
		}
		b.WriteByte(msg[i])
		i++
	}
	return b.String()
}

// packagePrefix returns the length of the package prefix ("store: ") s
// starts with, or 0.
func packagePrefix(s string) int {
	for _, p := range packagePrefixes {
		if len(s) > len(p)+2 && s[:len(p)] == p && s[len(p):len(p)+2] == ": " {
			return len(p) + 2
		}
	}
	return 0
}

// usageText is the usage line of cmd and where to read more.
func usageText(cmd *cobra.Command) string {
	var b strings.Builder
	var subs []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && c.Name() != "help" && c.Name() != "completion" {
			subs = append(subs, c.Name())
		}
	}
	if len(subs) > 0 {
		fmt.Fprintf(&b, "usage: %s <command> [flags]\ncommands: %s\n", cmd.CommandPath(), strings.Join(subs, ", "))
	} else {
		fmt.Fprintf(&b, "usage: %s\n", cmd.UseLine())
	}
	fmt.Fprintf(&b, "Run '%s --help' for more.\n", cmd.CommandPath())
	return b.String()
}

// positional validates a command's arguments: at least least, at most
// most (-1: no limit). What is missing is named from the command's Use
// line ("milestone <id> <name>").
func positional(least, most int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		names := strings.Fields(cmd.Use)[1:]
		if len(args) < least {
			missing := names[min(len(args), len(names)):min(least, len(names))]
			return usageErr("missing argument %s", strings.Join(missing, " "))
		}
		if most >= 0 && len(args) > most {
			if most == 0 {
				return usageErr("%s takes no arguments, got \"%s\"", cmd.CommandPath(), args[0])
			}
			return usageErr("unexpected argument \"%s\"", args[most])
		}
		return nil
	}
}

// group is the RunE of a command that only holds subcommands: without one,
// or with one it does not have, it is a usage error.
func group(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0 && !cmd.HasParent():
		return usageErr("no command given")
	case len(args) == 0:
		return usageErr("%s needs a command", cmd.CommandPath())
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // as cobra does for the root
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		return usageErr("unknown command \"%s\" for %s; did you mean %s?", args[0], cmd.CommandPath(), s[0])
	}
	return usageErr("unknown command \"%s\" for %s", args[0], cmd.CommandPath())
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

Exit status: 0 success; 1 the answer is no (check found findings at the
--fail-on level; verify found a broken chain, or nothing stored for the
tenant; outstanding --fail-on found someone overdue); 2 usage or bad input
(an unknown command, flag or profile, a missing argument, an unreadable
plan, a bad date, a record or acknowledgement that does not fit the plan
and rosters); 3 the store failed (no store at --db, locked, corrupt,
unreachable); 4 an output could not be written (standard output, or an
--out file), a reminder remind --send could not send, or anything else.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs, // group says what is wrong with them
		RunE:          group,
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
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr("%w", err) })
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usageErr("no help for \"%s\": no such command", strings.Join(args, " "))
			}
			return c.Help()
		},
	})
	root.AddCommand(
		a.initCommand(), a.checkCommand(), a.matrixCommand(), a.calendarCommand(), a.agendaCommand(),
		a.planCommand(), a.recordCommand(), a.incidentCommand(), a.reportCommand(), a.verifyCommand(),
		a.schemaCommand(), a.demoCommand(), a.migrateCommand(),
		a.rosterCommand(), a.ackCommand(), a.outstandingCommand(), a.remindCommand(),
		a.keyCommand(), a.checkpointCommand(), a.proveCommand(), a.importCommand(),
	)
	// cobra's completion command prints its help and exits 0 when given no
	// shell or an unknown one; here that is a usage error, as for every
	// other group of commands.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args, c.RunE = cobra.ArbitraryArgs, group
		}
	}
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
// as file:line:col: path: message. A file that cannot be read says why in
// words a person can act on.
func loadPlan(path string) (comms.Plan, *comms.Source, error) {
	p, src, err := comms.LoadPlanSource(path)
	if err == nil {
		return p, src, nil
	}
	var perr *comms.PlanError
	if errors.As(err, &perr) {
		return p, src, &exitError{code: exitInput, err: err}
	}
	return p, src, &exitError{code: exitInput, err: &describedError{cannotRead(path, err), err}}
}

// cannotRead says why a file given as an argument could not be read.
func cannotRead(path string, err error) string {
	name := safetext.Line(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("cannot read %s: no such file (create one with: ismscomms init %s)", name, name)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("cannot read %s: permission denied", name)
	case errors.Is(err, syscall.EISDIR):
		return fmt.Sprintf("cannot read %s: it is a directory", name)
	}
	// The loader's own words, without its package and operation prefix.
	msg := strings.TrimPrefix(err.Error(), "comms: ")
	msg = strings.TrimPrefix(msg, "load plan: ")
	msg = strings.TrimPrefix(msg, "load "+path+": ")
	return "cannot read " + name + ": " + msg
}

// colour reports whether to colour output written to w: only a terminal,
// and never with NO_COLOR set.
func (a *app) colour(w io.Writer) bool {
	return a.getenv("NO_COLOR") == "" && a.terminal(w)
}

// terminal reports whether w is a terminal.
func (a *app) terminal(w io.Writer) bool {
	if t, ok := w.(*trackedWriter); ok {
		w = t.w
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

// openStore opens the store --db names. readOnly says that the command only
// reads (verify, report, plan list, incident clock, incident list, agenda
// --evidence): such a command must never create or migrate a store, so
// readOnly goes to the opening of each kind of store (openSQLite,
// openPostgres), and each command asks for its mode here, in this one
// call.
func (a *app) openStore(access storeAccess) (closingStore, error) {
	if a.db == "" {
		return nil, usageErr("--db: no store given")
	}
	if strings.HasPrefix(a.db, "postgres://") || strings.HasPrefix(a.db, "postgresql://") {
		return a.openPostgres(access == readStore)
	}
	return a.openSQLite(access)
}

// storeAccess is what a command does with the store.
type storeAccess int

const (
	readStore   storeAccess = iota // reads: never creates, migrates or writes
	writeStore                     // writes to a store that exists (record, incident)
	createStore                    // writes, creating the store where none is (plan save)
)

// openSQLite opens the SQLite store in the file --db names. A read opens
// it read-only: it never creates, migrates or writes the file, so a file
// that does not exist is "no store at ...", exit status 3, and the command
// works while another process writes and on read-only media. A write to
// a store that must exist refuses a missing file the same way (a mistyped
// --db is not a new, empty store). Only createStore creates a store where
// none is, and removes the file again if it cannot make it a store (a
// full disk); a directory that does not exist is said to be missing.
func (a *app) openSQLite(access storeAccess) (closingStore, error) {
	readOnly := access == readStore
	fi, err := os.Stat(a.db)
	created := errors.Is(err, fs.ErrNotExist)
	switch {
	case err == nil && fi.IsDir():
		return nil, errorf(exitStore, "--db %s is a directory, not a store", a.db)
	case access == writeStore && created:
		return nil, errorf(exitStore, "no store at %s (this command writes to an existing store: check --db, or save a plan first with: ismscomms plan save <file>)", a.db)
	case access == createStore && created:
		dir := filepath.Dir(a.db)
		if d, derr := os.Stat(dir); errors.Is(derr, fs.ErrNotExist) {
			return nil, errorf(exitStore, "cannot create the store %s: directory %s does not exist", a.db, dir)
		} else if derr == nil && !d.IsDir() {
			return nil, errorf(exitStore, "cannot create the store %s: %s is not a directory", a.db, dir)
		}
	}
	s, err := sqlite.Open(a.db, &sqlite.Options{BusyTimeout: a.lockTimeout, Now: a.storeNow, ReadOnly: readOnly})
	if err != nil && created && !readOnly {
		// Leave nothing behind that was not there: a store that could not
		// be made (a full disk) leaves a file of zero bytes. A file with
		// content is kept: another process may have made it meanwhile.
		if fi, serr := os.Stat(a.db); serr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			os.Remove(a.db)
			os.Remove(a.db + "-wal")
			os.Remove(a.db + "-shm")
		}
	}
	switch {
	case err == nil:
		return s, nil
	case readOnly && errors.Is(err, fs.ErrNotExist):
		// "sqlite: no store at x.db (the file is empty): file does not exist"
		what := strings.TrimSuffix(strings.TrimPrefix(err.Error(), "sqlite: "), ": "+fs.ErrNotExist.Error())
		return nil, errorf(exitStore, "%s (a command that only reads never creates one: check --db, or save a plan first with: ismscomms plan save <file>)", what)
	case errors.Is(err, sqlite.ErrSchemaTooNew):
		return nil, errorf(exitStore, "cannot open the store %s: %w (upgrade ismscomms)", a.db, err)
	case errors.Is(err, sqlite.ErrSchemaTooOld):
		return nil, errorf(exitStore, "cannot open the store %s: %w (bring it to this program's schema with: ismscomms --db %s migrate)", a.db, err, a.db)
	}
	return nil, errorf(exitStore, "cannot open the store %s: %w", a.db, err)
}

// storeFailure classifies an error a store method returned: input problems
// (invalid, conflict, not found) are bad input, the rest the store's.
func storeFailure(err error) error {
	for _, category := range []error{store.ErrInvalid, store.ErrConflict, store.ErrNotFound} {
		if errors.Is(err, category) {
			// What the store refused, without the category's own words
			// ("store: invalid: ") before it.
			msg := strings.TrimPrefix(err.Error(), category.Error()+": ")
			return &exitError{code: exitInput, err: &describedError{"the store refused it: " + msg, err}}
		}
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &exitError{code: exitStore, err: err}
	}
	return storeErr(err)
}

// oneOf validates the value of an enumerated flag.
func oneOf(flag, value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return usageErr("%s \"%s\": use %s", flag, value, strings.Join(allowed, ", "))
}

// profileOptions reads --profile: legal profiles, comma-separated. A name
// that is no profile is a usage error that lists the profiles there are
// (matrix.Profile would make it a finding, and the exit status 1).
func profileOptions(value string) ([]matrix.CheckOption, error) {
	var opts []matrix.CheckOption
	for _, name := range strings.Split(value, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if _, ok := regulation.Profile(name); !ok {
			return nil, usageErr("--profile \"%s\": no such profile; use %s", name, strings.Join(regulation.Profiles(), ", "))
		}
		opts = append(opts, matrix.Profile(name))
	}
	return opts, nil
}
