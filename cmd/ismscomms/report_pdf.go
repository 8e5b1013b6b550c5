package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/pdf"
	"github.com/ismscomms/ismscomms/matrix"
)

// This file holds --format pdf of report and matrix, and the --paper both
// lay their HTML and PDF out for. The PDF is the command's own HTML page
// printed by a headless Chromium (package internal/pdf); the page carries
// its paper size, running header and footer and page numbers in its CSS,
// so a browser's print dialog gives the same document.
//
// "Generated" in the document-control block and footer is --now (the
// report's reference time), not the clock: with --now set, it differs
// from the PDF's own /CreationDate, which Chromium sets from the clock.
// That date also makes two PDFs of the same report differ byte for byte,
// so a PDF recorded with --record must be kept: it cannot be printed
// again to the same SHA-256.

// printTimeout bounds one run of Chromium: a year's report prints in
// about a second; a browser that hangs must not hang the command.
const printTimeout = 2 * time.Minute

// noChromium says how to get what --format pdf needs.
const noChromium = "--format pdf prints through a headless Chromium, and none was found: install one " +
	"(Debian, Ubuntu: apt-get install chromium; Fedora: dnf install chromium; macOS: brew install --cask chromium) " +
	"or set " + pdf.EnvChromium + " to the path of Chromium or Google Chrome; --format html writes the same document, to print from a browser"

// printer is how a command lays out its HTML (paper) and, for --format
// pdf, the Chromium that prints it (bin; empty for any other format).
type printer struct {
	paper matrix.Paper
	bin   string
}

// paperFlag adds --paper to a command that writes HTML or PDF.
func paperFlag(cmd *cobra.Command, paper *string) {
	cmd.Flags().StringVar(paper, "paper", "", "html and pdf: the paper the page is laid out for, a4 or letter (default: for pdf A4; for html none, the printer's paper)")
}

// newPrinter checks --paper and, for --format pdf, finds Chromium before
// anything else is done: without one, --format pdf is exit status 4 (the
// output cannot be written) with how to get one. --paper (a4 or letter,
// in any case) is for html and pdf only, a usage error with any other
// format; without it, HTML sets no paper size (it prints on the
// printer's paper, as the page's margins suit A4 and Letter alike) and a
// PDF is A4. out is where the output goes ("" or "-": standard output,
// which a PDF is not written to when it is a terminal).
func (a *app) newPrinter(format, paper, out string) (printer, error) {
	var pr printer
	if paper != "" {
		if format != "html" && format != "pdf" {
			return printer{}, usageErr("--paper is for --format html and pdf, not %s", format)
		}
		if err := oneOf("--paper", strings.ToLower(paper), "a4", "letter"); err != nil {
			return printer{}, err
		}
		pr.paper = matrix.PaperA4
		if strings.EqualFold(paper, "letter") {
			pr.paper = matrix.PaperLetter
		}
	}
	if format != "pdf" {
		return pr, nil
	}
	if pr.paper == "" {
		pr.paper = matrix.PaperA4
	}
	if (out == "" || out == "-") && a.terminal(a.stdout) {
		return printer{}, usageErr("--format pdf writes a PDF file, not text for a terminal: give --out FILE.pdf, or redirect standard output")
	}
	bin, err := pdf.Find(a.getenv)
	if err != nil {
		msg, _ := strings.CutPrefix(err.Error(), pdf.ErrNoChromium.Error()+": ")
		return printer{}, errorf(exitOther, "%s (%s)", noChromium, msg)
	}
	pr.bin = bin
	return pr, nil
}

// pdfOf prints the HTML that html writes and returns a write of the PDF,
// for writeOutput: the PDF is complete before any of it is written, so
// a Chromium that fails leaves the output untouched. The failure is exit
// status 4 with what Chromium said.
func (pr printer) pdfOf(ctx context.Context, html func(io.Writer) error) (func(io.Writer) error, error) {
	var page bytes.Buffer
	if err := html(&page); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, printTimeout)
	defer cancel()
	doc, err := pdf.Print(ctx, pr.bin, page.Bytes())
	if err != nil {
		return nil, errorf(exitOther, "cannot print the PDF: %s", err.Error())
	}
	return func(w io.Writer) error {
		_, err := w.Write(doc)
		return err
	}, nil
}

// matrixFlags are the matrix command's flags for its output.
type matrixFlags struct {
	paper, out string
}

// add registers --paper and --out on the matrix command.
func (mf *matrixFlags) add(cmd *cobra.Command) {
	paperFlag(cmd, &mf.paper)
	cmd.Flags().StringVar(&mf.out, "out", "-", "write to this file (\"-\": standard output); a regular file is replaced atomically, a device or FIFO written as it is")
}

// writeMatrix writes the matrix of plan p, read from file, in format to
// mf.out. As HTML or PDF, its document-control block names the file and
// the start of its SHA-256 as the version (a plan file has no version
// number), the plan's approval, and --now, in the plan's zone, as when it
// was generated.
func (a *app) writeMatrix(ctx context.Context, format string, mf matrixFlags, p comms.Plan, file string) error {
	pr, err := a.newPrinter(format, mf.paper, mf.out)
	if err != nil {
		return err
	}
	m := matrix.Build(p)
	var write func(w io.Writer) error
	switch format {
	case "csv":
		write = m.WriteCSV
	case "json":
		write = func(w io.Writer) error { return writeJSON(w, m) }
	case "md":
		write = m.WriteMarkdown
	default: // html, pdf
		opts := matrix.HTMLOptions{Paper: pr.paper, Approved: p.Approved, Generated: a.now}
		if loc, err := time.LoadLocation(p.TimeZone); err == nil {
			opts.Generated = a.now.In(loc)
		}
		if data, err := os.ReadFile(file); err == nil {
			sum := sha256.Sum256(data)
			opts.Version = "file " + filepath.Base(file) + ", SHA-256 " + hex.EncodeToString(sum[:6]) + "… (first 12 hex digits)"
		}
		write = func(w io.Writer) error { return m.WriteHTMLPage(w, opts) }
		if format == "pdf" {
			if write, err = pr.pdfOf(ctx, write); err != nil {
				return err
			}
		}
	}
	return a.writeOutput(mf.out, write)
}
