package evidence_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/evidence"
)

// chromium finds a Chromium to test with: $ISMSCOMMS_CHROMIUM or one on
// PATH. Under CI (CI=true) its absence fails the test, so CI cannot pass
// without having rendered the report; elsewhere the test is skipped.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("ISMSCOMMS_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found: CI must install Debian's chromium package (.ci/run does)")
	}
	t.Skip("no Chromium found (install Debian's chromium, or set ISMSCOMMS_CHROMIUM)")
	return ""
}

func runChromium(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

// The HTML report renders in headless Chromium: it loads, logs nothing to
// the console (no script, no blocked external asset), and shows the
// expected rows and charts; it prints to PDF on the printer's paper
// (Chromium's default, Letter, here), upright, and the matrix landscape.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	rep, err := evidence.Evaluate(input())
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	writePage(t, page, rep.WriteHTML)

	dom, logs := runChromium(t, bin, "--dump-dom", "file://"+page)
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("console output while rendering: %s", line)
		}
	}
	if !strings.Contains(dom, `<div id="chain" class="chain unchecked">`) {
		t.Error("the chain banner is missing")
	}
	if n := strings.Count(dom, `<tr class="occ `); n != len(rep.Occurrences) {
		t.Errorf("the rendered page has %d occurrence rows, want %d", n, len(rep.Occurrences))
	}
	for _, want := range []string{
		`<td class="status s-late">late</td>`, `<td class="status s-missed">missed</td>`, `<td class="status s-waived">waived</td>`,
		`<td class="status s-due">due</td>`, `<td class="status s-upcoming">upcoming</td>`, "Office move; merged into May",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	for id, bars := range map[string]int{"chart-ontime": 12, "chart-coverage": len(rep.Activities)} {
		m := regexp.MustCompile(`(?s)<svg id="` + id + `".*?</svg>`).FindString(dom)
		if m == "" {
			t.Errorf("chart %s is missing", id)
			continue
		}
		if n := strings.Count(m, "<rect "); n != bars {
			t.Errorf("chart %s has %d bars, want %d", id, n, bars)
		}
	}

	// The report prints on the printer's paper, upright; the matrix on
	// its own prints landscape.
	if w, h := printPages(t, bin, page); w > h {
		t.Errorf("the report prints %vx%v pt, landscape", w, h)
	}
	mpage := filepath.Join(t.TempDir(), "matrix.html")
	writePage(t, mpage, rep.Matrix.WriteHTML)
	if w, h := printPages(t, bin, mpage); w < h {
		t.Errorf("the matrix prints %vx%v pt, not landscape", w, h)
	}
}

func writePage(t *testing.T, path string, write func(io.Writer) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// printPages prints page to PDF and returns the size of its pages, in
// points; every page must have the same.
func printPages(t *testing.T, bin, page string) (w, h float64) {
	t.Helper()
	pdf := filepath.Join(t.TempDir(), "page.pdf")
	runChromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)
	b, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) || len(b) < 4096 {
		t.Fatalf("printing to PDF: %d bytes, %v", len(b), err)
	}
	boxes := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindAllSubmatch(b, -1)
	if len(boxes) == 0 {
		t.Fatal("the PDF has no page sizes")
	}
	for _, m := range boxes {
		if string(m[1]) != string(boxes[0][1]) || string(m[2]) != string(boxes[0][2]) {
			t.Errorf("pages of different sizes: %s", m[0])
		}
	}
	w, _ = strconv.ParseFloat(string(boxes[0][1]), 64)
	h, _ = strconv.ParseFloat(string(boxes[0][2]), 64)
	return w, h
}

// A report full of control and bidirectional characters renders with
// them spelled out and the note that says so.
func TestHostileReportInChromium(t *testing.T) {
	bin := chromium(t)
	page := filepath.Join(t.TempDir(), "hostile.html")
	writePage(t, page, hostileReport(t, "Status", "Type").WriteHTML)
	dom, logs := runChromium(t, bin, "--dump-dom", "file://"+page)
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("console output while rendering: %s", line)
		}
	}
	if !strings.Contains(dom, `<p class="escaped" id="escaped">`) || !strings.Contains(dom, `\u202egnp.exe`) {
		t.Error("the rendered page does not show the spelled-out characters and the note")
	}
	if strings.Contains(dom, "<script") || strings.ContainsRune(dom, '\u202e') {
		t.Error("the rendered page holds markup or a bidi override from the records")
	}
}
