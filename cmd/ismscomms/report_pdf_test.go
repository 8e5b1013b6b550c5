package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/internal/pdf"
)

// The PDF tests need a headless Chromium to print and poppler-utils'
// pdftotext and pdftoppm to read the pages back: without them they skip,
// except under CI (CI=true), where .ci/run installs them and their absence
// fails.
func needPrintTools(t *testing.T) string {
	t.Helper()
	bin, err := pdf.Find(os.Getenv)
	missing := ""
	if err != nil {
		missing = err.Error()
	}
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil && missing == "" {
			missing = tool + " not found (Debian's poppler-utils)"
		}
	}
	if missing == "" {
		return bin
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI must install chromium and poppler-utils (.ci/run does)", missing)
	}
	t.Skip(missing)
	return ""
}

// paper is a paper's size in points and the page's margins in mm (as the
// page's CSS @page rule sets them: top, sides, bottom).
type paper struct {
	name       string
	w, h       float64
	top, bot   float64
	side       float64
	landscape  bool
	pagesAtMin int
}

func (p paper) size() (w, h float64) {
	if p.landscape {
		return p.h, p.w
	}
	return p.w, p.h
}

const mm = 72 / 25.4

// pdfWord is a word of a page, as pdftotext -bbox gives it, in points.
type pdfWord struct {
	x0, y0, x1, y1 float64
	text           string
}

type pdfPage struct {
	w, h  float64
	words []pdfWord
}

var (
	pageRe = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	wordRe = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

// readPDFText returns the pages of a PDF with their words.
func readPDFText(t *testing.T, file string) []pdfPage {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	var pages []pdfPage
	for _, line := range strings.Split(string(out), "\n") {
		if m := pageRe.FindStringSubmatch(line); m != nil {
			pages = append(pages, pdfPage{w: num(m[1]), h: num(m[2])})
		} else if m := wordRe.FindStringSubmatch(line); m != nil && len(pages) > 0 {
			p := &pages[len(pages)-1]
			p.words = append(p.words, pdfWord{num(m[1]), num(m[2]), num(m[3]), num(m[4]), html.UnescapeString(m[5])})
		}
	}
	if len(pages) == 0 {
		t.Fatalf("%s has no pages", file)
	}
	return pages
}

func num(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }

// gray is a page rendered to 8-bit gray pixels, 96 per inch (1 CSS px).
type gray struct {
	w, h int
	pix  []byte
}

// ink reports whether the pixel at (x, y) is darker than paper and table
// header shading: text, a border, a bar.
func (g gray) ink(x, y int) bool { return g.darker(x, y, 225) }

// faint is ink or anything short of white: a light border drawn across
// two rows of pixels, as a rounded box's bottom often is.
func (g gray) faint(x, y int) bool { return g.darker(x, y, 245) }

func (g gray) darker(x, y int, than byte) bool {
	return x >= 0 && y >= 0 && x < g.w && y < g.h && g.pix[y*g.w+x] < than
}

// readPDFImages renders every page of a PDF with pdftoppm.
func readPDFImages(t *testing.T, file string) []gray {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-r", "96", "-gray", file, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm %s: %v\n%s", file, err, out)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	slices.Sort(names) // p-01 … p-12: zero-padded to the same width
	var pages []gray
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(f)
		var g gray
		var magic string
		var maxv int
		if _, err := fmt.Fscan(r, &magic, &g.w, &g.h, &maxv); err != nil || magic != "P5" || maxv != 255 {
			t.Fatalf("%s: not an 8-bit PGM: %v", name, err)
		}
		r.ReadByte() // the one whitespace after the header
		g.pix = make([]byte, g.w*g.h)
		if _, err := io.ReadFull(r, g.pix); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
		pages = append(pages, g)
	}
	return pages
}

// overflow returns where page g has ink in its side margins: a table (or
// anything) wider than the page's content box.
func overflow(g gray, p paper) string {
	w, _ := p.size()
	scale := float64(g.w) / w
	left, right := int(p.side*mm*scale)-2, int((w-p.side*mm)*scale)+2
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			if (x < left || x > right) && g.ink(x, y) {
				return fmt.Sprintf("ink at (%d, %d) px, outside the content box [%d, %d]", x, y, left, right)
			}
		}
	}
	return ""
}

