package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/ismscomms/ismscomms/store/checkpoint"
)

// logSession saves the starter plan and records one communication per
// subject, in a new session whose clock starts where every session's
// does: two sessions given the same subjects write the same log, hash for
// hash.
func logSession(t *testing.T, subjects ...string) *cli {
	t.Helper()
	c := newCLI(t)
	c.must(0, "plan", "save", "../../examples/plans/starter.yaml")
	for _, s := range subjects {
		c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", s)
	}
	return c
}

// replaceStore puts the store of from in place of c's: a database
// rewritten by someone who recomputed every hash.
func replaceStore(t *testing.T, c, from *cli) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(c.path("ismscomms.db" + suffix))
	}
	b, err := os.ReadFile(from.path("ismscomms.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.path("ismscomms.db"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var logSubjects = []string{"Policy 1", "Policy 2", "Policy 3", "Policy 4", "Policy 5"}

func TestCheckpointCommands(t *testing.T) {
	c := logSession(t, logSubjects...)
	vkey, _ := c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	if fi, err := os.Stat(c.path("log.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signer key file: %v, %v; want mode 0600", fi.Mode(), err)
	}
	if pub, err := os.ReadFile(c.path("log.key.pub")); err != nil || string(pub) != vkey {
		t.Fatalf("verifier key file %q, printed %q (%v)", pub, vkey, err)
	}
	// A key is never overwritten.
	before, _ := os.ReadFile(c.path("log.key"))
	c.must(2, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	if after, _ := os.ReadFile(c.path("log.key")); string(after) != string(before) {
		t.Fatal("key generate replaced an existing key")
	}
	c.must(2, "key", "generate", "bad name", "--out", c.path("other.key"))
	// --out - is not standard output for a key: a usage error, nothing
	// written.
	c.must(2, "key", "generate", "isms.example.com/comms", "--out", "-")
	if _, err := os.Lstat(c.path("-")); err == nil {
		t.Error(`key generate --out - wrote a file named "-"`)
	}
	// An --out that exists (here a directory) is refused before anything
	// is written: no verifier key is left without its signer key.
	if err := os.Mkdir(c.path("dir.key"), 0o700); err != nil {
		t.Fatal(err)
	}
	c.must(2, "key", "generate", "isms.example.com/comms", "--out", c.path("dir.key"))
	if _, err := os.Lstat(c.path("dir.key.pub")); err == nil {
		t.Error("key generate left a verifier key without its signer key")
	}

	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))
	signed, err := os.ReadFile(c.path("cp.txt"))
	// A kept checkpoint is never replaced, but with --force.
	c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "Policy 5b")
	c.must(2, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))
	if again, _ := os.ReadFile(c.path("cp.txt")); string(again) != string(signed) {
		t.Fatal("checkpoint --out replaced an existing checkpoint")
	}
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp6.txt"))
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp6.txt"), "--force")
	// --verifier-key opens a checkpoint: alone, it is a usage error.
	c.must(2, "verify", "--verifier-key", c.path("log.key.pub"))
	if err != nil || !strings.HasPrefix(string(signed), "isms.example.com/comms/default\n5\n") {
		t.Fatalf("checkpoint file %q, %v", signed, err)
	}
	c.must(0, "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "Policy 6")
	out, _ := c.must(0, "verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub"))
	if !strings.Contains(out, "extends the checkpoint of 5 records") || !strings.Contains(out, "tree size 7") {
		t.Errorf("verify --checkpoint said:\n%s", out)
	}
	c.must(0, "verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", strings.TrimSpace(vkey))

	// Another key's verifier refuses the checkpoint: bad input.
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("other.key"))
	_, errOut := c.must(2, "verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("other.key.pub"))
	if !strings.Contains(errOut, "not signed by a known key") {
		t.Errorf("verify with another key: %s", errOut)
	}
	c.must(2, "verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub"), "--tenant", "globex")

	// prove: a record of the checkpoint, checked with the library alone.
	proof, _ := c.must(0, "prove", "3", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub"))
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := checkpoint.CheckInclusion([]byte(proof), signed, note.VerifierList(v)); err != nil || p.Index != 2 {
		t.Errorf("CheckInclusion of prove's output: %+v, %v", p, err)
	}
	_, errOut = c.must(2, "prove", "6", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub"))
	if !strings.Contains(errOut, "not in the checkpoint's tree") {
		t.Errorf("prove 6 against a checkpoint of 5: %s", errOut)
	}
}

// A log rewritten with every hash recomputed verifies on its own but
// fails verify --checkpoint against a checkpoint taken before, exit 1,
// naming the tree size; a tree hash changed behind the store's back
// fails it naming the records.
func TestVerifyCheckpointRewritten(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))
	args := []string{"verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub")}

	cases := map[string][]string{
		"rewritten from record 3": {"Policy 1", "Policy 2", "Policy 3 (forged)", "Policy 4 (forged)", "Policy 5 (forged)", "Policy 6"},
		"record 2 removed":        {"Policy 1", "Policy 3", "Policy 4", "Policy 5", "Policy 6"},
		"records 2 and 4 swapped": {"Policy 1", "Policy 4", "Policy 3", "Policy 2", "Policy 5"},
		"a record inserted at 3":  {"Policy 1", "Policy 2", "Policy 2b", "Policy 3", "Policy 4", "Policy 5"},
	}
	for name, subjects := range cases {
		t.Run(name, func(t *testing.T) {
			forged := logSession(t, subjects...)
			replaceStore(t, c, forged)
			c.must(0, "verify") // the chain alone: every hash was recomputed
			out, _ := c.must(1, args...)
			if !strings.Contains(out, "does NOT extend") || !strings.Contains(out, "tree size 5") {
				t.Errorf("verify --checkpoint of a log %s said:\n%s", name, out)
			}
		})
	}
	t.Run("tree hash changed", func(t *testing.T) {
		replaceStore(t, c, logSession(t, logSubjects...))
		c.must(0, args...)
		db, err := sql.Open("sqlite", c.path("ismscomms.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE tree_hashes SET hash = zeroblob(32) WHERE level = 0 AND node = 2`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		out, _ := c.must(1, args...)
		if !strings.Contains(out, "at record 3") || !strings.Contains(out, "Merkle tree the store keeps for tenant default is DAMAGED, though its records extend the checkpoint") || strings.Contains(out, "does NOT extend") {
			t.Errorf("verify --checkpoint with record 3's leaf changed said:\n%s", out)
		}
		c.must(1, "checkpoint", "--key", c.path("log.key"))
	})
}

// A read command never migrates: checkpoint on a store of schema 6 says
// what to run and leaves the file as it was.
func TestCheckpointSchema6(t *testing.T) {
	c := logSession(t, "Policy 1")
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	db, err := sql.Open("sqlite", c.path("ismscomms.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE tree_hashes`, `DROP TABLE tree_unbuilt`, `PRAGMA user_version = 6`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	before, _ := os.ReadFile(c.path("ismscomms.db"))
	_, errOut := c.must(3, "checkpoint", "--key", c.path("log.key"))
	if !strings.Contains(errOut, "migrate") {
		t.Errorf("checkpoint on schema 6: %s", errOut)
	}
	if after, _ := os.ReadFile(c.path("ismscomms.db")); string(after) != string(before) {
		t.Error("a read command changed the schema-6 store")
	}
	c.must(0, "migrate")
	c.must(0, "checkpoint", "--key", c.path("log.key"))
}

// A schema-6 store with one tenant's log broken (a record missing) and
// another's intact: migrate migrates it and names the broken tenant; the
// intact one is checkpointed and appended to; the broken one verifies as
// broken (exit 1), with and without --checkpoint, and its appends fail
// naming the break.
func TestMigrateBrokenTenant(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))
	c.must(0, "--tenant", "globex", "plan", "save", "../../examples/plans/starter.yaml")
	c.must(0, "--tenant", "globex", "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "G1")
	db, err := sql.Open("sqlite", c.path("ismscomms.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE tree_hashes`, `DROP TABLE tree_unbuilt`, `PRAGMA user_version = 6`, `DELETE FROM records WHERE tenant = 'default' AND seq = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, _ := c.must(0, "migrate")
	if !strings.Contains(out, "tenant default: its log is broken at record 3") || strings.Contains(out, "globex") {
		t.Errorf("migrate said:\n%s", out)
	}
	c.must(0, "--tenant", "globex", "checkpoint", "--key", c.path("log.key"))
	c.must(0, "--tenant", "globex", "record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "G2")
	out, _ = c.must(1, "verify")
	if !strings.Contains(out, "BROKEN at record 3") {
		t.Errorf("verify of the broken tenant said:\n%s", out)
	}
	out, _ = c.must(1, "verify", "--checkpoint", c.path("cp.txt"), "--verifier-key", c.path("log.key.pub"))
	if !strings.Contains(out, "BROKEN at record 3") || strings.Contains(out, "intact") {
		t.Errorf("verify --checkpoint of the broken tenant said:\n%s", out)
	}
	_, errOut, code := c.run("record", "--activity", "policy", "--occurrence", "2027-01-15T09:00:00+01:00", "--subject", "Policy 7")
	if code == 0 || !strings.Contains(errOut, "broken at record 3") {
		t.Errorf("record to the broken tenant: exit %d\n%s", code, errOut)
	}
}

// key generate never writes through a symbolic link or to a FIFO.
func TestKeyGenerateRefusesSpecialFiles(t *testing.T) {
	c := newCLI(t)
	fifo := c.path("fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	target := c.path("target")
	if err := os.Symlink(target, c.path("link")); err != nil {
		t.Fatal(err)
	}
	c.must(2, "key", "generate", "isms.example.com/comms", "--out", fifo)
	c.must(2, "key", "generate", "isms.example.com/comms", "--out", c.path("link"))
	if _, err := os.Lstat(target); err == nil {
		t.Error("key generate wrote through a dangling symbolic link")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
	_ = filepath.Join
}

// The evidence report prints the checkpoint it was computed at: the tree
// size and root hash the records give (those of checkpoint's), in
// Markdown, HTML and JSON; with --key, the signed note, which opens with
// the verifier key.
func TestReportCheckpoint(t *testing.T) {
	c := logSession(t, logSubjects...)
	c.must(0, "key", "generate", "isms.example.com/comms", "--out", c.path("log.key"))
	c.must(0, "checkpoint", "--key", c.path("log.key"), "--out", c.path("cp.txt"))
	signed, err := os.ReadFile(c.path("cp.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := checkpoint.Parse([]byte(strings.SplitN(string(signed), "\n\n", 2)[0] + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	root := cp.Hash.String()
	md, _ := c.must(0, "report", "--format", "md")
	if !strings.Contains(md, "Checkpoint: Merkle tree of 5 records, root hash "+root) || strings.Contains(md, "Signed checkpoint") {
		t.Errorf("the Markdown report's checkpoint:\n%s", md)
	}
	js, _ := c.must(0, "report", "--format", "json")
	if !strings.Contains(js, `"tree": {`) || !strings.Contains(js, `"size": 5`) || !strings.Contains(js, `"root_hash": "`+root+`"`) {
		t.Errorf("the JSON report has no checkpoint of 5 records, root %s", root)
	}
	md, _ = c.must(0, "report", "--format", "md", "--key", c.path("log.key"))
	_, after, ok := strings.Cut(md, "Signed checkpoint:\n\n")
	var lines []string
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, "    ") {
			break
		}
		lines = append(lines, strings.TrimPrefix(l, "    "))
	}
	pub, _ := os.ReadFile(c.path("log.key.pub"))
	v, err := note.NewVerifier(strings.TrimSpace(string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := checkpoint.Open([]byte(strings.Join(lines, "\n")+"\n"), "default", note.VerifierList(v)); !ok || err != nil || got != cp {
		t.Errorf("the report's signed note: %+v, %v, want %+v\n%s", got, err, cp, md)
	}
	html, _ := c.must(0, "report", "--key", c.path("log.key"))
	if !strings.Contains(html, `<div id="checkpoint"`) || !strings.Contains(html, `<pre id="checkpoint-note">isms.example.com/comms/default`) {
		t.Errorf("the HTML report has no signed checkpoint")
	}
	c.must(2, "report", "--key", c.path("nokey"))
}
