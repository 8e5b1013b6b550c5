package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/sqlite"
	"github.com/ismscomms/ismscomms/store/storetest"
)

// claimChild names the environment variable that makes TestClaimChild
// claim keys: the database's path, the sender's number and the number of
// keys, separated by '|'.
const claimChild = "ISMSCOMMS_TEST_CLAIM_CHILD"

// TestClaimChild is a sender of TestClaimTwoProcesses, in a process of its
// own: once its parent writes a line, it claims the keys race/00000 …
// (sender 0 upwards, sender 1 downwards, so that they meet and contend in
// the middle), marks each it wins sent and prints it.
func TestClaimChild(t *testing.T) {
	spec := os.Getenv(claimChild)
	if spec == "" {
		t.Skip("a child of TestClaimTwoProcesses")
	}
	parts := strings.Split(spec, "|")
	w, _ := strconv.Atoi(parts[1])
	keys, _ := strconv.Atoi(parts[2])
	s, err := sqlite.Open(parts[0], &sqlite.Options{Synchronous: "NORMAL", BusyTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	os.Stdout.WriteString("ready\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	for i := 0; i < keys; i++ {
		key := fmt.Sprintf("race/%05d", i)
		if w == 1 {
			key = fmt.Sprintf("race/%05d", keys-1-i)
		}
		c, ok, err := s.Claim(ctx, "acme", key, time.Hour)
		if err != nil {
			t.Fatalf("Claim(%s): %v", key, err)
		}
		if !ok {
			continue
		}
		if err := s.MarkSent(ctx, "acme", c); err != nil {
			t.Fatalf("MarkSent(%s): %v", key, err)
		}
		fmt.Fprintln(out, "won", key)
	}
	out.Flush()
}

// Two processes on one SQLite file claim the same keys at once: each key
// is won, and sent, exactly once.
func TestClaimTwoProcesses(t *testing.T) {
	const keys = 400
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		out    *bufio.Reader
		stderr bytes.Buffer
	}
	children := make([]*child, 2)
	for w := range children {
		c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestClaimChild$", "-test.count=1")}
		c.cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d|%d", claimChild, path, w, keys))
		c.cmd.Stderr = &c.stderr
		if c.stdin, err = c.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		stdout, err := c.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.out = bufio.NewReader(stdout)
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer c.cmd.Process.Kill()
		if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("child %d: %q, %v\n%s", w, line, err, c.stderr.String())
		}
		children[w] = c
	}
	for _, c := range children {
		c.stdin.Write([]byte("go\n"))
	}
	won := make([][]string, len(children))
	for w, c := range children {
		rest, _ := io.ReadAll(c.out)
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", w, err, c.stderr.String())
		}
		for _, line := range strings.Split(string(rest), "\n") {
			if key, ok := strings.CutPrefix(line, "won "); ok {
				won[w] = append(won[w], key)
			}
		}
	}
	n := storetest.CheckWon(t, s, "acme", keys, won)
	t.Logf("keys won by each process: %v", n)
	if n[0] == 0 || n[1] == 0 {
		t.Logf("one process won every key: the two did not run at once on this run")
	}
}

// A store opened read-only lists the delivery log and reads checkpoints,
// and fails the writes with store.ErrReadOnly.
func TestDeliveryLogReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	w, err := sqlite.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, ok, err := w.Claim(ctx, "acme", "k", time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	if _, err := w.SetCheckpoint(ctx, "acme", "remind", at); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r, err := sqlite.Open(path, &sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if d, err := r.Delivery(ctx, "acme", "k"); err != nil || d.State != store.DeliveryClaimed {
		t.Errorf("Delivery: %+v, %v", d, err)
	}
	if got, err := r.Checkpoint(ctx, "acme", "remind"); err != nil || !got.Equal(at) {
		t.Errorf("Checkpoint: %v, %v", got, err)
	}
	if _, _, err := r.Claim(ctx, "acme", "k2", time.Minute); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Claim: %v, want ErrReadOnly", err)
	}
	if err := r.MarkSent(ctx, "acme", c); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("MarkSent: %v, want ErrReadOnly", err)
	}
	if err := r.Release(ctx, "acme", c, ""); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Release: %v, want ErrReadOnly", err)
	}
	if _, err := r.SetCheckpoint(ctx, "acme", "remind", at.Add(time.Hour)); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("SetCheckpoint: %v, want ErrReadOnly", err)
	}
}