// splitRows returns where page g has a table cut across the page break:
// a vertical border line (a cell's side, 40 px or longer) whose lower end
// meets no horizontal line, as a complete row's bottom border does. A row
// that continues on the next page has its sides drawn to the bottom of
// the content box, with no border there (Chromium slices the box).
func splitRows(g gray) string {
	const minLen = 40
	for x := 0; x < g.w; x++ {
		run := 0
		for y := 0; y <= g.h; y++ {
			if y < g.h && g.ink(x, y) && !g.ink(x-2, y) && !g.ink(x+2, y) {
				run++ // a thin vertical line, not the inside of a bar
				continue
			}
			if run >= minLen && !closed(g, x, y-1) {
				return fmt.Sprintf("a vertical line at x=%d px ends at y=%d px without a horizontal border", x, y-1)
			}
			run = 0
		}
	}
	return ""
}

// closed reports whether a thin horizontal line (20 px or longer, blank
// two px above and below, unlike a word) passes within a few px of the
// end (x, y) of a vertical line: a box's corner, rounded or not.
func closed(g gray, x, y int) bool {
	const reach = 20
	for dy := -2; dy <= 8; dy++ {
		for x0 := x - 8; x0 <= x+8; x0++ {
			for _, dir := range []int{-1, 1} {
				n, thick := 0, 0
				for n < reach && g.faint(x0+dir*n, y+dy) {
					if g.ink(x0+dir*n, y+dy-2) || g.ink(x0+dir*n, y+dy+2) {
						thick++
					}
					n++
				}
				if n == reach && thick <= 3 {
					return true
				}
			}
		}
	}
	return false
}

// shrunk says whether Chromium shrank a page's content to fit its paper,
// which it does rather than cut a page too wide (a table of width 100%
// then grows with the page, so only the text's size tells): the words of
// the running header are 8 pt, and the page's own text is 8 pt or more,
// in the same font, so the most common height of its words is at least
// the header's.
func shrunk(pg pdfPage, p paper) string {
	var head []float64
	heights := map[int]int{}
	for _, wd := range pg.words {
		switch {
		case wd.y1 < p.top*mm:
			head = append(head, wd.y1-wd.y0)
		case wd.y0 <= pg.h-p.bot*mm:
			heights[int((wd.y1-wd.y0)*10+0.5)]++
		}
	}
	if len(head) == 0 || len(heights) == 0 {
		return ""
	}
	mode, most := 0, 0
	for k, c := range heights {
		if c > most || c == most && k < mode {
			mode, most = k, c
		}
	}
	if r := float64(mode) / 10 / head[0]; r < 0.97 {
		return fmt.Sprintf("its text is %.2f× the running header's, smaller than the CSS sets it", r)
	}
	return ""
}

// checkPages checks a printed document: its page size, that nothing
// overflows the page's width and no table row is split (from the images),
// that it is printed at its size (not shrunk to fit: Chromium shrinks a
// document wider than its paper rather than cut it), and that every
// page has the running header and footer, want and "Page N of M".
func checkPages(t *testing.T, file string, p paper, want ...string) int {
	t.Helper()
	pages := readPDFText(t, file)
	images := readPDFImages(t, file)
	if len(images) != len(pages) {
		t.Fatalf("%s: %d page images for %d pages", file, len(images), len(pages))
	}
	w, h := p.size()
	for i, pg := range pages {
		n := i + 1
		if abs(pg.w-w) > 1.5 || abs(pg.h-h) > 1.5 {
			t.Errorf("%s page %d is %.1fx%.1f pt, want %s %.1fx%.1f", file, n, pg.w, pg.h, p.name, w, h)
		}
		var head, foot []string
		for _, wd := range pg.words {
			switch {
			case wd.y1 < p.top*mm:
				head = append(head, wd.text)
			case wd.y0 > pg.h-p.bot*mm:
				foot = append(foot, wd.text)
			}
			if wd.x0 < p.side*mm-1 || wd.x1 > pg.w-p.side*mm+1 {
				t.Errorf("%s page %d: %q at x %.1f–%.1f pt is outside the content box (%.1f–%.1f)", file, n, wd.text, wd.x0, wd.x1, p.side*mm, pg.w-p.side*mm)
			}
		}
		margins := strings.Join(head, " ") + " | " + strings.Join(foot, " ")
		for _, s := range append(want, fmt.Sprintf("Page %d of %d", n, len(pages))) {
			if !strings.Contains(margins, s) {
				t.Errorf("%s page %d: the running header and footer lack %q: %s", file, n, s, margins)
			}
		}
		if s := overflow(images[i], p); s != "" {
			t.Errorf("%s page %d overflows its width: %s", file, n, s)
		}
		if s := shrunk(pg, p); s != "" {
			t.Errorf("%s page %d is shrunk to fit its paper (something in the document is too wide): %s", file, n, s)
		}
		if s := splitRows(images[i]); s != "" {
			t.Errorf("%s page %d splits a table row: %s", file, n, s)
		}
	}
	return len(pages)
}

