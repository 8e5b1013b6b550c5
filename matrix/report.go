package matrix

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// TextOptions configures [Report.WriteText].
type TextOptions struct {
	// File is the plan file's name, shown before each position.
	File string
	// Color adds ANSI colours; set it only when writing to a terminal.
	Color bool
}

// WriteText writes the report for a terminal: one finding a line as
// file:line:col: severity RULE [clause] subject: message, its hint on the
// next line, and a summary. Control characters (ESC, BEL, CR, C1),
// bidirectional formatting characters, TAB and line breaks in any text,
// the file name included, are spelled out ("\x1b", "\u202e", "\n"), so
// that a plan cannot drive the terminal or forge a line of the report.
//
// It writes as it goes, a finding at a time through a buffer, so its
// memory does not grow with the report; on an error, what was written
// before it stays written.
func (r Report) WriteText(w io.Writer, o TextOptions) error {
	esc := safetext.Line
	bw := bufio.NewWriterSize(w, outputBuffer)
	file := esc(o.File)
	paint := func(b []byte, code, s string) []byte {
		if !o.Color {
			return append(b, s...)
		}
		return append(append(append(append(append(b, "\x1b["...), code...), 'm'), s...), "\x1b[0m"...)
	}
	colour := map[Severity]string{SeverityError: "1;31", SeverityWarning: "1;33", SeverityInfo: "1;34"}
	waived := 0
	var b []byte // one finding's lines, reused
	for _, f := range r.Findings {
		b = b[:0]
		if file != "" {
			b = append(b, file...)
			if f.Pos.IsValid() {
				b = append(b, ':')
			}
		}
		if f.Pos.IsValid() {
			b = strconv.AppendInt(b, int64(f.Pos.Line), 10)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(f.Pos.Column), 10)
		}
		if file != "" || f.Pos.IsValid() {
			b = append(b, ": "...)
		}
		sev := esc(string(f.Severity))
		if f.Waived {
			sev = "waived " + sev
			waived++
		}
		b = paint(b, colour[f.Severity], sev)
		b = append(b, ' ')
		b = paint(b, "1", esc(f.Rule))
		b = append(append(append(b, " ["...), esc(f.Clause)...), "] "...)
		if f.Subject.Kind == SubjectKindPlan {
			b = append(b, "plan"...)
		} else {
			b = append(append(append(b, esc(string(f.Subject.Kind))...), ' '), esc(f.Subject.ID)...)
		}
		b = append(append(append(b, ": "...), esc(f.Message)...), '\n')
		if f.Waived {
			b = append(append(append(b, "    waived: "...), esc(f.WaiverReason)...), '\n')
		} else if f.Hint != "" {
			b = append(append(append(b, "    hint: "...), esc(f.Hint)...), '\n')
		}
		if _, err := bw.Write(b); err != nil {
			return fmt.Errorf("matrix: write report: %w", err)
		}
	}
	fmt.Fprintf(bw, "%s: %s, %s, %s",
		esc(r.PlanID), plural(r.Count(SeverityError), "error"), plural(r.Count(SeverityWarning), "warning"), plural(r.Count(SeverityInfo), "note"))
	if waived > 0 {
		fmt.Fprintf(bw, " (%d waived)", waived)
	}
	bw.WriteString("\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("matrix: write report: %w", err)
	}
	return nil
}

// outputBuffer is the size of the buffer each writer writes through.
const outputBuffer = 64 << 10

// WriteJSON writes the report as indented JSON. Field names are stable.
// Texts are exact: a control or bidirectional formatting character is
// written as a \u escape ("\u202e"), which a JSON decoder turns back into
// the character, so the raw bytes hold nothing a terminal obeys. A program
// that shows these texts to people must escape them itself.
//
// It writes a finding at a time, so its memory does not grow with the
// report.
func (r Report) WriteJSON(w io.Writer) error {
	if err := r.writeJSON(w); err != nil {
		return fmt.Errorf("matrix: write report: %w", err)
	}
	return nil
}

func (r Report) writeJSON(w io.Writer) error {
	jw := newJSONWriter(w)
	jw.raw("{\n  \"plan_id\": ")
	jw.value(r.PlanID, "  ")
	jw.raw(",\n  \"at\": ")
	jw.value(r.At, "  ")
	jw.raw(",\n  \"findings\": ")
	jw.list(len(r.Findings), "  ", func(i int) any { return r.Findings[i] })
	jw.raw("\n}\n")
	return jw.flush()
}

