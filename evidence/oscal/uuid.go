package oscal

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// NS is the namespace URI of the props this package writes (OSCAL's
// "ns" flag: props outside NIST's own names name the party that defines
// them), and the name from which [Namespace] is made.
const NS = "https://github.com/ismscomms/ismscomms/ns/oscal"

// Namespace is the namespace UUID of every UUID this package writes: the
// version 5 UUID of [NS] in the URL namespace of RFC 9562, Appendix A
// (6ba7b811-9dad-11d1-80b4-00c04fd430c8). It never changes: the UUIDs of
// an object in exports made by different releases stay the same.
const Namespace = "0d630eff-8ffc-571c-b441-e6a3602085ea"

// urlNamespace is RFC 9562's NameSpace_URL.
const urlNamespace = "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

// uuidV5 returns the version 5 (SHA-1, name-based) UUID of name in the
// namespace ns, as RFC 9562 §5.5 makes it: SHA-1 over the namespace's 16
// bytes and the name, the first 16 bytes of the digest, version 5 in the
// high nibble of byte 6 and the variant 10 in the high bits of byte 8.
func uuidV5(ns, name string) string {
	nsb, err := parseUUID(ns)
	if err != nil {
		panic(err) // ns is one of the constants above
	}
	h := sha1.New()
	h.Write(nsb[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("oscal: %q is not a UUID", s)
	}
	b, err := hex.DecodeString(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:])
	if err != nil {
		return u, fmt.Errorf("oscal: %q is not a UUID: %w", s, err)
	}
	copy(u[:], b)
	return u, nil
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// objectUUID is the UUID of one object of an export: the version 5 UUID,
// in [Namespace], of the JSON array of kind and parts (a JSON array, so
// that no two lists of parts make the same name, whatever they hold).
func objectUUID(kind string, parts ...string) string {
	name, _ := json.Marshal(append([]string{kind}, parts...)) // strings always marshal
	return uuidV5(Namespace, string(name))
}
