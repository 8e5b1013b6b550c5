package comms

import (
	"fmt"
	"strconv"
	"strings"
)

// Position is a place in a plan file: 1-based line and column. The zero
// Position means "unknown" (a plan built in Go has none).
type Position struct {
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// IsValid reports whether p names a place.
func (p Position) IsValid() bool { return p.Line > 0 }

func (p Position) String() string {
	if !p.IsValid() {
		return ""
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// Problem is one thing wrong with a plan.
type Problem struct {
	// Path locates the element, such as "activities[3].how[0]"; empty for
	// the document as a whole.
	Path string `json:"path,omitempty"`
	// Pos is where the element is in the file, when the plan came from one.
	Pos Position `json:"position,omitempty"`
	// Message says what is wrong, in words a plan's author understands.
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Pos.IsValid() {
		b.WriteString(p.Pos.String())
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// PlanError reports every problem found in a plan, not only the first. A
// product can show each Problem next to the field it concerns; Error gives
// a terminal-friendly listing, one problem a line, as file:line:col.
type PlanError struct {
	// File is the name of the plan file, if known.
	File     string
	Problems []Problem
}

func (e *PlanError) Error() string {
	var b strings.Builder
	prefix := func() {
		if e.File != "" {
			b.WriteString(e.File)
			b.WriteByte(':')
		}
	}
	if len(e.Problems) == 1 {
		prefix()
		if e.File != "" && !e.Problems[0].Pos.IsValid() {
			b.WriteByte(' ')
		}
		b.WriteString(e.Problems[0].String())
		return b.String()
	}
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		prefix()
		if e.File != "" && !p.Pos.IsValid() {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Source records where each element of a decoded plan is in its file, so
// that tools can point at lines: editors, SARIF viewers, a GRC product's
// own UI. A nil *Source knows no positions.
type Source struct {
	// File is the name the plan was read under.
	File string
	pos  map[string]Position
}

// Position returns where the element at path is. For a path the file does
// not spell out (a missing field), it returns the position of the nearest
// enclosing element that it does.
func (s *Source) Position(path string) Position {
	if s == nil {
		return Position{}
	}
	for {
		if p, ok := s.pos[path]; ok {
			return p
		}
		if path == "" {
			return Position{}
		}
		path = parentPath(path)
	}
}

// parentPath strips the last element from a path:
// "activities[3].how[0]" → "activities[3].how" → "activities[3]" →
// "activities" → "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}
