//go:build unix

package pdf

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeBrowser writes a shell script standing in for Chromium and returns
// its path. The script sees Chromium's arguments; $out is the file
// --print-to-pdf names.
func fakeBrowser(t *testing.T, body string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fake-chromium")
	script := "#!/bin/sh\nout=\nfor a; do case $a in --print-to-pdf=*) out=${a#--print-to-pdf=};; esac; done\n" + body + "\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

const page = "<!DOCTYPE html><title>t</title>"

// A browser that hangs, with a child of its own, is killed with its child
// when the context ends: no process of it is left behind.
func TestPrintKillsAHangingBrowserAndItsChildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	bin := fakeBrowser(t, "sleep 300 &\necho $! > '"+pidFile+"'\nsleep 300")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := Print(ctx, bin, []byte(page)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Print: %v, want context.DeadlineExceeded", err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the fake browser did not start its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 1 {
		t.Fatalf("child pid %q: %v", data, err)
	}
	// The child is gone once it is reaped (its parent, killed too, left it
	// to init): wait for that, generously.
	for deadline := time.Now().Add(30 * time.Second); alive(pid); {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the browser's child (pid %d) outlived Print", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether process pid exists and is no zombie (a zombie
// has exited; only its parent's wait is missing, which is init's job).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err) || !dirExists("/proc/self")
	}
	// pid (comm) state …: comm may hold spaces and parentheses.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

func dirExists(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }

// Chromium's PDF is accepted only when it exits 0 and the file runs from
// %PDF- to %%EOF; the error says why, with what it wrote on stderr.
func TestPrintAcceptsOnlyACompletePDFFromASuccessfulRun(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // in the error; "" for success
	}{
		{"exit 3 with a PDF", `printf '%%PDF-1.4 fake\n%%%%EOF\n' > "$out"; echo "crashed in the GPU process" >&2; exit 3`, "exit status 3: crashed in the GPU process"},
		{"nothing written", `echo "cannot open display" >&2; exit 0`, "it wrote no PDF: cannot open display"},
		{"truncated", `printf '%%PDF-1.4 fake\n1 0 obj' > "$out"`, "no complete PDF"},
		{"not a PDF", `printf 'hello %%%%EOF' > "$out"`, "no complete PDF"},
		{"complete", `printf '%%PDF-1.4 fake\n%%%%EOF\r\n \n' > "$out"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := fakeBrowser(t, tc.body)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			doc, err := Print(ctx, bin, []byte(page))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Print: %v", err)
			case tc.want == "" && !strings.HasPrefix(string(doc), "%PDF-1.4 fake\n%%EOF"):
				t.Fatalf("Print returned %q", doc)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Print: %q, %v; want an error with %q", doc, err, tc.want)
			case tc.want != "" && doc != nil:
				t.Fatalf("Print returned %d bytes with its error", len(doc))
			}
		})
	}
}

// What Chromium writes on stderr is kept only up to a bound: a browser
// that writes megabytes costs no more than the bound, and the message
// shows its last lines.
func TestPrintBoundsWhatItKeepsOfStderr(t *testing.T) {
	bin := fakeBrowser(t, `i=0; while [ $i -lt 2000 ]; do printf '%0500d\n' $i >&2; i=$((i+1)); done; echo "the last line" >&2; exit 1`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := Print(ctx, bin, []byte(page))
	if err == nil || !strings.HasSuffix(err.Error(), "the last line") {
		t.Fatalf("Print: %v, want an error ending with the last line", err)
	}
	var tl tail
	tl.max = 10
	for _, s := range []string{"abc", "defghij", "klm", strings.Repeat("x", 30) + "0123456789"} {
		tl.Write([]byte(s))
	}
	if tl.String() != "0123456789" || cap(tl.buf) > 64 {
		t.Errorf("tail kept %q (cap %d)", tl.String(), cap(tl.buf))
	}
	tl = tail{max: 10}
	tl.Write([]byte("abcdefgh"))
	tl.Write([]byte("ijkl"))
	if tl.String() != "cdefghijkl" {
		t.Errorf("tail kept %q, want cdefghijkl", tl.String())
	}
}

// A browser that prints a complete PDF and exits 0, leaving a child that
// holds its output open (a crash handler does), has printed: Print
// returns the PDF, and the child is killed with the group.
func TestPrintDoesNotWaitForAChildHoldingItsOutput(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	bin := fakeBrowser(t, "printf '%%PDF-1.4\\n1 0 obj\\n%%%%EOF\\n' > \"$out\"\necho starting >&2\nsleep 300 &\necho $! > '"+pidFile+"'\nexit 0")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pdf, err := Print(ctx, bin, []byte(page))
	if err != nil {
		t.Fatalf("Print: %v, want the PDF", err)
	}
	if !complete(pdf) {
		t.Fatalf("Print returned %q", pdf)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	for deadline := time.Now().Add(30 * time.Second); pid > 1 && alive(pid); {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the browser's child (pid %d) outlived Print", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