// jsonWriter writes indented JSON a value at a time, as a json.Encoder
// with SetIndent("", "  ") writes the whole document, with every unsafe
// character of its strings as a \u escape (safetext.JSON). It remembers
// the first error and then writes nothing more.
type jsonWriter struct {
	bw  *bufio.Writer
	buf bytes.Buffer
	// encoders, by indentation prefix: an Encoder reuses its buffers from
	// one value to the next.
	encoders map[string]*json.Encoder
	err      error
}

func newJSONWriter(w io.Writer) *jsonWriter {
	return &jsonWriter{bw: bufio.NewWriterSize(w, outputBuffer), encoders: map[string]*json.Encoder{}}
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.bw.WriteString(s)
	}
}

// value writes v as indented JSON whose lines after the first begin with
// prefix (the indentation of the place it goes).
func (j *jsonWriter) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	enc, ok := j.encoders[prefix]
	if !ok {
		enc = json.NewEncoder(&j.buf)
		enc.SetIndent(prefix, "  ")
		j.encoders[prefix] = enc
	}
	j.buf.Reset()
	if j.err = enc.Encode(v); j.err != nil {
		return
	}
	out := bytes.TrimSuffix(j.buf.Bytes(), []byte("\n"))
	_, j.err = j.bw.Write(safetext.JSON(out))
}

// list writes a JSON array of n values, item(i) giving each, at the
// indentation prefix: "[]" when empty.
func (j *jsonWriter) list(n int, prefix string, item func(i int) any) {
	if n == 0 {
		j.raw("[]")
		return
	}
	j.raw("[")
	for i := range n {
		if i > 0 {
			j.raw(",")
		}
		j.raw("\n" + prefix + "  ")
		j.value(item(i), prefix+"  ")
		if j.err != nil {
			return
		}
	}
	j.raw("\n" + prefix + "]")
}

func (j *jsonWriter) flush() error {
	if j.err != nil {
		return j.err
	}
	return j.bw.Flush()
}

// SARIFOptions configures [Report.WriteSARIF].
type SARIFOptions struct {
	// URI is the plan file, relative to the repository root, as code
	// scanning tools expect ("plans/isms.yaml").
	URI string
	// ToolVersion is the version of the tool that ran the checks.
	ToolVersion string
	// Rules describes the rules the findings name; nil means the built-in
	// rules plus any the findings name that are not built in.
	Rules []CheckInfo
}