func abs(f float64) float64 { return max(f, -f) }

var (
	a4     = paper{name: "A4", w: 595.28, h: 841.89}
	letter = paper{name: "Letter", w: 612, h: 792}
)

func (p paper) report() paper { p.top, p.side, p.bot = 18, 12, 16; return p }
func (p paper) matrix() paper { p.top, p.side, p.bot, p.landscape = 16, 12, 14, true; return p }

// evidenceStore builds the evidence example's store (a year of the
// starter plan's evidence for tenant acme) in dir.
func evidenceStore(t *testing.T, dir string) string {
	t.Helper()
	db := filepath.Join(dir, "evidence.db")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "run", "../../examples/evidence", "-db", db, "-out", filepath.Join(dir, "example.html"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run examples/evidence: %v\n%s", err, out)
	}
	return db
}

// longToken is a word too long for any column: a URL or ticket ID in a
// subject, a key message.
var longToken = strings.Repeat("Q", 180)

// longOrganization is an organization's name too long for the running
// header, which ends it in "…"; the document-control block has it whole.
var longOrganization = strings.Repeat("Verylongname ", 24) + "GmbH"

// The evidence example's report, its management-review input and the
// starter plan's matrix print on A4 and Letter as documents to file:
// every page the paper's size (the matrix landscape), nothing wider than
// the page, no table row split between pages, the text at its size, and
// the running header and footer on every page. The data holds a word of
// 180 characters (an ad hoc record's subject; a key message in the
// matrix) and the matrix an organization's name longer than the header.
// The five documents print two at a time.
func TestPrintedDocumentsFitTheirPages(t *testing.T) {
	bin := needPrintTools(t)
	dir := t.TempDir()
	db := evidenceStore(t, dir)
	env := map[string]string{"PATH": os.Getenv("PATH"), pdf.EnvChromium: bin}
	now := "2026-12-20T09:00:00+01:00"
	c := newCLI(t)
	c.quiet = true
	c.must(0, "--db", db, "--tenant", "acme", "--now", now, "record", "--channel", "email", "--audience", "employees",
		"--sender", "ina@acme.example", "--sent", "2026-06-01T10:00:00+02:00", "--subject", longToken)
	plan, err := os.ReadFile(starterPlan)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Replace(string(plan), "organization: Example Organization", "organization: "+longOrganization, 1)
	long = strings.Replace(long, "Introduction of the Information Security Policy and its importance", longToken, 1)
	if !strings.Contains(long, longOrganization) || !strings.Contains(long, longToken) {
		t.Fatal("the starter plan no longer has the organization and key message this test replaces")
	}
	longPlan := filepath.Join(dir, "starter.yaml")
	if err := os.WriteFile(longPlan, []byte(long), 0o600); err != nil {
		t.Fatal(err)
	}
	report := []string{"--db", db, "--tenant", "acme", "--now", now, "report", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "pdf"}
	header := []string{"Acme Corp", "plan starter, version 1", "period 2026-01-01 to 2026-12-31", "generated 2026-12-20 09:00 CET"}
	type doc struct {
		name  string
		args  []string
		p     paper
		want  []string
		text  []string // in the document, white space aside
		pages int      // at least
	}
	docs := []doc{
		{"report-a4.pdf", append(report, "--paper", "a4"), a4.report(), append(header, "Communication evidence"), []string{longToken}, 5},
		{"report-letter.pdf", append(report, "--paper", "letter"), letter.report(), append(header, "Communication evidence"), []string{longToken}, 5},
		{"review-a4.pdf", append(report, "--for", "management-review"), a4.report(), append(header, "Management review input"), nil, 2},
		{"matrix-a4.pdf", []string{"--now", now, "matrix", "--format", "pdf", longPlan}, a4.matrix(),
			[]string{"Verylongname Verylongname", "…", "ISO/IEC 27001:2022 Clause 7.4", "Communication matrix", "generated 2026-12-20 09:00 CET"},
			[]string{"Organization " + longOrganization, longToken}, 2},
		{"matrix-letter.pdf", []string{"--now", now, "matrix", "--format", "pdf", "--paper", "letter", starterPlan}, letter.matrix(), []string{"Example Organization", "plan starter", "generated 2026-12-20 09:00 CET"}, nil, 2},
	}
	two := make(chan struct{}, 2)
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			two <- struct{}{}
			defer func() { <-two }()
			c := newCLI(t)
			c.quiet = true
			c.env = env
			out := filepath.Join(dir, d.name)
			start := time.Now()
			c.must(0, slices.Concat(d.args, []string{"--out", out})...)
			t.Logf("printed in %v", time.Since(start).Round(time.Millisecond))
			if n := checkPages(t, out, d.p, d.want...); n < d.pages {
				t.Errorf("%s has %d pages, want at least %d", d.name, n, d.pages)
			}
			if len(d.text) > 0 {
				raw := pdfText(t, out)
				text := strings.Join(strings.Fields(raw), "")
				// A token wrapped in a table cell comes out of pdftotext a
				// line a piece, in an order that may put another cell's
				// text between its pieces: its lines are joined apart.
				var pieces strings.Builder
				for _, l := range strings.Split(raw, "\n") {
					if l = strings.TrimSpace(l); l != "" && strings.Trim(l, longToken[:1]) == "" {
						pieces.WriteString(l)
					}
				}
				for _, s := range d.text {
					if s == longToken && strings.Contains(pieces.String(), longToken) {
						continue
					}
					if !strings.Contains(text, strings.Join(strings.Fields(s), "")) {
						t.Errorf("%s lacks %.60q…", d.name, s)
					}
				}
			}
		})
	}
}

