package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/store"
)

// RunDeliveryLog runs the clauses of store.DeliveryLog, named
// Capabilities/DeliveryLog/…, against stores that newStore returns with
// now as their clock (the Now of the store's options): the clauses move
// the clock on to let leases run out. Each clause gets a new, empty
// store. A store without the capability fails: call RunDeliveryLog only
// for a store that has it.
//
//	storetest.RunDeliveryLog(t, func(t *testing.T, now func() time.Time) store.Store {
//		return memory.New(&memory.Options{Now: now})
//	})
func RunDeliveryLog(t *testing.T, newStore func(t *testing.T, now func() time.Time) store.Store) {
	for _, c := range deliveryClauses {
		t.Run("Capabilities/DeliveryLog/"+c.name, func(t *testing.T) {
			clock := &Clock{t: deliveryBase}
			s := newStore(t, clock.Now)
			dl, ok := s.(store.DeliveryLog)
			if !ok {
				t.Fatalf("%T does not implement store.DeliveryLog", s)
			}
			c.fn(t, dl, clock)
		})
	}
}

var deliveryClauses = []struct {
	name string
	fn   func(t *testing.T, dl store.DeliveryLog, clock *Clock)
}{
	{"ClaimSendMark", testClaimSendMark},
	{"Leased", testClaimLeased},
	{"Expired", testClaimExpired},
	{"StaleToken", testClaimStale},
	{"Release", testClaimRelease},
	{"NeverClaimed", testClaimNever},
	{"Isolation", testDeliveryIsolation},
	{"Validation", testDeliveryInvalid},
	{"Cancellation", testDeliveryCancellation},
	{"Listing", testDeliveryListing},
	{"Checkpoint", testCheckpoint},
	{"Concurrency", testClaimConcurrency},
}

// deliveryBase is the time the clock of a DeliveryLog clause starts at.
var deliveryBase = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// Clock is a clock for a store's options that a test moves on. It is
// safe for concurrent use by multiple goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads t until it is moved.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustClaim(t *testing.T, dl store.DeliveryLog, tenant, key string, lease time.Duration) store.Claim {
	t.Helper()
	c, ok, err := dl.Claim(ctx, tenant, key, lease)
	if err != nil || !ok {
		t.Fatalf("Claim(%s, %q) = %v, %v; want the claim", tenant, key, ok, err)
	}
	return c
}

func refused(t *testing.T, dl store.DeliveryLog, tenant, key string, why string) {
	t.Helper()
	c, ok, err := dl.Claim(ctx, tenant, key, time.Minute)
	if err != nil || ok || c != (store.Claim{}) {
		t.Fatalf("Claim(%s, %q) %s = %+v, %v, %v; want not ok, the zero Claim, no error", tenant, key, why, c, ok, err)
	}
}

func mustDelivery(t *testing.T, dl store.DeliveryLog, tenant, key string) store.Delivery {
	t.Helper()
	d, err := dl.Delivery(ctx, tenant, key)
	if err != nil {
		t.Fatalf("Delivery(%s, %q): %v", tenant, key, err)
	}
	return d
}