// WriteSARIF writes the report as a SARIF 2.1.0 log, so that CI systems and
// code-scanning UIs show each finding on the plan file's line. Waived
// findings carry an external suppression with the waiver's reason.
//
// Code-scanning UIs show SARIF texts to people as they are, and a
// bidirectional override (U+202E) in a message would reorder what a
// reviewer reads there. So, unlike [Report.WriteJSON], WriteSARIF spells
// out control and bidirectional formatting characters ("\u202e", as
// [Report.WriteText] does) in every text it writes: messages, waiver
// reasons, paths, rule descriptions and the URI. The exact text is in the
// plan file at the location each result gives.
//
// It writes a result at a time, so its memory does not grow with the
// report.
func (r Report) WriteSARIF(w io.Writer, o SARIFOptions) error {
	descriptors, index := sarifDescriptors(r.sarifRules(o))
	tool := sarifTool{Driver: sarifDriver{
		Name:           "ismscomms",
		Version:        safetext.Escape(o.ToolVersion),
		InformationURI: "https://pkg.go.dev/github.com/ismscomms/ismscomms",
		Rules:          descriptors,
	}}
	results := &sarifResults{findings: r.Findings, index: index, uri: safetext.Escape(o.URI)}
	jw := newJSONWriter(w)
	jw.raw("{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": ")
	jw.value(tool, "      ")
	jw.raw(",\n      \"results\": ")
	jw.list(len(r.Findings), "      ", results.result)
	jw.raw("\n    }\n  ]\n}\n")
	if err := jw.flush(); err != nil {
		return fmt.Errorf("matrix: write SARIF: %w", err)
	}
	return nil
}

// sarifRules returns the rules a SARIF log of r describes: o.Rules, or
// when it is nil the built-in rules plus any the findings name that are
// not built in.
func (r Report) sarifRules(o SARIFOptions) []CheckInfo {
	if o.Rules != nil {
		return o.Rules
	}
	rules := Checks()
	known := map[string]bool{}
	for _, ri := range rules {
		known[ri.ID] = true
	}
	for _, f := range r.Findings {
		if !known[f.Rule] {
			known[f.Rule] = true
			rules = append(rules, CheckInfo{ID: f.Rule, Severity: f.Severity, Clause: f.Clause, Title: f.Rule})
		}
	}
	return rules
}

// sarifDescriptors returns the SARIF descriptors of rules, their texts
// escaped, and the index of each (escaped) rule ID among them.
func sarifDescriptors(rules []CheckInfo) ([]sarifRule, map[string]int) {
	esc := safetext.Escape
	index := map[string]int{}
	descriptors := make([]sarifRule, len(rules))
	for i, ri := range rules {
		ri = CheckInfo{ID: esc(ri.ID), Severity: ri.Severity, Clause: esc(ri.Clause), Title: esc(ri.Title), Doc: esc(ri.Doc)}
		index[ri.ID] = i
		descriptors[i] = sarifRule{
			ID:               ri.ID,
			Name:             ruleName(ri.ID),
			ShortDescription: sarifText{Text: ri.Title},
			FullDescription:  sarifText{Text: strings.TrimSpace(ri.Doc + " (ISO/IEC 27001:2022 " + ri.Clause + ")")},
			HelpURI:          "https://github.com/ismscomms/ismscomms/blob/main/docs/rules.md#" + strings.ToLower(ri.ID),
			Default:          sarifConfig{Level: sarifLevel(ri.Severity)},
			Properties:       sarifRuleProperties{Clause: ri.Clause, Tags: []string{"iso27001", "clause-7.4"}},
		}
	}
	return descriptors, index
}

// sarifResults turns findings into SARIF results one at a time, reusing
// one result: its fields are set for each finding in turn.
type sarifResults struct {
	findings []Finding
	index    map[string]int // of each escaped rule ID among the descriptors
	uri      string         // escaped; "" for results without a location

	res         sarifResult
	loc         sarifLocation
	logical     [1]sarifLogical
	region      sarifRegion
	suppression [1]sarifSuppression
}

// result returns the SARIF result of the i-th finding, valid until the
// next call.
func (s *sarifResults) result(i int) any {
	esc := safetext.Escape
	f := s.findings[i]
	rule := esc(f.Rule)
	s.res = sarifResult{
		RuleID:    rule,
		RuleIndex: s.index[rule],
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: esc(f.Message) + " " + esc(f.Hint)},
		Properties: &sarifResultProperties{
			Clause:  esc(f.Clause),
			Path:    esc(f.Path),
			Subject: esc(f.Subject.String()),
		},
	}
	if s.uri != "" {
		s.loc = sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: s.uri}}}
		if f.Pos.IsValid() {
			s.region = sarifRegion{StartLine: f.Pos.Line, StartColumn: f.Pos.Column}
			s.loc.Physical.Region = &s.region
		}
		if f.Path != "" {
			s.logical[0] = sarifLogical{FullyQualifiedName: esc(f.Path), Kind: esc(string(f.Subject.Kind))}
			s.loc.Logical = s.logical[:]
		}
		s.res.Locations = []sarifLocation{s.loc}
	}
	if f.Waived {
		s.suppression[0] = sarifSuppression{Kind: "external", Status: "accepted", Justification: esc(f.WaiverReason)}
		s.res.Suppressions = s.suppression[:]
	}
	return &s.res
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// ruleName turns "CMX-DEAD-RULE" into "CmxDeadRule", SARIF's style for
// rule names.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
	}
	return b.String()
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	ShortDescription sarifText           `json:"shortDescription"`
	FullDescription  sarifText           `json:"fullDescription"`
	HelpURI          string              `json:"helpUri"`
	Default          sarifConfig         `json:"defaultConfiguration"`
	Properties       sarifRuleProperties `json:"properties"`
}

type sarifRuleProperties struct {
	Clause string   `json:"clause"`
	Tags   []string `json:"tags"`
}

// sarifResultProperties are a result's properties, in the order of their
// names (as a map of them was written).
type sarifResultProperties struct {
	Clause  string `json:"clause"`
	Path    string `json:"path"`
	Subject string `json:"subject"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string                 `json:"ruleId"`
	RuleIndex    int                    `json:"ruleIndex"`
	Level        string                 `json:"level"`
	Message      sarifText              `json:"message"`
	Locations    []sarifLocation        `json:"locations,omitempty"`
	Suppressions []sarifSuppression     `json:"suppressions,omitempty"`
	Properties   *sarifResultProperties `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical  `json:"physicalLocation"`
	Logical  []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}
