package oscal

import "testing"

// RFC 9562 Appendix A.4: the version 5 UUID of "www.example.com" in the
// DNS namespace; and Namespace is what its documentation says it is.
func TestUUIDv5(t *testing.T) {
	if got, want := uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2"; got != want {
		t.Errorf("uuidV5 = %s, want %s (RFC 9562 A.4)", got, want)
	}
	if got := uuidV5(urlNamespace, NS); got != Namespace {
		t.Errorf("the v5 UUID of NS in the URL namespace is %s, Namespace says %s", got, Namespace)
	}
	if objectUUID("record", "a", "b") == objectUUID("record", "a\"", "b") || objectUUID("x", "a,b") == objectUUID("x", "a", "b") {
		t.Error("different parts make the same UUID")
	}
}