// Claim takes a new key (Attempt 1, At the store's time, Until At plus
// the lease); MarkSent marks it sent (SentAt the store's time); a sent key
// is never claimed again, however much time passes; marking twice is a
// no-op; releasing a sent key fails with ErrLeaseLost.
func testClaimSendMark(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	key := "acme/policy/2026-03-02/e-001/chase-1"
	c := mustClaim(t, dl, "t1", key, 5*time.Minute)
	if c.Key != key || c.Attempt != 1 || c.Token == "" || !c.At.Equal(deliveryBase) || !c.Until.Equal(deliveryBase.Add(5*time.Minute)) {
		t.Fatalf("claim = %+v", c)
	}
	if c.At.Location() != time.UTC || c.Until.Location() != time.UTC {
		t.Errorf("claim times not in UTC: %+v", c)
	}
	d := mustDelivery(t, dl, "t1", key)
	want := store.Delivery{Key: key, State: store.DeliveryClaimed, Attempts: 1, ClaimedAt: deliveryBase, LeaseUntil: deliveryBase.Add(5 * time.Minute)}
	if d != want {
		t.Errorf("claimed delivery = %+v, want %+v", d, want)
	}
	clock.Advance(time.Minute + 1500*time.Nanosecond)
	sent := deliveryBase.Add(time.Minute + time.Microsecond)
	if err := dl.MarkSent(ctx, "t1", c); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	want.State, want.SentAt = store.DeliverySent, sent
	if d := mustDelivery(t, dl, "t1", key); d != want {
		t.Errorf("sent delivery = %+v, want %+v", d, want)
	}
	refused(t, dl, "t1", key, "of a sent key")
	clock.Advance(48 * time.Hour)
	refused(t, dl, "t1", key, "of a sent key, two days later")
	if err := dl.MarkSent(ctx, "t1", c); err != nil {
		t.Errorf("MarkSent again: %v, want nil (a no-op)", err)
	}
	if err := dl.Release(ctx, "t1", c, "late failure"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release of a sent key: %v, want ErrLeaseLost", err)
	}
	if d := mustDelivery(t, dl, "t1", key); d != want {
		t.Errorf("after MarkSent again and Release: %+v, want %+v", d, want)
	}
}

// A key claimed by another whose lease has not run out is refused, up to
// the last microsecond of the lease.
func testClaimLeased(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	c := mustClaim(t, dl, "t1", "k", 10*time.Minute)
	refused(t, dl, "t1", "k", "at once")
	clock.Advance(10*time.Minute - time.Microsecond)
	refused(t, dl, "t1", "k", "a microsecond before the lease ends")
	if d := mustDelivery(t, dl, "t1", "k"); d.Attempts != 1 || d.State != store.DeliveryClaimed || d.Expired(clock.Now()) {
		t.Errorf("delivery after refused claims = %+v", d)
	}
	if err := dl.MarkSent(ctx, "t1", c); err != nil {
		t.Errorf("MarkSent within the lease: %v", err)
	}
}

// A lease that ran out (a crashed sender) is claimed again, with Attempt
// 2 and a new token; the first claim can then neither mark nor release
// the key (ErrLeaseLost), the second can. A claim whose lease ran out but
// that nobody took over may still mark the key sent.
func testClaimExpired(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	first := mustClaim(t, dl, "t1", "k", time.Minute)
	clock.Advance(time.Minute)
	if d := mustDelivery(t, dl, "t1", "k"); !d.Expired(clock.Now()) {
		t.Errorf("delivery at the end of its lease: %+v, Expired false", d)
	}
	second := mustClaim(t, dl, "t1", "k", time.Minute)
	if second.Attempt != 2 || second.Token == first.Token || !second.At.Equal(deliveryBase.Add(time.Minute)) {
		t.Fatalf("second claim = %+v (first %+v)", second, first)
	}
	refused(t, dl, "t1", "k", "while the second claim holds it")
	if err := dl.MarkSent(ctx, "t1", first); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkSent with the first claim: %v, want ErrLeaseLost", err)
	}
	if err := dl.Release(ctx, "t1", first, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release with the first claim: %v, want ErrLeaseLost", err)
	}
	if d := mustDelivery(t, dl, "t1", "k"); d.State != store.DeliveryClaimed || d.Attempts != 2 || d.LastError != "" {
		t.Errorf("delivery after the first claim's attempts: %+v", d)
	}
	if err := dl.MarkSent(ctx, "t1", second); err != nil {
		t.Fatalf("MarkSent with the second claim: %v", err)
	}
	clock.Advance(time.Hour)
	late := mustClaim(t, dl, "t1", "late", time.Minute)
	clock.Advance(time.Hour)
	if err := dl.MarkSent(ctx, "t1", late); err != nil {
		t.Errorf("MarkSent of a claim whose lease ran out, not taken over: %v", err)
	}
	if d := mustDelivery(t, dl, "t1", "late"); d.State != store.DeliverySent {
		t.Errorf("late delivery = %+v", d)
	}
}

