package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/matrix/sheet"
)

func (a *app) importCommand() *cobra.Command {
	var sheetName, out, start, id, zone string
	var force bool
	cmd := &cobra.Command{
		Use:   "import <file>",
		Short: "Write a plan file from a spreadsheet communication matrix (CSV or XLSX)",
		Long: `Read a communication matrix kept in a spreadsheet — CSV, or an XLSX
workbook's sheet (--sheet, else the active sheet, or the first visible one
when that is hidden) — and write it as a plan file.
Columns are found by their headings (activity, key message, target audience,
method, timing, responsible party, in any order and with common synonyms);
other columns are listed and ignored. A second column of a field is read
with the first: a second audience, method, responsible party or notes
column's cells are added to the row's (and said), and a second activity,
key message or timing column's cells are cells to review. A CSV file's
delimiter is a comma, a semicolon or a tab: the one with which the header
row is found. Audiences, methods and responsible
parties become stakeholders, channels and roles; timing phrases become
recurrences or triggers with deadlines.

Rows above the header row (titles) and columns that are not the matrix's
are listed as ignored; a cell outside the matrix's columns (under no
heading, or past the last) is a cell to review, as its meaning is unknown.
Every value read from the words of a cell (a stakeholder's kind, a topic,
a recurrence) or set by a documented default (the start date) is printed
with its sheet, row and column, and marked "# inferred" in the file; every
cell that could not be read, and every deadline the sheet does not state
but the plan needs ("as needed", "immediately"), is printed too and marked
"# to review". Recurrences start on --start, by default the first Monday
of the month after --now.

The plan goes to --out (standard output by default); an existing file is
not replaced without --force. Exit status: 0 every cell was read and every
value stated; 1 the plan was written with values to review: cells that
could not be read, or deadlines the sheet does not state ("as needed",
"immediately") that were given a default (review them, then run ismscomms
check); 2 the input could not be read (no plan is written).`,
		Example: `  ismscomms import matrix.xlsx --out plan.yaml
  ismscomms import matrix.csv --start 2026-09-07 --id isms-comms --out plan.yaml`,
		Args: positional(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := sheet.Options{Sheet: sheetName, Now: a.now, ID: id, TimeZone: zone}
			if start != "" {
				d, err := comms.ParseDate(start)
				if err != nil {
					return usageErr("--start \"%s\": use YYYY-MM-DD", start)
				}
				opts.Start = d
			}
			if zone != "" {
				if _, err := (comms.Plan{TimeZone: zone}).Location(); err != nil {
					return usageErr("--timezone \"%s\": not an IANA time zone (Europe/Berlin)", zone)
				}
			}
			if id != "" {
				if err := (comms.Plan{Format: comms.Format, ID: id}).Validate(); err != nil {
					return usageErr("--id \"%s\": letters, digits, '-', '_' and '.'", id)
				}
			}
			if out != "-" && !yamlName(out) && becomesFile(out) {
				return usageErr("%s: the plan is YAML, so its file name must end in .yaml or .yml (check reads a plan file by its name)", out)
			}
			f, err := os.Open(args[0])
			if err == nil {
				var fi os.FileInfo
				if fi, err = f.Stat(); err == nil && fi.IsDir() {
					err = syscall.EISDIR
				}
				defer f.Close()
			}
			if err != nil {
				return &exitError{code: exitInput, err: &describedError{cannotRead(args[0], err), err}}
			}
			res, err := sheet.Read(f, args[0], opts)
			if err != nil {
				return importErr(err)
			}
			write := func(w io.Writer) error { _, err := w.Write(res.YAML); return err }
			if out == "-" {
				err = a.writeOutput(out, write)
			} else if err = writeFile(out, !force, write); errors.Is(err, errOutputExists) {
				return inputErr("%s exists; use --force to replace it", out)
			}
			if err != nil {
				return err
			}
			for _, c := range res.Ignored {
				say(a.stderr, "%s: %s\n", args[0], c)
			}
			for _, inf := range res.Inferences {
				say(a.stderr, "%s: %s\n", args[0], inf)
			}
			for _, p := range res.Problems {
				say(a.stderr, "%s: to review: %s\n", args[0], p)
			}
			where := "standard output"
			if out != "-" {
				where = out
			}
			say(a.stderr, "wrote %s: %s from sheet %q (header row %d); %s, %s\n",
				where, count(len(res.Plan.Activities), "activity", "activities"), res.Sheet, res.Header,
				count(len(res.Inferences), "inferred value", "inferred values"),
				count(len(res.Problems), "cell to review", "cells to review"))
			if !res.Complete() {
				if out != "-" {
					say(a.stderr, "review the cells above, then run: ismscomms check %s\n", out)
				}
				return errNegative
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&sheetName, "sheet", "", "the XLSX sheet to read (default: the active sheet, or the first visible one)")
	fl.StringVar(&out, "out", "-", "the plan file to write, .yaml or .yml (\"-\": standard output)")
	fl.StringVar(&start, "start", "", "the date recurrences start from, YYYY-MM-DD (default: the first Monday of the month after --now)")
	fl.StringVar(&id, "id", "", "the plan's ID (default: made from the file's name)")
	fl.StringVar(&zone, "timezone", "", "the plan's IANA time zone (default: none, UTC)")
	fl.BoolVar(&force, "force", false, "replace an existing --out file")
	return cmd
}

// importErr is exit status 2 for an error of sheet.Read, without the
// package's prefix. Its message may span lines (a plan's problems, one a
// line): it is not escaped here, so printErr escapes it keeping its line
// breaks, where inputErr would spell them out ("\n").
func importErr(err error) error {
	return &exitError{code: exitInput, err: &describedError{strings.TrimPrefix(err.Error(), "sheet: "), err}}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
