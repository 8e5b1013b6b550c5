package checkpoint_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/checkpoint"
	"github.com/ismscomms/ismscomms/store/memory"
)

// exampleStore is a store whose tenant "acme" has n records, stamped by
// a fixed clock so that the output below stays the same.
func exampleStore(n int) store.Store {
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	st := memory.New(&memory.Options{Now: func() time.Time { return at }})
	for i := 1; i <= n; i++ {
		if _, err := st.AppendRecord(context.Background(), "acme", comms.Record{ActivityID: "policy", Channel: "email", SentAt: at.Add(time.Duration(i) * time.Hour)}); err != nil {
			panic(err)
		}
	}
	return st
}

// exampleKey is a key pair made from a fixed seed; use
// note.GenerateKey(rand.Reader, name) and keep the signer key secret.
func exampleKey() (note.Signer, note.Verifiers) {
	skey, vkey, err := note.GenerateKey(bytes.NewReader(make([]byte, 32)), "isms.example.com/comms")
	if err != nil {
		panic(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		panic(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		panic(err)
	}
	return signer, note.VerifierList(verifier)
}

// Sign a checkpoint of a tenant's log: the signed note is what an
// auditor keeps.
func ExampleSign() {
	ctx := context.Background()
	st := exampleStore(3)
	signer, _ := exampleKey()
	_, signed, err := checkpoint.Sign(ctx, st, "acme", signer)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(signed))
	// Output:
	// isms.example.com/comms/acme
	// 3
	// VLp5OFSx0yJnR+qzoh2ixaGGuqaO3JkueE9fmrMUiOg=
	//
	// — isms.example.com/comms qOS70H8O3je0CUgh/k0suZYEz8iHeHMFEPQyILBqSrgppSvlpuCj2LMK3LhKop9gMeaoBtkG7MB0AY5HUqtNXkoJowM=
}

// Verify that today's log extends a checkpoint kept from before, and
// see a rewritten log fail.
func ExampleVerify() {
	ctx := context.Background()
	signer, verifiers := exampleKey()
	_, signed, err := checkpoint.Sign(ctx, exampleStore(3), "acme", signer)
	if err != nil {
		fmt.Println(err)
		return
	}
	old, err := checkpoint.Open(signed, "acme", verifiers)
	if err != nil {
		fmt.Println(err)
		return
	}
	now, err := checkpoint.Verify(ctx, exampleStore(5), "acme", old)
	fmt.Println(now.Size, err)

	// A log rewritten from record 2 on, every hash recomputed.
	forged := exampleStore(1)
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	for _, r := range []comms.Record{
		{ActivityID: "policy", Channel: "letter", SentAt: at.Add(2 * time.Hour)},
		{ActivityID: "policy", Channel: "email", SentAt: at.Add(3 * time.Hour)},
	} {
		if _, err := forged.AppendRecord(ctx, "acme", r); err != nil {
			fmt.Println(err)
			return
		}
	}
	_, err = checkpoint.Verify(ctx, forged, "acme", old)
	if te := (*store.TreeError)(nil); errors.As(err, &te) {
		fmt.Println("does not extend the checkpoint of", te.Size, "records")
	} else {
		fmt.Println("unexpected:", err)
	}
	// Output:
	// 5 <nil>
	// does not extend the checkpoint of 3 records
}

// Prove that a sampled record is in a checkpoint's tree, and check the
// proof with the checkpoint and the verifier key alone.
func ExampleCheckInclusion() {
	ctx := context.Background()
	signer, verifiers := exampleKey()
	st := exampleStore(5)
	c, signed, err := checkpoint.Sign(ctx, st, "acme", signer)
	if err != nil {
		fmt.Println(err)
		return
	}
	proof, err := checkpoint.Prove(ctx, st, "acme", c, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	text := proof.Text() // what `ismscomms prove` prints

	// The auditor's side: no store.
	p, err := checkpoint.CheckInclusion(text, signed, verifiers)
	fmt.Println(p.Index+1, len(p.Hashes), err)
	// Output:
	// 2 3 <nil>
}