// MarkSent and Release accept only the current claim: a token the store
// did not make, or a claim of another key, fail with ErrLeaseLost and
// change nothing.
func testClaimStale(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	c := mustClaim(t, dl, "t1", "k", time.Minute)
	mustClaim(t, dl, "t1", "other", time.Minute)
	forged := c
	forged.Token = strings.Repeat("0", len(c.Token))
	moved := c
	moved.Key = "other"
	empty := c
	empty.Token = ""
	for name, bad := range map[string]store.Claim{"forged token": forged, "another key's": moved, "empty token": empty} {
		if err := dl.MarkSent(ctx, "t1", bad); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("MarkSent with a %s claim: %v, want ErrLeaseLost", name, err)
		}
		if err := dl.Release(ctx, "t1", bad, "x"); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("Release with a %s claim: %v, want ErrLeaseLost", name, err)
		}
	}
	for _, key := range []string{"k", "other"} {
		if d := mustDelivery(t, dl, "t1", key); d.State != store.DeliveryClaimed || d.LastError != "" {
			t.Errorf("%s after stale claims: %+v", key, d)
		}
	}
}

// Release gives the claim back: the next Claim takes the key at once
// (Attempt 2); the reason is kept as LastError (control characters made
// spaces, cut to MaxDeliveryError bytes at a character boundary); the
// released claim can neither mark nor release again.
func testClaimRelease(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	c := mustClaim(t, dl, "t1", "k", time.Hour)
	clock.Advance(time.Second)
	if err := dl.Release(ctx, "t1", c, "421 4.7.0 try again\r\nlater\x00"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	d := mustDelivery(t, dl, "t1", "k")
	if d.State != store.DeliveryReleased || d.Attempts != 1 || d.LastError != "421 4.7.0 try again  later " || d.Expired(clock.Now()) {
		t.Errorf("released delivery = %+v", d)
	}
	if err := dl.MarkSent(ctx, "t1", c); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkSent of a released claim: %v, want ErrLeaseLost", err)
	}
	if err := dl.Release(ctx, "t1", c, "again"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release of a released claim: %v, want ErrLeaseLost", err)
	}
	again := mustClaim(t, dl, "t1", "k", time.Hour)
	if again.Attempt != 2 {
		t.Errorf("claim after release: %+v, want Attempt 2", again)
	}
	long := strings.Repeat("é", store.MaxDeliveryError) // two bytes each
	if err := dl.Release(ctx, "t1", again, long); err != nil {
		t.Fatal(err)
	}
	d = mustDelivery(t, dl, "t1", "k")
	if len(d.LastError) > store.MaxDeliveryError || len(d.LastError) < store.MaxDeliveryError-1 || !strings.HasPrefix(long, d.LastError) {
		t.Errorf("long reason kept as %d bytes, want a prefix of at most %d", len(d.LastError), store.MaxDeliveryError)
	}
	third := mustClaim(t, dl, "t1", "k", time.Hour)
	if err := dl.MarkSent(ctx, "t1", third); err != nil {
		t.Fatal(err)
	}
	if d := mustDelivery(t, dl, "t1", "k"); d.State != store.DeliverySent || d.Attempts != 3 {
		t.Errorf("delivery sent on the third attempt: %+v", d)
	}
}

// A key never claimed: Delivery fails with ErrNotFound; MarkSent and
// Release with a made-up claim fail with ErrLeaseLost and create nothing.
func testClaimNever(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	if _, err := dl.Delivery(ctx, "t1", "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery of a key never claimed: %v, want ErrNotFound", err)
	}
	made := store.Claim{Key: "k", Token: "0123456789abcdef0123456789abcdef", Attempt: 1}
	if err := dl.MarkSent(ctx, "t1", made); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkSent of a key never claimed: %v, want ErrLeaseLost", err)
	}
	if err := dl.Release(ctx, "t1", made, ""); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release of a key never claimed: %v, want ErrLeaseLost", err)
	}
	if _, err := dl.Delivery(ctx, "t1", "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery after MarkSent of a key never claimed: %v, want ErrNotFound", err)
	}
	if n := len(collect(t, dl.Deliveries(ctx, "t1", store.DeliveryQuery{}))); n != 0 {
		t.Errorf("%d deliveries, want none", n)
	}
}

