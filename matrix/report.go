package matrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// mapText returns a copy of r with f applied to every text its findings
// hold: the one place each writer passes them through.
func (r Report) mapText(f func(string) string) Report {
	out := Report{PlanID: f(r.PlanID), At: r.At, Findings: make([]Finding, len(r.Findings))}
	for i, x := range r.Findings {
		x.Rule, x.Severity, x.Clause = f(x.Rule), Severity(f(string(x.Severity))), f(x.Clause)
		x.Subject = Subject{Kind: SubjectKind(f(string(x.Subject.Kind))), ID: f(x.Subject.ID), Path: f(x.Subject.Path)}
		x.Path, x.Message, x.Hint, x.WaiverReason = f(x.Path), f(x.Message), f(x.Hint), f(x.WaiverReason)
		out.Findings[i] = x
	}
	return out
}

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
func (r Report) WriteText(w io.Writer, o TextOptions) error {
	r, o.File = r.mapText(safetext.Line), safetext.Line(o.File)
	var b strings.Builder
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	colour := map[Severity]string{SeverityError: "1;31", SeverityWarning: "1;33", SeverityInfo: "1;34"}
	waived := 0
	for _, f := range r.Findings {
		var loc []string
		if o.File != "" {
			loc = append(loc, o.File)
		}
		if f.Pos.IsValid() {
			loc = append(loc, f.Pos.String())
		}
		if len(loc) > 0 {
			b.WriteString(strings.Join(loc, ":") + ": ")
		}
		sev := string(f.Severity)
		if f.Waived {
			sev = "waived " + sev
			waived++
		}
		b.WriteString(paint(colour[f.Severity], sev))
		fmt.Fprintf(&b, " %s [%s] %s: %s\n", paint("1", f.Rule), f.Clause, f.Subject, f.Message)
		if f.Waived {
			fmt.Fprintf(&b, "    waived: %s\n", f.WaiverReason)
		} else if f.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", f.Hint)
		}
	}
	fmt.Fprintf(&b, "%s: %s, %s, %s",
		r.PlanID, plural(r.Count(SeverityError), "error"), plural(r.Count(SeverityWarning), "warning"), plural(r.Count(SeverityInfo), "note"))
	if waived > 0 {
		fmt.Fprintf(&b, " (%d waived)", waived)
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("matrix: write report: %w", err)
	}
	return nil
}

// WriteJSON writes the report as indented JSON. Field names are stable.
// Texts are exact: a control or bidirectional formatting character is
// written as a \u escape ("\u202e"), which a JSON decoder turns back into
// the character, so the raw bytes hold nothing a terminal obeys. A program
// that shows these texts to people must escape them itself.
func (r Report) WriteJSON(w io.Writer) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if err := writeJSON(w, r); err != nil {
		return fmt.Errorf("matrix: write report: %w", err)
	}
	return nil
}

// writeJSON writes v as indented JSON with every unsafe character of its
// strings as a \u escape.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(safetext.JSON(buf.Bytes()))
	return err
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
func (r Report) WriteSARIF(w io.Writer, o SARIFOptions) error {
	r, o.URI, o.ToolVersion = r.mapText(safetext.Escape), safetext.Escape(o.URI), safetext.Escape(o.ToolVersion)
	rules := o.Rules
	if rules == nil {
		rules = Checks()
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
	}
	index := map[string]int{}
	descriptors := make([]sarifRule, len(rules))
	for i, ri := range rules {
		ri = CheckInfo{ID: safetext.Escape(ri.ID), Severity: ri.Severity, Clause: safetext.Escape(ri.Clause),
			Title: safetext.Escape(ri.Title), Doc: safetext.Escape(ri.Doc)}
		index[ri.ID] = i
		descriptors[i] = sarifRule{
			ID:               ri.ID,
			Name:             ruleName(ri.ID),
			ShortDescription: sarifText{Text: ri.Title},
			FullDescription:  sarifText{Text: strings.TrimSpace(ri.Doc + " (ISO/IEC 27001:2022 " + ri.Clause + ")")},
			HelpURI:          "https://github.com/ismscomms/ismscomms/blob/main/docs/rules.md#" + strings.ToLower(ri.ID),
			Default:          sarifConfig{Level: sarifLevel(ri.Severity)},
			Properties:       map[string]any{"clause": ri.Clause, "tags": []string{"iso27001", "clause-7.4"}},
		}
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message + " " + f.Hint},
			Properties: map[string]any{
				"clause":  f.Clause,
				"subject": f.Subject.String(),
				"path":    f.Path,
			},
		}
		if o.URI != "" {
			loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: o.URI}}}
			if f.Pos.IsValid() {
				loc.Physical.Region = &sarifRegion{StartLine: f.Pos.Line, StartColumn: f.Pos.Column}
			}
			loc.Logical = []sarifLogical{{FullyQualifiedName: f.Path, Kind: string(f.Subject.Kind)}}
			if f.Path == "" {
				loc.Logical = nil
			}
			res.Locations = []sarifLocation{loc}
		}
		if f.Waived {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: f.WaiverReason}}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           "ismscomms",
				Version:        o.ToolVersion,
				InformationURI: "https://pkg.go.dev/github.com/ismscomms/ismscomms",
				Rules:          descriptors,
			}},
			Results: results,
		}},
	}
	if err := writeJSON(w, log); err != nil {
		return fmt.Errorf("matrix: write SARIF: %w", err)
	}
	return nil
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

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
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
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	HelpURI          string         `json:"helpUri"`
	Default          sarifConfig    `json:"defaultConfiguration"`
	Properties       map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations,omitempty"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   map[string]any     `json:"properties,omitempty"`
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
