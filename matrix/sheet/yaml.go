package sheet

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ismscomms/ismscomms/internal/safetext"
)

// yaml writes the plan as a YAML file: the plan encoded as a node tree,
// with a comment at each inferred value (on its line) and above each
// activity with a problem. A comment whose field the plan leaves out (a
// time zone not given) goes above the plan.
func (b *builder) yaml() ([]byte, error) {
	var root yaml.Node
	if err := root.Encode(b.plan); err != nil {
		return nil, fmt.Errorf("encode the plan: %w", err)
	}
	doc := yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{&root}}
	// Short lists of IDs on one line.
	flow(&doc)
	head := []string{
		"Imported by ismscomms import from sheet " + strconv.Quote(safetext.Line(b.g.sheet)) + ".",
		"Every value marked \"inferred\" was not in the spreadsheet as such, and every",
		"\"to review\" is a cell that could not be read or a value to check: check them, then run",
		"ismscomms check on this file.",
	}
	paths := make([]string, 0, len(b.comments))
	for p := range b.comments {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		text := commentText(b.comments[p])
		key, val := find(&doc, p)
		switch {
		case p == "":
			head = append(head, text) // of the file, not of a field
		case val == nil:
			head = append(head, p+": "+text)
		case val.Kind == yaml.ScalarNode || val.Style == yaml.FlowStyle:
			val.LineComment = join(val.LineComment, text)
		default:
			key.LineComment = join(key.LineComment, text)
		}
	}
	heads := make([]string, 0, len(b.heads))
	for p := range b.heads {
		heads = append(heads, p)
	}
	sort.Strings(heads)
	for _, p := range heads {
		lines := b.heads[p]
		for i, l := range lines {
			lines[i] = oneLine(l)
		}
		_, val := find(&doc, p)
		if val == nil || p == "" {
			head = append(head, lines...)
			continue
		}
		val.HeadComment = join(val.HeadComment, strings.Join(lines, "\n"))
	}
	for i, l := range head {
		head[i] = oneLine(l)
	}
	doc.HeadComment = strings.Join(head, "\n")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode the plan: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode the plan: %w", err)
	}
	return buf.Bytes(), nil
}

// commentText joins the comments on one value, on one line.
func commentText(cs []string) string {
	return oneLine(strings.Join(cs, "; "))
}

// oneLine makes s fit a YAML comment: no line breaks, nothing a terminal
// would obey.
func oneLine(s string) string {
	return safetext.Line(strings.Join(strings.Fields(s), " "))
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// find returns the key and value nodes of path ("activities[3].what.topic")
// in doc, or nil when the plan has no such field.
func find(doc *yaml.Node, path string) (key, val *yaml.Node) {
	n := doc.Content[0]
	if path == "" {
		return nil, nil
	}
	for _, seg := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(seg, "[")
		if name != "" {
			key, n = mapGet(n, name)
			if n == nil {
				return nil, nil
			}
		}
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return nil, nil
			}
			key, n = nil, n.Content[i]
		}
	}
	return key, n
}

func mapGet(n *yaml.Node, name string) (key, val *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// flow writes sequences of scalars on one line ([a, b]).
func flow(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		scalars := true
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				scalars = false
			}
		}
		if scalars {
			n.Style = yaml.FlowStyle
		}
	}
	for _, c := range n.Content {
		flow(c)
	}
}