// Tenants share nothing: the same key is claimed by each tenant apart; a
// claim of one tenant does not mark or release another's; listings,
// lookups and checkpoints see the tenant's own only.
func testDeliveryIsolation(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	c1 := mustClaim(t, dl, "t1", "k", time.Hour)
	mustClaim(t, dl, "t2", "k", time.Hour)
	if err := dl.MarkSent(ctx, "t2", c1); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkSent in t2 with t1's claim: %v, want ErrLeaseLost", err)
	}
	if err := dl.Release(ctx, "t2", c1, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Release in t2 with t1's claim: %v, want ErrLeaseLost", err)
	}
	if err := dl.MarkSent(ctx, "t3", c1); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("MarkSent in a tenant with nothing: %v, want ErrLeaseLost", err)
	}
	if err := dl.MarkSent(ctx, "t1", c1); err != nil {
		t.Fatal(err)
	}
	if d := mustDelivery(t, dl, "t2", "k"); d.State != store.DeliveryClaimed {
		t.Errorf("t2's delivery after t1 marked its own: %+v", d)
	}
	mustClaim(t, dl, "t1", "only-t1", time.Hour)
	if _, err := dl.Delivery(ctx, "t2", "only-t1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("t2 looks up t1's key: %v, want ErrNotFound", err)
	}
	var keys []string
	for _, d := range collect(t, dl.Deliveries(ctx, "t2", store.DeliveryQuery{})) {
		keys = append(keys, d.Key)
	}
	if strings.Join(keys, ",") != "k" {
		t.Errorf("t2 lists %q, want only k", keys)
	}
	if n := len(collect(t, dl.Deliveries(ctx, "t3", store.DeliveryQuery{}))); n != 0 {
		t.Errorf("t3 lists %d deliveries", n)
	}
	if _, err := dl.SetCheckpoint(ctx, "t1", "remind", deliveryBase); err != nil {
		t.Fatal(err)
	}
	if at, err := dl.Checkpoint(ctx, "t2", "remind"); err != nil || !at.IsZero() {
		t.Errorf("t2's checkpoint = %v, %v; want the zero time", at, err)
	}
}

