package checkpoint_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
	"github.com/ismscomms/ismscomms/store/memory"
)

var ctx = context.Background()

// keys returns a signer and its verifiers for the log "isms.example.com/comms".
func keys(t testing.TB, seed byte) (note.Signer, note.Verifiers) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{seed}, 32)), "isms.example.com/comms")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, note.VerifierList(verifier)
}

var base = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// rec is the i-th record (from 1) of the honest log.
func rec(i int) comms.Record {
	return comms.Record{PlanID: "plan", ActivityID: fmt.Sprintf("a%d", i%3), SentAt: base.Add(time.Duration(i) * time.Hour),
		Channel: "email", Audiences: []string{"employees"}, Subject: fmt.Sprintf("message %d", i), Reached: 5}
}

// logOf returns a memory store whose tenant "acme" holds rs, in order,
// recorded at fixed times: two stores given the same records hold the
// same log, hash for hash. A forged log is one given other records: a
// database rewritten with every chain and tree hash recomputed.
func logOf(t testing.TB, rs []comms.Record) *memory.Store {
	t.Helper()
	i := 0
	m := memory.New(&memory.Options{Now: func() time.Time { i++; return base.Add(time.Duration(i) * time.Minute) }})
	for _, r := range rs {
		if _, err := m.AppendRecord(ctx, "acme", r); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func honest(n int) []comms.Record {
	var rs []comms.Record
	for i := 1; i <= n; i++ {
		rs = append(rs, rec(i))
	}
	return rs
}

// A checkpoint taken at 10 records: today's log (15 records, the first
// 10 the same) extends it; every rewrite of a record up to 10, with
// every hash recomputed, fails naming the checkpoint's tree size, and a
// rewrite after it passes.
func TestVerify(t *testing.T) {
	signer, verifiers := keys(t, 1)
	_, signed, err := checkpoint.Sign(ctx, logOf(t, honest(10)), "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	old, err := checkpoint.Open(signed, "acme", verifiers)
	if err != nil {
		t.Fatal(err)
	}
	if old.Size != 10 || old.Origin != "isms.example.com/comms/acme" {
		t.Fatalf("checkpoint %+v", old)
	}
	now, err := checkpoint.Verify(ctx, logOf(t, honest(15)), "acme", old)
	if err != nil || now.Size != 15 || now.Origin != old.Origin {
		t.Fatalf("Verify of the honest log: %+v, %v", now, err)
	}

	rewritten := func(from int) []comms.Record {
		rs := honest(15)
		for i := from - 1; i < len(rs); i++ {
			rs[i].Subject += " (rewritten)"
		}
		return rs
	}
	removed := append(honest(4), honest(15)[5:]...)
	swapped := honest(15)
	swapped[2], swapped[6] = swapped[6], swapped[2]
	inserted := append(append(honest(5), rec(99)), honest(15)[5:]...)
	changedOne := honest(15)
	changedOne[9].Reached = 6
	for name, rs := range map[string][]comms.Record{
		"rewritten from record 4":           rewritten(4),
		"rewritten from record 1":           rewritten(1),
		"record 10 changed":                 changedOne,
		"record 5 removed":                  removed,
		"records 3 and 7 swapped":           swapped,
		"a record inserted before record 6": inserted,
		"cut to 8 records":                  honest(8),
	} {
		_, err := checkpoint.Verify(ctx, logOf(t, rs), "acme", old)
		var te *store.TreeError
		if !errors.As(err, &te) || te.Size != 10 || !errors.Is(err, store.ErrChainBroken) {
			t.Errorf("%s: %v, want a *store.TreeError at tree size 10", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "tree size 10") {
			t.Errorf("%s: the error does not name the tree size: %v", name, err)
		}
	}
	// After the checkpoint, a checkpoint of 10 proves nothing.
	if _, err := checkpoint.Verify(ctx, logOf(t, rewritten(11)), "acme", old); err != nil {
		t.Errorf("a log rewritten after the checkpoint's records: %v, want nil (the checkpoint covers records 1 to 10)", err)
	}
}

// Open refuses a checkpoint signed by another key, one of another
// tenant, and one whose text was changed; Sign refuses a tenant that
// cannot be written in an origin, and an empty log.
func TestOpen(t *testing.T) {
	signer, verifiers := keys(t, 1)
	_, otherVerifiers := keys(t, 2)
	_, signed, err := checkpoint.Sign(ctx, logOf(t, honest(3)), "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	_, err = checkpoint.Open(signed, "acme", otherVerifiers)
	if !errors.Is(err, checkpoint.ErrUnverified) {
		t.Errorf("Open with another key: %v, want ErrUnverified", err)
	}
	// The error names the key that did sign, as its verifier key begins.
	if want := fmt.Sprintf("signed by %s+%08x,", signer.Name(), signer.KeyHash()); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open with another key: %v; want it to name the signer (%s)", err, want)
	}
	if _, err := checkpoint.Open(signed, "globex", verifiers); !errors.Is(err, checkpoint.ErrOrigin) {
		t.Errorf("Open as another tenant: %v, want ErrOrigin", err)
	}
	forged := bytes.Replace(signed, []byte("\n3\n"), []byte("\n2\n"), 1)
	if _, err := checkpoint.Open(forged, "acme", verifiers); !errors.Is(err, checkpoint.ErrUnverified) {
		t.Errorf("Open of a changed checkpoint: %v, want ErrUnverified", err)
	}
	for _, tenant := range []string{"a/b", "a b", "a+b", "a\u00a0b"} {
		if _, _, err := checkpoint.Sign(ctx, memory.New(nil), tenant, signer); !errors.Is(err, checkpoint.ErrOrigin) {
			t.Errorf("Sign for tenant %q: %v, want ErrOrigin", tenant, err)
		}
	}
	if _, _, err := checkpoint.Sign(ctx, memory.New(nil), "acme", signer); !errors.Is(err, checkpoint.ErrEmpty) {
		t.Errorf("Sign of an empty log: %v, want ErrEmpty", err)
	}
}

// An inclusion proof of each record of a checkpoint checks with the
// checkpoint alone; a record not in the checkpoint's tree cannot be
// proven, and a proof of it (from a forged log's tree) fails against
// the checkpoint; a proof whose record or hashes were changed fails.
func TestInclusion(t *testing.T) {
	signer, verifiers := keys(t, 1)
	_, otherVerifiers := keys(t, 2)
	st := logOf(t, honest(13))
	old, signed, err := checkpoint.Sign(ctx, logOf(t, honest(11)), "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= 11; seq++ {
		p, err := checkpoint.Prove(ctx, st, "acme", old, seq)
		if err != nil {
			t.Fatalf("Prove(%d): %v", seq, err)
		}
		if _, err := checkpoint.CheckInclusion(p.Text(), signed, verifiers); err != nil {
			t.Fatalf("CheckInclusion(record %d): %v", seq, err)
		}
		if _, err := checkpoint.CheckInclusion(p.Text(), signed, otherVerifiers); !errors.Is(err, checkpoint.ErrUnverified) {
			t.Fatalf("CheckInclusion with another key: %v", err)
		}
	}
	if _, err := checkpoint.Prove(ctx, st, "acme", old, 12); !errors.Is(err, checkpoint.ErrNotInTree) {
		t.Errorf("Prove of record 12 in a checkpoint of 11: %v, want ErrNotInTree", err)
	}
	// A forged log, its own checkpoint of 11, a proof of its record 4.
	forgedLog := honest(11)
	forgedLog[3].Subject = "never sent"
	forged := logOf(t, forgedLog)
	forgedCp, err := checkpoint.Verify(ctx, forged, "acme", checkpoint.Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	forgedCp.Origin = old.Origin
	p, err := checkpoint.Prove(ctx, forged, "acme", forgedCp, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.CheckInclusion(p.Text(), signed, verifiers); !errors.Is(err, checkpoint.ErrProofFailed) {
		t.Errorf("a proof of a record not in the checkpoint's tree: %v, want ErrProofFailed", err)
	}
	// The honest store cannot prove against the forged checkpoint.
	if _, err := checkpoint.Prove(ctx, st, "acme", forgedCp, 4); !errors.Is(err, store.ErrChainBroken) {
		t.Errorf("Prove against a checkpoint the log does not extend: %v, want a *store.TreeError", err)
	}
	good, err := checkpoint.Prove(ctx, st, "acme", old, 5)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(p *checkpoint.Proof){
		"another record's content": func(p *checkpoint.Proof) { p.Record = p.Record[:len(p.Record)-1] },
		"another leaf index":       func(p *checkpoint.Proof) { p.Index = 5 },
		"a hash changed":           func(p *checkpoint.Proof) { p.Hashes[1][0] ^= 1 },
		"a hash dropped":           func(p *checkpoint.Proof) { p.Hashes = p.Hashes[1:] },
		"another tree size":        func(p *checkpoint.Proof) { p.Size = 12 },
	} {
		p := good
		p.Record = bytes.Clone(good.Record)
		p.Hashes = append(good.Hashes[:0:0], good.Hashes...)
		edit(&p)
		if _, err := checkpoint.CheckInclusion(p.Text(), signed, verifiers); err == nil {
			t.Errorf("a proof with %s checks", name)
		}
	}
}

// A checkpoint is only of a tenant of the log of a key that signed it:
// one whose origin names another log, or a tenant no origin can name,
// though its signature is good, proves nothing (ErrOrigin), even with a
// proof that matches it.
func TestInclusionOrigin(t *testing.T) {
	signer, verifiers := keys(t, 1)
	st := logOf(t, honest(5))
	c, _, err := checkpoint.Sign(ctx, st, "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	for _, origin := range []string{"evil.example/comms/acme", "isms.example.com/comms", "isms.example.com/commsx/acme", "isms.example.com/comms/", "isms.example.com/comms/a/b"} {
		forged := c
		forged.Origin = origin
		signed, err := note.Sign(&note.Note{Text: string(forged.Text())}, signer)
		if err != nil {
			t.Fatal(err)
		}
		p, err := checkpoint.Prove(ctx, st, "acme", c, 2)
		if err != nil {
			t.Fatal(err)
		}
		p.Origin = origin // the proof agrees with the checkpoint
		if _, err := checkpoint.CheckInclusion(p.Text(), signed, verifiers); !errors.Is(err, checkpoint.ErrOrigin) {
			t.Errorf("a checkpoint of origin %q signed by isms.example.com/comms: %v, want ErrOrigin", origin, err)
		}
	}
}

// The text forms round-trip, and the parsers refuse what is not in them.
func TestFormats(t *testing.T) {
	signer, _ := keys(t, 1)
	st := logOf(t, honest(6))
	c, _, err := checkpoint.Sign(ctx, st, "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := checkpoint.Parse(c.Text()); err != nil || again != c {
		t.Fatalf("Parse(Text()) = %+v, %v", again, err)
	}
	p, err := checkpoint.Prove(ctx, st, "acme", c, 3)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := checkpoint.ParseProof(p.Text()); err != nil || !bytes.Equal(again.Text(), p.Text()) {
		t.Fatalf("ParseProof(Text()): %v", err)
	}
	text := string(c.Text())
	for _, bad := range []string{
		"", "origin\n", "origin\n5\n", strings.Replace(text, "\n6\n", "\n06\n", 1), strings.Replace(text, "\n6\n", "\n+6\n", 1),
		strings.Replace(text, "\n6\n", "\n0\n", 1), strings.TrimSuffix(text, "\n"), text + "extension\n", "\n6\n" + strings.SplitN(text, "\n", 3)[2],
		strings.Replace(text, "=\n", "\n", 1),
	} {
		if _, err := checkpoint.Parse([]byte(bad)); !errors.Is(err, checkpoint.ErrFormat) {
			t.Errorf("Parse(%q): %v, want ErrFormat", bad, err)
		}
	}
	proof := string(p.Text())
	for _, bad := range []string{
		"", strings.TrimSuffix(proof, "\n"), strings.Replace(proof, "v1", "v2", 1), strings.Replace(proof, "\n6\n2\n", "\n6\n6\n", 1),
		proof + "x\n", proof + "\n",
	} {
		if _, err := checkpoint.ParseProof([]byte(bad)); !errors.Is(err, checkpoint.ErrFormat) {
			t.Errorf("ParseProof(%q): %v, want ErrFormat", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("isms.example.com/comms/acme\n6\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Add([]byte("o\n1\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := checkpoint.Parse(b)
		if err == nil && !bytes.Equal(c.Text(), b) {
			t.Fatalf("Parse(%q) = %+v, whose Text is %q", b, c, c.Text())
		}
	})
}

func FuzzParseProof(f *testing.F) {
	f.Add([]byte("ismscomms/inclusion-proof/v1\no/t\n2\n1\nWyJ4Il0=\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := checkpoint.ParseProof(b)
		if err == nil && !bytes.Equal(p.Text(), b) {
			t.Fatalf("ParseProof(%q) is %q as text", b, p.Text())
		}
	})
}

// damagedTree is a store whose stored hash at index bad reads as zeros
// (a tree row edited behind the store's back), and which, with cut set,
// reports a stored hash past its size (records cut, their hashes kept).
type damagedTree struct {
	*memory.Store
	bad int64
	cut bool
}

func (d damagedTree) TreeHashes(ctx context.Context, tenant string, size int64, indexes []int64) ([]tlog.Hash, error) {
	hs, err := d.Store.TreeHashes(ctx, tenant, size, indexes)
	for i, x := range indexes {
		if err == nil && x == d.bad {
			hs[i] = tlog.Hash{}
		}
	}
	return hs, err
}

func (d damagedTree) TreeExtent(ctx context.Context, tenant string) (int64, int64, error) {
	size, stray, err := d.Store.TreeExtent(ctx, tenant)
	if d.cut && err == nil {
		stray = tlog.StoredHashCount(size) + 1
	}
	return size, stray, err
}

// A damaged stored hash in records that still extend the checkpoint is
// reported as a damaged tree (Damaged, naming the record, saying that the
// records extend the checkpoint), with the records' checkpoint; in
// records that do not, the log does not extend it. Sign refuses both. A
// stored hash past the log's size says the log was cut.
func TestVerifyDamagedTree(t *testing.T) {
	signer, verifiers := keys(t, 1)
	_, signed, err := checkpoint.Sign(ctx, logOf(t, honest(10)), "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	old, err := checkpoint.Open(signed, "acme", verifiers)
	if err != nil {
		t.Fatal(err)
	}
	leaf4 := tlog.StoredHashIndex(0, 3)
	d := damagedTree{Store: logOf(t, honest(15)), bad: leaf4}
	now, err := checkpoint.Verify(ctx, d, "acme", old)
	var te *store.TreeError
	if !errors.As(err, &te) || !te.Damaged || te.First != 4 || te.Last != 4 || !strings.Contains(te.Reason, "do extend the checkpoint of 10 records") {
		t.Fatalf("a damaged leaf hash: %v, want a damaged tree at record 4 whose records extend the checkpoint", err)
	}
	if want, _ := checkpoint.Verify(ctx, logOf(t, honest(15)), "acme", old); now != want {
		t.Errorf("a damaged tree: Verify returned %+v, want the records' checkpoint %+v", now, want)
	}
	if _, _, err := checkpoint.Sign(ctx, d, "acme", signer); !errors.As(err, &te) || !te.Damaged {
		t.Errorf("Sign of a damaged tree: %v, want refused", err)
	}
	forged := honest(15)
	forged[1].Reached = 9
	_, err = checkpoint.Verify(ctx, damagedTree{Store: logOf(t, forged), bad: leaf4}, "acme", old)
	if !errors.As(err, &te) || te.Damaged || te.Size != 10 || !strings.Contains(te.Reason, "does not extend") || !strings.Contains(te.Reason, "also damaged (record 4)") {
		t.Errorf("a changed record and a damaged hash: %v, want: does not extend, and damaged", err)
	}

	cut := damagedTree{Store: logOf(t, honest(15)), bad: -1, cut: true}
	for name, err := range map[string]error{
		"Verify": func() error { _, err := checkpoint.Verify(ctx, cut, "acme", old); return err }(),
		"Sign":   func() error { _, _, err := checkpoint.Sign(ctx, cut, "acme", signer); return err }(),
	} {
		if !errors.As(err, &te) || !strings.Contains(te.Reason, "the log was cut") {
			t.Errorf("%s of a log with hashes past its size: %v, want: the log was cut", name, err)
		}
	}
}

// ParseProof refuses a record line that base64 would decode after
// skipping CR (its text form is unique): a proof with CRLF line ends, or
// a CR inside the record line.
func TestParseProofCR(t *testing.T) {
	signer, _ := keys(t, 1)
	m := logOf(t, honest(3))
	c, _, err := checkpoint.Sign(ctx, m, "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	p, err := checkpoint.Prove(ctx, m, "acme", c, 2)
	if err != nil {
		t.Fatal(err)
	}
	text := string(p.Text())
	lines := strings.Split(text, "\n")
	inside := append([]string(nil), lines...)
	inside[4] = inside[4][:8] + "\r" + inside[4][8:]
	ending := append([]string(nil), lines...)
	ending[4] += "\r"
	for name, bad := range map[string]string{
		"CRLF line ends":       strings.ReplaceAll(text, "\n", "\r\n"),
		"CR inside the record": strings.Join(inside, "\n"),
		"CR after the record":  strings.Join(ending, "\n"),
	} {
		if _, err := checkpoint.ParseProof([]byte(bad)); !errors.Is(err, checkpoint.ErrFormat) {
			t.Errorf("%s: %v, want ErrFormat", name, err)
		}
	}
	if _, err := checkpoint.ParseProof([]byte(text)); err != nil {
		t.Fatal(err)
	}
}
