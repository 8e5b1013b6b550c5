// Package pdf prints a self-contained HTML page to PDF through a headless
// Chromium: [Find] looks for one, [Print] runs it on a page.
//
// The page lays itself out for print: its CSS @page rule gives the paper
// and its margin boxes (@top-left, @bottom-right with counter(page) and
// counter(pages)) the running header and footer, which Chromium fills in
// on every page. Chromium's own header and footer (the date, the file's
// URL) are turned off, so the PDF shows only what the page says. Nothing
// is fetched: the page is written to a private temporary directory and
// loaded from there, with the browser's network features off; the pages
// ismscomms prints forbid any external asset and script themselves
// (Content-Security-Policy default-src 'none').
//
// The command-line client is the only user; the library's packages write
// HTML and never start a browser.
package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// EnvChromium names the environment variable that points at the Chromium
// to print with, a path or a command name; when set, it is the only one
// tried.
const EnvChromium = "ISMSCOMMS_CHROMIUM"

// Names are the commands [Find] looks for on PATH, in order, when
// EnvChromium is not set.
var Names = []string{"chromium", "chromium-browser", "google-chrome"}

// ErrNoChromium: no Chromium was found to print with.
var ErrNoChromium = errors.New("pdf: no headless Chromium found")

// Find returns the path of the Chromium to print with: $ISMSCOMMS_CHROMIUM
// if set (and nothing else then), else the first of [Names] on $PATH,
// both read through getenv. The error wraps [ErrNoChromium] and says what
// was looked for.
func Find(getenv func(string) string) (string, error) {
	if c := getenv(EnvChromium); c != "" {
		if p, err := lookPath(c, getenv("PATH")); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("%w: %s=%q is not an executable file, nor a command on PATH", ErrNoChromium, EnvChromium, c)
	}
	for _, name := range Names {
		if p, err := lookPath(name, getenv("PATH")); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: none of %s is on PATH, and %s is not set", ErrNoChromium, strings.Join(Names, ", "), EnvChromium)
}

// lookPath finds name as exec.LookPath does, on the PATH given (not the
// process's).
func lookPath(name, path string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) || strings.ContainsRune(name, '/') {
		return exec.LookPath(name)
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue // never the working directory
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// Print renders page, a self-contained HTML document, to PDF with the
// Chromium at bin and returns the PDF. It takes as long as Chromium does
// (about a second for a report of a year, most of it the browser's start),
// bounded by ctx: when ctx ends, Chromium is killed with every process
// it started (on Unix: its process group). The PDF is accepted only when
// Chromium exits with status 0 and the file it wrote runs from %PDF- to
// %%EOF; otherwise the error says why, with the last lines Chromium
// wrote (of the last 64 KiB kept).
func Print(ctx context.Context, bin string, page []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "ismscomms-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: print: %w", err)
	}
	defer os.RemoveAll(dir)
	html := filepath.Join(dir, "page.html")
	out := filepath.Join(dir, "page.pdf")
	if err := os.WriteFile(html, page, 0o600); err != nil {
		return nil, fmt.Errorf("pdf: print: %w", err)
	}
	args := []string{
		"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--mute-audio", "--disable-dev-shm-usage",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf=" + out,
	}
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox on.
		args = append(args, "--no-sandbox")
	}
	args = append(args, fileURL(html))
	cmd := exec.CommandContext(ctx, bin, args...)
	// Chromium starts a tree of processes (zygote, renderers, crashpad)
	// that can outlive the one started: it runs in a process group of its
	// own, killed whole when ctx ends and once Chromium exits, so none
	// goes on writing into dir while it is removed.
	ownGroup(cmd)
	// Its output goes through a pipe of our own, read into a bounded
	// tail: with an *os.File, exec copies nothing, so Wait returns when
	// Chromium exits even if a child it leaves behind (a crash handler)
	// holds the pipe open; the group is killed then, which closes it.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pdf: print: %w", err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	stderr := &tail{max: stderrKept}
	runErr := cmd.Start()
	w.Close()
	if runErr == nil {
		read := make(chan struct{})
		go func() {
			defer close(read)
			io.Copy(stderr, r)
		}()
		runErr = cmd.Wait()
		killGroup(cmd)
		select {
		case <-read:
		case <-time.After(5 * time.Second):
			// Something outside the group still holds the pipe: closing
			// our end ends the copy.
			r.Close()
			<-read
		}
	}
	r.Close()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("pdf: print with %s: %w", bin, ctx.Err())
	}
	pdf, err := os.ReadFile(out)
	switch {
	case runErr != nil:
		return nil, fmt.Errorf("pdf: print with %s: %s%s", bin, runErr, lastLines(stderr.String(), 5))
	case err != nil:
		return nil, fmt.Errorf("pdf: print with %s: it wrote no PDF%s", bin, lastLines(stderr.String(), 5))
	case !complete(pdf):
		return nil, fmt.Errorf("pdf: print with %s: it wrote %d bytes that are no complete PDF (from %%PDF- to %%%%EOF)%s", bin, len(pdf), lastLines(stderr.String(), 5))
	}
	return pdf, nil
}

// complete reports whether b looks like a whole PDF file: it starts with
// the header %PDF- and ends with the end-of-file marker %%EOF, which may
// be followed by white space (a truncated file lacks it).
func complete(b []byte) bool {
	return bytes.HasPrefix(b, []byte("%PDF-")) && bytes.HasSuffix(bytes.TrimRight(b, " \t\r\n\f\x00"), []byte("%%EOF"))
}

// stderrKept bounds what is kept of Chromium's output for an error
// message: its last 64 KiB (of which the message shows the last lines).
const stderrKept = 64 << 10

// tail is an io.Writer that keeps the last max bytes written to it.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

func (t *tail) String() string { return string(t.buf) }

// fileURL is the file: URL of an absolute path, escaped.
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/… on Windows
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// lastLines returns the last n non-empty lines of s after ": ", joined
// by "; " (an error message is one line), or "" when there are none.
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return ": " + strings.Join(lines[max(0, len(lines)-n):], "; ")
}