// Invalid input fails with ErrInvalid and changes nothing: a tenant ID, a
// key (empty, too long, control characters, invalid UTF-8), a lease (0,
// negative, over MaxLease), a job, a checkpoint time, a query.
func testDeliveryInvalid(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	for _, key := range []string{"", strings.Repeat("k", store.MaxDeliveryKey+1), "a\nb", "a\x00b", "a\x7fb", "\xff"} {
		if _, ok, err := dl.Claim(ctx, "t1", key, time.Minute); !errors.Is(err, store.ErrInvalid) || ok {
			t.Errorf("Claim of key %q: %v, %v; want ErrInvalid", key, ok, err)
		}
		c := store.Claim{Key: key, Token: "t"}
		if err := dl.MarkSent(ctx, "t1", c); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("MarkSent of key %q: %v; want ErrInvalid", key, err)
		}
		if err := dl.Release(ctx, "t1", c, ""); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Release of key %q: %v; want ErrInvalid", key, err)
		}
	}
	if _, ok, err := dl.Claim(ctx, "t1", strings.Repeat("k", store.MaxDeliveryKey), time.Minute); err != nil || !ok {
		t.Errorf("Claim of a key of MaxDeliveryKey bytes: %v, %v", ok, err)
	}
	for _, lease := range []time.Duration{0, -time.Second, store.MaxLease + time.Nanosecond} {
		if _, ok, err := dl.Claim(ctx, "t1", "k", lease); !errors.Is(err, store.ErrInvalid) || ok {
			t.Errorf("Claim for lease %s: %v, %v; want ErrInvalid", lease, ok, err)
		}
	}
	for _, tenant := range []string{"", "a\nb", strings.Repeat("t", store.MaxIDLen+1)} {
		if _, _, err := dl.Claim(ctx, tenant, "k", time.Minute); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Claim for tenant %q: %v; want ErrInvalid", tenant, err)
		}
		if err := dl.MarkSent(ctx, tenant, store.Claim{Key: "k", Token: "t"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("MarkSent for tenant %q: %v; want ErrInvalid", tenant, err)
		}
		if err := dl.Release(ctx, tenant, store.Claim{Key: "k", Token: "t"}, ""); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Release for tenant %q: %v; want ErrInvalid", tenant, err)
		}
		if _, err := dl.Delivery(ctx, tenant, "k"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Delivery for tenant %q: %v; want ErrInvalid", tenant, err)
		}
		if err := firstErr(dl.Deliveries(ctx, tenant, store.DeliveryQuery{})); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Deliveries for tenant %q: %v; want ErrInvalid", tenant, err)
		}
		if _, err := dl.Checkpoint(ctx, tenant, "remind"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Checkpoint for tenant %q: %v; want ErrInvalid", tenant, err)
		}
		if _, err := dl.SetCheckpoint(ctx, tenant, "remind", deliveryBase); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SetCheckpoint for tenant %q: %v; want ErrInvalid", tenant, err)
		}
	}
	for _, job := range []string{"", "a\tb", strings.Repeat("j", store.MaxIDLen+1)} {
		if _, err := dl.Checkpoint(ctx, "t1", job); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Checkpoint of job %q: %v; want ErrInvalid", job, err)
		}
		if _, err := dl.SetCheckpoint(ctx, "t1", job, deliveryBase); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SetCheckpoint of job %q: %v; want ErrInvalid", job, err)
		}
	}
	for _, at := range []time.Time{{}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)} {
		if _, err := dl.SetCheckpoint(ctx, "t1", "remind", at); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SetCheckpoint at %v: %v; want ErrInvalid", at, err)
		}
	}
	if at, err := dl.Checkpoint(ctx, "t1", "remind"); err != nil || !at.IsZero() {
		t.Errorf("checkpoint after refused sets: %v, %v", at, err)
	}
	for _, q := range []store.DeliveryQuery{{Limit: -1}, {State: "pending"}} {
		if err := firstErr(dl.Deliveries(ctx, "t1", q)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Deliveries(%+v): %v; want ErrInvalid", q, err)
		}
	}
	if ds := collect(t, dl.Deliveries(ctx, "t1", store.DeliveryQuery{})); len(ds) != 1 || ds[0].Key != strings.Repeat("k", store.MaxDeliveryKey) {
		t.Errorf("after refused input the log holds %d deliveries, want the one valid claim", len(ds))
	}
}

// A done context fails every method with its error and changes nothing.
func testDeliveryCancellation(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	c := mustClaim(t, dl, "t1", "held", time.Minute)
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok, err := dl.Claim(done, "t1", "k", time.Minute); !errors.Is(err, context.Canceled) || ok {
		t.Errorf("Claim: %v, %v; want context.Canceled", ok, err)
	}
	if err := dl.MarkSent(done, "t1", c); !errors.Is(err, context.Canceled) {
		t.Errorf("MarkSent: %v; want context.Canceled", err)
	}
	if err := dl.Release(done, "t1", c, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("Release: %v; want context.Canceled", err)
	}
	if _, err := dl.Delivery(done, "t1", "held"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delivery: %v; want context.Canceled", err)
	}
	if err := firstErr(dl.Deliveries(done, "t1", store.DeliveryQuery{})); !errors.Is(err, context.Canceled) {
		t.Errorf("Deliveries: %v; want context.Canceled", err)
	}
	if _, err := dl.Checkpoint(done, "t1", "remind"); !errors.Is(err, context.Canceled) {
		t.Errorf("Checkpoint: %v; want context.Canceled", err)
	}
	if _, err := dl.SetCheckpoint(done, "t1", "remind", deliveryBase); !errors.Is(err, context.Canceled) {
		t.Errorf("SetCheckpoint: %v; want context.Canceled", err)
	}
	if _, err := dl.Delivery(ctx, "t1", "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the cancelled Claim stored the key: %v", err)
	}
	if d := mustDelivery(t, dl, "t1", "held"); d.State != store.DeliveryClaimed || d.LastError != "" {
		t.Errorf("the cancelled MarkSent or Release changed the delivery: %+v", d)
	}
	if at, err := dl.Checkpoint(ctx, "t1", "remind"); err != nil || !at.IsZero() {
		t.Errorf("the cancelled SetCheckpoint set %v, %v", at, err)
	}
}

