package comms

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// DigestPrefix starts every [MessageVersion] digest: the algorithm.
const DigestPrefix = "sha256:"

// Digest returns the digest of a message's content as a [MessageVersion]
// holds it: "sha256:" and the SHA-256 of content in lower-case hex. Hash
// the document people acknowledge (the policy's PDF, the notice's text),
// byte for byte as it is published.
func Digest(content []byte) string {
	sum := sha256.Sum256(content)
	return DigestPrefix + hex.EncodeToString(sum[:])
}

// validDigest reports whether s is "sha256:" and 64 lower-case hex digits.
func validDigest(s string) bool {
	h, ok := strings.CutPrefix(s, DigestPrefix)
	if !ok || len(h) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