// pdfText is the text of a PDF, as pdftotext reads it.
func pdfText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	return string(out)
}

// The checks above see what they look for: a table too wide for its page
// and a row split across a page break are both reported.
func TestPrintChecksSeeOverflowAndSplitRows(t *testing.T) {
	bin := needPrintTools(t)
	var page bytes.Buffer
	page.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 18mm 12mm 16mm; @top-left { content: "header"; font: 8pt sans-serif; } }
body { margin: 0; font: 9pt sans-serif; }
table { border-collapse: collapse; width: 100%; } td { border: 1px solid #888; vertical-align: top; }
table.wide { width: 1000px; break-before: page; }
</style></head><body><table>`)
	for i := range 40 {
		fmt.Fprintf(&page, "<tr><td>row %d</td><td>one<br>two<br>three<br>four<br>five</td></tr>", i)
	}
	page.WriteString(`</table><table class="wide"><tr><td>wide</td><td>table</td></tr></table></body></html>`)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	doc, err := pdf.Print(ctx, bin, page.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bad.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	images, pages := readPDFImages(t, file), readPDFText(t, file)
	if len(images) < 3 {
		t.Fatalf("%d pages, want 3 or more", len(images))
	}
	if s := splitRows(images[0]); s == "" {
		t.Error("a row split across pages 1 and 2 is not seen")
	}
	// Chromium shrinks the document to fit the wide table, up to a
	// limit, past which the table runs into the margin.
	if s, o := shrunk(pages[0], a4.report()), overflow(images[len(images)-1], a4.report()); s == "" && o == "" {
		t.Error("a table 1000 px wide on A4 is seen neither to shrink the document nor to overflow")
	}
}

// Without a Chromium, --format pdf is exit status 4 (the output cannot be
// written) before anything else is done (the store is not even looked
// for), and says how to get one; $ISMSCOMMS_CHROMIUM naming nothing is
// not replaced by one found elsewhere. Neither needs a Chromium.
func TestPDFWithoutChromium(t *testing.T) {
	c := newCLI(t)
	c.quiet = true
	empty := t.TempDir()
	for _, env := range []map[string]string{
		{"PATH": empty},
		{"PATH": os.Getenv("PATH"), pdf.EnvChromium: filepath.Join(empty, "no-chromium")},
	} {
		c.env = env
		for _, args := range [][]string{
			{"--db", c.path("none.db"), "report", "--format", "pdf", "--out", c.path("r.pdf")},
			{"report", "--for", "management-review", "--format", "pdf", "--out", c.path("r.pdf")},
			{"matrix", "--format", "pdf", "--out", c.path("m.pdf"), starterPlan},
		} {
			_, stderr := c.must(4, args...)
			wantIn(t, strings.Join(args, " "), stderr, "--format pdf prints through a headless Chromium, and none was found", "apt-get install chromium", pdf.EnvChromium)
			if env[pdf.EnvChromium] != "" {
				wantIn(t, "with "+pdf.EnvChromium, stderr, "is not an executable file")
			}
		}
		if _, err := os.Lstat(c.path("r.pdf")); err == nil {
			t.Error("a PDF was written without a Chromium")
		}
	}
	// --paper is checked as every flag with choices is.
	_, stderr := c.must(2, "matrix", "--format", "html", "--paper", "a5", starterPlan)
	wantIn(t, "--paper a5", stderr, `--paper "a5"`)
}

// Without --paper, HTML sets no paper size (the printer's, as before
// --paper existed: the matrix only landscape); --paper sets it, in any
// case; it is a usage error for a format it does not lay out.
func TestPaperOnlyWhenAskedAndOnlyForPages(t *testing.T) {
	c := newCLI(t)
	c.quiet = true
	size := regexp.MustCompile(`\ssize: [^;]*;`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"matrix", "--format", "html", starterPlan}, " size: landscape;"},
		{[]string{"matrix", "--format", "html", "--paper", "A4", starterPlan}, " size: A4 landscape;"},
		{[]string{"matrix", "--format", "html", "--paper", "Letter", starterPlan}, " size: letter landscape;"},
	} {
		out, _ := c.must(0, tc.args...)
		if got := size.FindAllString(out, -1); len(got) != 1 || strings.TrimLeft(got[0], " \n") != strings.TrimSpace(tc.want) {
			t.Errorf("%s: @page sizes %q, want %q", strings.Join(tc.args, " "), got, tc.want)
		}
	}
	for _, args := range [][]string{
		{"matrix", "--format", "md", "--paper", "letter", starterPlan},
		{"matrix", "--format", "csv", "--paper", "a4", starterPlan},
		{"matrix", "--format", "json", "--paper", "a4", starterPlan},
		{"report", "--format", "md", "--paper", "a4"},
		{"report", "--format", "json", "--paper", "letter"},
	} {
		_, stderr := c.must(2, args...)
		wantIn(t, strings.Join(args, " "), stderr, "--paper is for --format html and pdf")
	}
}

// matrix --out writes every format to the file, and nothing to standard
// output; what it writes is what standard output gets without --out.
func TestMatrixOutForEveryFormat(t *testing.T) {
	c := newCLI(t)
	for _, format := range []string{"md", "csv", "json", "html"} {
		want, _ := c.must(0, "--now", "2026-12-20T09:00:00+01:00", "matrix", "--format", format, starterPlan)
		file := c.path("matrix." + format)
		out, _ := c.must(0, "--now", "2026-12-20T09:00:00+01:00", "matrix", "--format", format, "--out", file, starterPlan)
		if out != "" {
			t.Errorf("--format %s --out: %d bytes on standard output", format, len(out))
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("--format %s --out: %v", format, err)
		}
		if string(got) != want || len(got) < 500 {
			t.Errorf("--format %s --out wrote %d bytes, standard output gets %d", format, len(got), len(want))
		}
	}
}