// Deliveries yields in byte order of key what q selects: by prefix,
// state, after a cursor, up to a limit; the listing is lazy and may be
// iterated again, and sees the log as it is then.
func testDeliveryListing(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	keys := []string{"b/2", "a/1", "B/1", "a/10", "a/2", "a", "ab", "é"}
	claims := map[string]store.Claim{}
	for _, k := range keys {
		claims[k] = mustClaim(t, dl, "t1", k, time.Minute)
	}
	if err := dl.MarkSent(ctx, "t1", claims["a/10"]); err != nil {
		t.Fatal(err)
	}
	if err := dl.Release(ctx, "t1", claims["b/2"], "busy"); err != nil {
		t.Fatal(err)
	}
	list := func(q store.DeliveryQuery) string {
		var out []string
		for _, d := range collect(t, dl.Deliveries(ctx, "t1", q)) {
			out = append(out, d.Key)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		q    store.DeliveryQuery
		want string
	}{
		{store.DeliveryQuery{}, "B/1 a a/1 a/10 a/2 ab b/2 é"},
		{store.DeliveryQuery{Prefix: "a/"}, "a/1 a/10 a/2"},
		{store.DeliveryQuery{Prefix: "a"}, "a a/1 a/10 a/2 ab"},
		{store.DeliveryQuery{Prefix: "zz"}, ""},
		{store.DeliveryQuery{State: store.DeliverySent}, "a/10"},
		{store.DeliveryQuery{State: store.DeliveryReleased}, "b/2"},
		{store.DeliveryQuery{State: store.DeliveryClaimed, Prefix: "a/"}, "a/1 a/2"},
		{store.DeliveryQuery{After: "a/1"}, "a/10 a/2 ab b/2 é"},
		{store.DeliveryQuery{After: "a/1", Limit: 2}, "a/10 a/2"},
		{store.DeliveryQuery{Prefix: "a", After: "a/2"}, "ab"},
		{store.DeliveryQuery{Limit: 1}, "B/1"},
	} {
		if got := list(tc.q); got != tc.want {
			t.Errorf("Deliveries(%+v) = %q, want %q", tc.q, got, tc.want)
		}
	}
	seq := dl.Deliveries(ctx, "t1", store.DeliveryQuery{Prefix: "c"})
	mustClaim(t, dl, "t1", "c", time.Minute)
	if n := len(collect(t, seq)); n != 1 {
		t.Errorf("a listing made before the claim, iterated after: %d deliveries, want 1", n)
	}
	if n := len(collect(t, seq)); n != 1 {
		t.Errorf("the listing again: %d deliveries, want 1", n)
	}
	for d, err := range dl.Deliveries(ctx, "t1", store.DeliveryQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		if d.Key == "a/10" && (d.State != store.DeliverySent || d.SentAt.IsZero()) {
			t.Errorf("listed sent delivery: %+v", d)
		}
		if d.Key == "b/2" && (d.State != store.DeliveryReleased || d.LastError != "busy") {
			t.Errorf("listed released delivery: %+v", d)
		}
		break
	}
}

// A checkpoint is the zero time until set; it never moves back (an
// earlier time leaves it and returns the one in force); it is kept per
// job, in UTC to the microsecond.
func testCheckpoint(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	if at, err := dl.Checkpoint(ctx, "t1", "remind"); err != nil || !at.IsZero() {
		t.Fatalf("checkpoint never set = %v, %v", at, err)
	}
	later := time.Date(2026, 3, 2, 10, 0, 0, 1500, time.FixedZone("CET", 3600))
	want := later.UTC().Truncate(time.Microsecond)
	if at, err := dl.SetCheckpoint(ctx, "t1", "remind", later); err != nil || !at.Equal(want) || at.Location() != time.UTC {
		t.Fatalf("SetCheckpoint = %v, %v; want %v", at, err, want)
	}
	if at, err := dl.SetCheckpoint(ctx, "t1", "remind", later.Add(-time.Hour)); err != nil || !at.Equal(want) {
		t.Errorf("SetCheckpoint back an hour = %v, %v; want %v kept", at, err, want)
	}
	if at, err := dl.Checkpoint(ctx, "t1", "remind"); err != nil || !at.Equal(want) || at.Location() != time.UTC {
		t.Errorf("Checkpoint = %v, %v; want %v", at, err, want)
	}
	if at, err := dl.SetCheckpoint(ctx, "t1", "escalate", later.Add(-time.Hour)); err != nil || !at.Equal(want.Add(-time.Hour)) {
		t.Errorf("another job's checkpoint = %v, %v", at, err)
	}
	next := want.Add(24 * time.Hour)
	if at, err := dl.SetCheckpoint(ctx, "t1", "remind", next); err != nil || !at.Equal(next) {
		t.Errorf("SetCheckpoint on = %v, %v; want %v", at, err, next)
	}
	if at, err := dl.Checkpoint(ctx, "t1", "remind"); err != nil || !at.Equal(next) {
		t.Errorf("Checkpoint after moving on = %v, %v; want %v", at, err, next)
	}
	// Concurrent sets leave the latest.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := dl.SetCheckpoint(ctx, "t1", "race", deliveryBase.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if at, err := dl.Checkpoint(ctx, "t1", "race"); err != nil || !at.Equal(deliveryBase.Add(7*time.Hour)) {
		t.Errorf("after concurrent sets: %v, %v; want the latest", at, err)
	}
}

