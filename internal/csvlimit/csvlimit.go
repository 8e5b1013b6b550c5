// Package csvlimit bounds what encoding/csv is asked to read. The
// standard reader keeps an index and a position for every field of a
// record before it returns the record, so a single line of 60 million
// commas costs gigabytes before the caller can refuse it; Check finds
// such a record first, in one pass over the bytes and without allocating.
package csvlimit

import "fmt"

// MaxFields is the most fields a record of the files ismscomms reads
// (rosters, acknowledgements) may have: an HR export with every column it
// has fits, a line of commas does not.
const MaxFields = 1024

// Error is a record with too many fields.
type Error struct {
	// Line is the line the record starts on, from 1.
	Line int
	// Max is the most fields a record may have.
	Max int
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d: more than %d fields in one record", e.Line, e.Max)
}

// Check reports the first record of data (CSV with the delimiter comma,
// quotes as RFC 4180 and encoding/csv read them) that has more than max
// fields, as an *Error naming its line; nil if there is none.
func Check(data []byte, comma byte, max int) error {
	line, start, fields := 1, 1, 1
	quoted, atFieldStart := false, true
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case quoted:
			switch c {
			case '"':
				if i+1 < len(data) && data[i+1] == '"' {
					i++ // an escaped quote
				} else {
					quoted = false
				}
			case '\n':
				line++
			}
		case c == '"' && atFieldStart:
			quoted, atFieldStart = true, false
		case c == comma:
			fields++
			atFieldStart = true
			if fields > max {
				return &Error{Line: start, Max: max}
			}
		case c == '\n':
			line++
			start, fields, atFieldStart = line, 1, true
		default:
			atFieldStart = false
		}
	}
	return nil
}
