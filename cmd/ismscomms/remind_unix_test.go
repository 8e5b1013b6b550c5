//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ismscomms/ismscomms/notify"
	"github.com/ismscomms/ismscomms/notify/notifytest"
)

// remindSession is a store with the reminder plan, the staff roster and
// one acknowledgement, for tenant default (and t2 if two).
func remindSession(t *testing.T, tenants ...string) *cli {
	t.Helper()
	c := newCLI(t)
	for _, name := range []string{"remind.yaml", "staff.csv"} {
		src, err := os.ReadFile(filepath.Join("testdata", "people", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.path(name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tenant := range append([]string{"default"}, tenants...) {
		c.must(0, "--tenant", tenant, "plan", "save", c.path("remind.yaml"))
		c.must(0, "--tenant", tenant, "roster", "import", "--now", "2026-11-20T09:00:00Z", c.path("staff.csv"))
		c.must(0, "--tenant", tenant, "ack", "--activity", "policy", "--person", "E1", "--at", "2026-11-05T10:00:00+01:00")
	}
	return c
}

// dueKeys returns the keys remind lists for the tenant at now.
func dueKeys(t *testing.T, c *cli, tenant, now string) []string {
	t.Helper()
	c.quiet = true
	defer func() { c.quiet = false }()
	out, _ := c.must(0, "--tenant", tenant, "--now", now, "remind", "--format", "json")
	var list []struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("remind --format json: %v\n%s", err, out)
	}
	keys := make([]string, len(list))
	for i, r := range list {
		keys[i] = r.Key
	}
	return keys
}

// TestRemindSession: remind lists what is due (a dry run that writes
// nothing), remind --send sends each through a real SMTP server once, a
// run again sends nothing, a later run sends only what became due since,
// and a server that refuses the login is exit status 4 with nothing
// marked sent. The transcript is testdata/remind.golden.
func TestRemindSession(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	c := remindSession(t)
	c.transcript.Reset()
	c.tlsConfig = srv.TLSConfig()
	c.env = map[string]string{notify.EnvSMTPPassword: srv.Password}
	c.hide = map[string]string{srv.Addr: "$SMTP", srv.Username + "@": "$USER@"}
	url := fmt.Sprintf("smtp://%s@%s?from=isms@acme.example", srv.Username, srv.Addr)
	first := "2026-11-30T09:30:00+01:00"

	c.must(0, "--now", first, "remind")
	keys := dueKeys(t, c, "default", first)
	if len(keys) < 3 {
		t.Fatalf("only %d reminders due: %v", len(keys), keys)
	}
	c.env[notify.EnvSMTPPassword] = "wrong"
	c.must(4, "--now", first, "remind", "--send", url) // the login is refused: nothing sent
	if got := len(srv.Messages(t)); got != 0 {
		t.Fatalf("%d messages with a wrong password", got)
	}
	c.env[notify.EnvSMTPPassword] = srv.Password
	c.must(2, "--now", first, "remind", "--send", "smtp://"+srv.Username+":secret@"+srv.Addr+"?from=isms@acme.example") // a password on the command line
	// Three days later, with the password put right: what failed is sent
	// (a run tried it; it did not pass while nothing ran), and what became
	// due since.
	later := "2026-12-03T11:00:00+01:00"
	c.must(0, "--now", later, "remind")
	retried := dueKeys(t, c, "default", later)
	c.must(0, "--now", later, "remind", "--send", url)
	inbox := srv.Messages(t)
	ids := map[string]bool{}
	for _, k := range keys {
		// A reminder before an occurrence that has passed meanwhile is no
		// longer due (its escalation is).
		if !strings.Contains(k, "/before/") {
			ids[notify.MessageID(k)] = true
		}
	}
	if len(ids) < 3 {
		t.Fatalf("%d reminders to retry: the test proves little", len(ids))
	}
	retries := len(ids)
	for _, m := range inbox {
		msg, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		delete(ids, msg.Header.Get("Message-Id"))
		from, err := mail.ParseAddress(msg.Header.Get("From"))
		if err != nil || from.Address != "isms@acme.example" || len(m.To) != 1 || !strings.HasSuffix(m.To[0], "@acme.example") {
			t.Errorf("message from %q to %v", msg.Header.Get("From"), m.To)
		}
		if msg.Header.Get("X-Ismscomms-Key") == "" || msg.Header.Get("Subject") == "" {
			t.Errorf("message %s lacks its key or subject", msg.Header.Get("Message-Id"))
		}
	}
	if len(ids) > 0 {
		t.Errorf("%d of the reminders that failed were never sent", len(ids))
	}
	if len(inbox) != len(retried) || len(retried) <= retries {
		t.Errorf("%d messages for the %d reminders due at %s (%d of them retries): none became due since", len(inbox), len(retried), later, retries)
	}
	c.must(0, "--now", later, "remind", "--send", url) // again: nothing new
	c.must(0, "--now", later, "remind")                // the dry run says they were sent
	if got := len(srv.Messages(t)); got != len(inbox) {
		t.Errorf("a run again sent more: %d messages, %d before", got, len(inbox))
	}
	golden(t, "remind.golden", c.transcript.String())
}

// TestRemindTwoProcesses: two remind --send processes on one SQLite
// file, at the same time, send each reminder exactly once.
func TestRemindTwoProcesses(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	c := remindSession(t, "t2")
	now := "2026-11-30T09:30:00+01:00"
	keys := dueKeys(t, c, "t2", now)
	bin := commandBinary(t)
	url := fmt.Sprintf("smtp://%s@%s?from=isms@acme.example", srv.Username, srv.Addr)
	var wg sync.WaitGroup
	outs := make([]bytes.Buffer, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "--db", c.path("ismscomms.db"), "--tenant", "t2", "--now", now, "remind", "--send", url)
			cmd.Env = append(os.Environ(), "ISMSCOMMS_TEST_AS_COMMAND=1", "SSL_CERT_FILE="+srv.CAFile, notify.EnvSMTPPassword+"="+srv.Password)
			cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
			errs[i] = cmd.Run()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	seen := map[string]int{}
	for _, m := range srv.Messages(t) {
		msg, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		seen[msg.Header.Get("Message-Id")]++
	}
	for _, k := range keys {
		if n := seen[notify.MessageID(k)]; n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
	if len(seen) != len(keys) {
		t.Errorf("%d distinct messages for %d reminders", len(seen), len(keys))
	}
	t.Logf("%d reminders; process outputs:\n%s\n%s", len(keys), outs[0].String(), outs[1].String())
}

// TestRemindTwoPlans: a tenant's two plans with the same activities,
// roles and people each send their own reminders, and one plan's run
// moves only its own checkpoint.
func TestRemindTwoPlans(t *testing.T) {
	srv := notifytest.StartSMTP(t, notifytest.SMTPOptions{})
	c := remindSession(t)
	src, err := os.ReadFile(c.path("remind.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	second := c.path("remind2.yaml")
	if err := os.WriteFile(second, []byte(strings.Replace(string(src), "\nid: acme\n", "\nid: acme2\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.must(0, "plan", "save", second)
	c.must(0, "ack", "--plan-id", "acme2", "--activity", "policy", "--person", "E1", "--at", "2026-11-05T10:00:00+01:00")
	c.env = map[string]string{notify.EnvSMTPPassword: srv.Password}
	c.tlsConfig = srv.TLSConfig()
	url := fmt.Sprintf("smtp://%s@%s?from=isms@acme.example", srv.Username, srv.Addr)
	now := "2026-12-03T11:00:00+01:00"
	want := 0
	for _, plan := range []string{"acme", "acme2"} {
		c.quiet = true
		out, _ := c.must(0, "--now", now, "remind", "--plan-id", plan, "--format", "json")
		want += strings.Count(out, `"key"`)
	}
	for _, plan := range []string{"acme", "acme2"} {
		c.must(0, "--now", now, "remind", "--plan-id", plan, "--send", url)
	}
	seen := map[string]bool{}
	for _, m := range srv.Messages(t) {
		msg, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		seen[msg.Header.Get("Message-Id")] = true
	}
	if want < 4 || len(seen) != want {
		t.Errorf("%d distinct messages, want %d (each plan's reminders)", len(seen), want)
	}
}
