package checkpoint_test

// An auditor's own verifier of an inclusion proof, written only against
// the formats the package documentation gives and golang.org/x/mod: it
// uses no ismscomms code.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/ismscomms/ismscomms/store/checkpoint"
)

// auditorCheck checks proof against the signed checkpoint with the
// verifier key vkey and returns the tenant and sequence number of the
// proven record.
func auditorCheck(proof, signed []byte, vkey string) (string, int64, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", 0, err
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return "", 0, err
	}
	// The checkpoint: origin, tree size, root hash (base64), each ending
	// in a newline.
	cp := strings.Split(n.Text, "\n")
	if len(cp) != 4 || cp[3] != "" {
		return "", 0, errors.New("checkpoint: not three lines")
	}
	origin := cp[0]
	size, err := strconv.ParseInt(cp[1], 10, 64)
	if err != nil {
		return "", 0, err
	}
	root, err := tlog.ParseHash(cp[2])
	if err != nil {
		return "", 0, err
	}
	tenant, ok := strings.CutPrefix(origin, v.Name()+"/")
	if !ok {
		return "", 0, errors.New("the origin is not of the key's log")
	}
	// The proof: format, origin, tree size, leaf index, record (base64),
	// hashes (base64), each line ending in a newline.
	lines := strings.Split(strings.TrimSuffix(string(proof), "\n"), "\n")
	if len(lines) < 5 || lines[0] != "ismscomms/inclusion-proof/v1" {
		return "", 0, errors.New("not an inclusion proof")
	}
	if lines[1] != origin || lines[2] != cp[1] {
		return "", 0, errors.New("the proof is for another checkpoint")
	}
	index, err := strconv.ParseInt(lines[3], 10, 64)
	if err != nil {
		return "", 0, err
	}
	record, err := base64.StdEncoding.DecodeString(lines[4])
	if err != nil {
		return "", 0, err
	}
	var hashes tlog.RecordProof
	for _, l := range lines[5:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return "", 0, err
		}
		hashes = append(hashes, h)
	}
	if err := tlog.CheckRecord(hashes, size, root, index, tlog.RecordHash(record)); err != nil {
		return "", 0, err
	}
	// The record: a JSON array, its second element the tenant, its third
	// the sequence number.
	var fields []json.RawMessage
	if err := json.Unmarshal(record, &fields); err != nil || len(fields) < 3 {
		return "", 0, fmt.Errorf("the record is not a JSON array: %v", err)
	}
	var owner string
	var seq int64
	if json.Unmarshal(fields[1], &owner) != nil || json.Unmarshal(fields[2], &seq) != nil || owner != tenant || seq != index+1 {
		return "", 0, errors.New("the record is not the tenant's record at the leaf index")
	}
	return tenant, seq, nil
}

// The auditor's verifier accepts the proofs Prove makes and refuses one
// for a record not in the checkpoint's tree.
func TestAuditorVerifier(t *testing.T) {
	skey, vkey, err := note.GenerateKey(strings.NewReader(strings.Repeat("k", 32)), "isms.example.com/comms")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	c, signed, err := checkpoint.Sign(ctx, logOf(t, honest(9)), "acme", signer)
	if err != nil {
		t.Fatal(err)
	}
	st := logOf(t, honest(12))
	for seq := int64(1); seq <= 9; seq++ {
		p, err := checkpoint.Prove(ctx, st, "acme", c, seq)
		if err != nil {
			t.Fatal(err)
		}
		tenant, got, err := auditorCheck(p.Text(), signed, vkey)
		if err != nil || tenant != "acme" || got != seq {
			t.Fatalf("the auditor's check of record %d: %s %d, %v", seq, tenant, got, err)
		}
	}
	forged := honest(9)
	forged[6].Subject = "forged"
	fc, err := checkpoint.Verify(ctx, logOf(t, forged), "acme", checkpoint.Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	fc.Origin = c.Origin
	p, err := checkpoint.Prove(ctx, logOf(t, forged), "acme", fc, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := auditorCheck(p.Text(), signed, vkey); err == nil {
		t.Fatal("the auditor's check accepts a forged record")
	}
}
