package safetext

import "unicode/utf8"

// JSON returns b, a JSON text as encoding/json writes it, with every
// [Unsafe] character in its strings written as a \u escape ("\u202e",
// "\u009b", "\u007f"), and any byte that is not valid UTF-8 as "\ufffd"
// (as encoding/json itself does). A JSON decoder reads the same values;
// a terminal or a viewer of the raw bytes has nothing to obey.
//
// encoding/json already escapes the C0 controls and U+2028 and U+2029,
// but writes DEL, the C1 controls and the bidirectional formatting
// characters as they are. Outside strings a JSON text is ASCII with no
// controls but TAB, LF and CR, which pass through, so the rewrite can only
// touch string contents. b is returned as it is, without allocating, when
// it holds nothing to escape.
func JSON(b []byte) []byte {
	i := jsonIndex(b)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf && c != 0x7f {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, `\ufffd`...)
		case Unsafe(r):
			out = append(out, '\\', 'u', hexDigit(r>>12), hexDigit(r>>8), hexDigit(r>>4), hexDigit(r))
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// jsonIndex returns the index of the first byte of b that JSON rewrites,
// or -1.
func jsonIndex(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 || Unsafe(r) {
			return i
		}
		i += size
	}
	return -1
}

func hexDigit(r rune) byte { return "0123456789abcdef"[r&0xf] }