// 8 goroutines claim the same 1,000 keys, and mark each one they win
// sent: each key is won exactly once.
func testClaimConcurrency(t *testing.T, dl store.DeliveryLog, clock *Clock) {
	logs := make([]store.DeliveryLog, 8)
	for i := range logs {
		logs[i] = dl
	}
	ClaimRace(t, logs, "t1", 1000)
}

// ClaimRace has each of logs (stores on one database, or one store
// several times) claim, in its own goroutine, the same keys of tenant,
// and mark those it wins sent; it fails t unless each key was won exactly
// once and every key ends sent. It returns how many keys each log won.
func ClaimRace(t testing.TB, logs []store.DeliveryLog, tenant string, keys int) []int {
	t.Helper()
	won := make([][]string, len(logs))
	errs := make([]error, len(logs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w, dl := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < keys; i++ {
				// Every sender walks the keys in the same order, so that
				// all of them contend for every key at about one moment.
				key := fmt.Sprintf("race/%05d", i)
				c, ok, err := dl.Claim(ctx, tenant, key, time.Hour)
				if err != nil {
					errs[w] = fmt.Errorf("sender %d: Claim(%s): %w", w, key, err)
					return
				}
				if !ok {
					continue
				}
				if err := dl.MarkSent(ctx, tenant, c); err != nil {
					errs[w] = fmt.Errorf("sender %d: MarkSent(%s): %w", w, key, err)
					return
				}
				won[w] = append(won[w], key)
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return CheckWon(t, logs[0], tenant, keys, won)
}

// CheckWon fails t unless the keys race/00000 … that won lists (the keys
// each sender won) hold each of the keys exactly once, and dl has each
// sent after one claim. It returns how many keys each sender won.
func CheckWon(t testing.TB, dl store.DeliveryLog, tenant string, keys int, won [][]string) []int {
	t.Helper()
	count := map[string]int{}
	n := make([]int, len(won))
	for w, ks := range won {
		n[w] = len(ks)
		for _, k := range ks {
			count[k]++
		}
	}
	for i := 0; i < keys; i++ {
		key := fmt.Sprintf("race/%05d", i)
		if count[key] != 1 {
			t.Errorf("key %s won %d times, want once", key, count[key])
		}
	}
	if len(count) != keys {
		t.Errorf("%d keys won, want %d", len(count), keys)
	}
	sent := 0
	for d, err := range dl.Deliveries(ctx, tenant, store.DeliveryQuery{Prefix: "race/"}) {
		if err != nil {
			t.Fatal(err)
		}
		if d.State != store.DeliverySent || d.Attempts != 1 {
			t.Errorf("delivery %+v, want sent after one claim", d)
		}
		sent++
	}
	if sent != keys {
		t.Errorf("%d deliveries sent, want %d", sent, keys)
	}
	return n
}
