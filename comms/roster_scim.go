package comms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// GroupMapping maps the groups of an identity provider (or of an HR
// export) to the plan's stakeholder groups. Its file is YAML:
//
//	groups:
//	  Engineering: [employees]
//	  "All Staff": [employees]
//	  Contractors: [contractors, suppliers]
//
// A group is matched by its name (SCIM's groups[].display) or, failing
// that, its ID (groups[].value), exactly. Read one with
// [DecodeGroupMapping].
type GroupMapping struct {
	// Groups maps a group's name or ID to the stakeholder IDs its members
	// belong to.
	Groups map[string][]string `yaml:"groups" json:"groups"`
	pos    map[string]Position // by path, for a mapping from a file
}

// MaxGroupMappingSize is the largest group mapping file
// [DecodeGroupMapping] reads: 1 MiB.
const MaxGroupMappingSize = 1 << 20

// DecodeGroupMapping reads a group mapping in YAML (JSON is YAML too) and
// checks it: one key, groups, mapping each group to a list of stakeholder
// IDs; with p, each must be one of p's stakeholders. Every problem is
// reported at once in a *[RosterError], with its line and column and a
// path such as groups["Engineering"][0]. name names the input in errors.
func DecodeGroupMapping(r io.Reader, name string, p *Plan) (GroupMapping, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxGroupMappingSize+1)); err != nil {
		return GroupMapping{}, fmt.Errorf("comms: read group mapping %s: %w", name, err)
	}
	fail := func(pos Position, format string, args ...any) (GroupMapping, error) {
		return GroupMapping{}, &RosterError{File: name, Problems: []Problem{{Pos: pos, Message: fmt.Sprintf(format, args...)}}}
	}
	data := bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf"))
	if len(data) > MaxGroupMappingSize {
		return fail(Position{}, "the group mapping is larger than %d bytes", MaxGroupMappingSize)
	}
	if !utf8.Valid(data) {
		return fail(offsetPosition(data, invalidUTF8(data)), "the byte 0x%02x is not UTF-8", data[invalidUTF8(data)])
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fail(Position{}, "YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	m := GroupMapping{Groups: map[string][]string{}, pos: map[string]Position{}}
	var probs problems
	add := func(n *yaml.Node, path, format string, args ...any) {
		if !probs.room() {
			probs.more++
			return
		}
		probs.add(Problem{Pos: Position{Line: n.Line, Column: n.Column}, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return fail(Position{Line: root.Line, Column: root.Column}, "a group mapping is a mapping with one key, groups (groups: {Engineering: [employees]})")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "groups" || k.Kind != yaml.ScalarNode {
			add(k, "", "unknown key %s: a group mapping has one key, groups", quoteValue(k.Value))
			continue
		}
		if v.Kind != yaml.MappingNode {
			add(v, "groups", "groups maps each group to a list of stakeholder IDs ({Engineering: [employees]})")
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			g, ids := v.Content[j], v.Content[j+1]
			path := "groups[" + strconv.Quote(g.Value) + "]"
			switch {
			case g.Kind != yaml.ScalarNode:
				add(g, "groups", "a group is named by a string")
				continue
			case textProblem(g.Value) != "":
				add(g, path, "%s", textProblem(g.Value))
				continue
			case g.Value == "":
				add(g, path, "a group needs a name")
				continue
			}
			if _, dup := m.Groups[g.Value]; dup {
				add(g, path, "group %s is mapped twice", quoteValue(g.Value))
				continue
			}
			m.pos[path] = Position{Line: g.Line, Column: g.Column}
			if ids.Kind != yaml.SequenceNode {
				add(ids, path, "map the group to a list of stakeholder IDs ([employees])")
				continue
			}
			list := make([]string, 0, len(ids.Content))
			for n, id := range ids.Content {
				ipath := idx(path, n)
				if id.Kind != yaml.ScalarNode || id.Tag != "!!str" {
					add(id, ipath, "a stakeholder ID is a string")
					continue
				}
				m.pos[ipath] = Position{Line: id.Line, Column: id.Column}
				list = append(list, id.Value)
			}
			m.Groups[g.Value] = list
		}
	}
	var vp problems
	m.check(&vp, p)
	for _, prob := range vp.list {
		prob.Pos = m.pos[prob.Path]
		probs.add(prob)
	}
	probs.more += vp.more
	if len(probs.list) > 0 || probs.more > 0 {
		return m, &RosterError{File: name, Problems: probs.sorted()}
	}
	return m, nil
}

// Validate checks that every stakeholder ID of the mapping is an ID,
// listed once per group, and, with p, one of p's stakeholders: a
// *[RosterError] if not.
func (m GroupMapping) Validate(p *Plan) error {
	var probs problems
	m.check(&probs, p)
	if len(probs.list) == 0 && probs.more == 0 {
		return nil
	}
	return &RosterError{Problems: probs.sorted()}
}

func (m GroupMapping) check(probs *problems, p *Plan) {
	var declared map[string]bool
	if p != nil {
		declared = map[string]bool{}
		for _, s := range p.Stakeholders {
			declared[s.ID] = true
		}
	}
	names := make([]string, 0, len(m.Groups))
	for g := range m.Groups {
		names = append(names, g)
	}
	slices.Sort(names) // problems in a stable order
	for _, g := range names {
		path := "groups[" + strconv.Quote(g) + "]"
		ids := m.Groups[g]
		for n, id := range ids {
			var msg string
			switch {
			case !validID(id):
				msg = fmt.Sprintf("%s is not a stakeholder id", quoteValue(id))
			case declared != nil && !declared[id]:
				msg = fmt.Sprintf("stakeholder %s is not declared in the plan's stakeholders", quoteValue(id))
			case indexOf(ids[:n], id) >= 0:
				msg = fmt.Sprintf("stakeholder %s is listed twice", quoteValue(id))
			default:
				continue
			}
			probs.add(Problem{Path: idx(path, n), Message: msg})
		}
	}
}

// invalidUTF8 returns the offset of the first byte of data that is not
// UTF-8.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// SCIM 2.0 (RFC 7643, RFC 7644) as DecodeRosterSCIM reads it.
const (
	scimListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimUserSchema   = "urn:ietf:params:scim:schemas:core:2.0:User"
)

type scimList struct {
	Schemas      []string          `json:"schemas"`
	TotalResults *int              `json:"totalResults"`
	StartIndex   *int              `json:"startIndex"`
	Resources    []json.RawMessage `json:"Resources"`
}

type scimUser struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	UserName    string   `json:"userName"`
	DisplayName string   `json:"displayName"`
	Name        *struct {
		Formatted  string `json:"formatted"`
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Groups []struct {
		Value   string `json:"value"`
		Display string `json:"display"`
	} `json:"groups"`
	Active *bool `json:"active"`
}

// DecodeRosterSCIM reads a roster from a SCIM 2.0 ListResponse of Users
// (RFC 7644 §3.4.2, the form identity providers export: {"schemas":
// ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults":
// n, "Resources": [...]}), mapping each user's groups to stakeholders by
// o.Groups, which it needs. It reads at most [MaxRosterSize] bytes, in time
// linear in their size.
//
// A user becomes a person: ID from id; Name from name.formatted, else
// displayName, else name.givenName and name.familyName, else userName;
// Email from the primary of emails[] (else the one of type work, else the
// first). Groups are matched by display, then value. A user with active
// false is left out, and so is a user in no mapped group: a roster keeps
// only the people the plan communicates with (data minimisation).
// Attribute names match ignoring case, as RFC 7643 §2.1 has them; other
// attributes (meta, extensions) are ignored.
//
// A response that holds fewer Resources than its totalResults is one page
// of a paged listing, and is refused: a roster missing people would
// report them as not due. Every problem is reported at once in a
// *[RosterError], located by JSON path (Resources[3].emails[0].value), and
// by line and column for a syntax error.
func DecodeRosterSCIM(r io.Reader, o *RosterOptions) (Roster, error) {
	var opt RosterOptions
	if o != nil {
		opt = *o
	}
	data, err := readRoster(r, opt.Name)
	if err != nil {
		return Roster{}, err
	}
	var probs problems
	add := func(pos Position, path, format string, args ...any) {
		if !probs.room() {
			probs.more++
			return
		}
		probs.add(Problem{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	done := func(ro Roster) (Roster, error) {
		if len(probs.list) == 0 && probs.more == 0 {
			return ro, nil
		}
		return ro, &RosterError{File: opt.Name, Problems: probs.sorted()}
	}
	ro := Roster{ID: o.rosterID()}
	if opt.Groups == nil {
		add(Position{}, "", "a SCIM roster needs a group mapping (RosterOptions.Groups) to know which groups are which stakeholders")
		return done(ro)
	}
	if opt.Plan != nil {
		var mp problems
		opt.Groups.check(&mp, opt.Plan)
		for _, p := range mp.list {
			add(opt.Groups.pos[p.Path], "groups mapping: "+p.Path, "%s", p.Message)
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		at := invalidUTF8(data)
		add(offsetPosition(data, at), "", "the byte 0x%02x is not UTF-8", data[at])
		return done(ro)
	}
	var list scimList
	if err := json.Unmarshal(data, &list); err != nil {
		add(jsonErrorPosition(data, err), jsonErrorPath(err), "%s", jsonErrorText(err))
		return done(ro)
	}
	if !slices.Contains(list.Schemas, scimListResponse) {
		add(Position{}, "schemas", "not a SCIM ListResponse: schemas must hold %q", scimListResponse)
	}
	if list.TotalResults != nil && *list.TotalResults < 0 {
		add(Position{}, "totalResults", "%d is not a number of users", *list.TotalResults)
	} else if list.TotalResults != nil && *list.TotalResults > len(list.Resources) {
		add(Position{}, "totalResults", "the response holds %d of %d users: it is one page of a paged listing; export every user in one response (count=%d) so that no one is missing", len(list.Resources), *list.TotalResults, *list.TotalResults)
	}
	type source struct {
		i     int
		name  string
		email string
	}
	var sources []source
	for i, raw := range list.Resources {
		path := idx("Resources", i)
		var u scimUser
		if err := json.Unmarshal(raw, &u); err != nil {
			add(Position{}, joinJSONPath(path, jsonErrorPath(err)), "%s", jsonErrorText(err))
			continue
		}
		if len(u.Schemas) > 0 && !slices.Contains(u.Schemas, scimUserSchema) {
			add(Position{}, path+".schemas", "not a User: schemas must hold %q", scimUserSchema)
			continue
		}
		if u.Active != nil && !*u.Active {
			continue
		}
		p := Person{ID: u.ID}
		src := source{i: i}
		switch {
		case u.Name != nil && strings.TrimSpace(u.Name.Formatted) != "":
			p.Name, src.name = strings.TrimSpace(u.Name.Formatted), path+".name.formatted"
		case strings.TrimSpace(u.DisplayName) != "":
			p.Name, src.name = strings.TrimSpace(u.DisplayName), path+".displayName"
		case u.Name != nil && strings.TrimSpace(u.Name.GivenName+" "+u.Name.FamilyName) != "":
			p.Name, src.name = strings.TrimSpace(u.Name.GivenName+" "+u.Name.FamilyName), path+".name"
		default:
			p.Name, src.name = strings.TrimSpace(u.UserName), path+".userName"
		}
		primary, work := -1, -1
		for j, e := range u.Emails {
			switch {
			case e.Primary && primary >= 0:
				add(Position{}, idx(path+".emails", j)+".primary", "a second primary e-mail address (the first is emails[%d])", primary)
			case e.Primary:
				primary = j
			case work < 0 && strings.EqualFold(e.Type, "work"):
				work = j
			}
		}
		if pick := cmpOr(primary, work, min(0, len(u.Emails)-1)); pick >= 0 {
			p.Email, src.email = strings.TrimSpace(u.Emails[pick].Value), idx(path+".emails", pick)+".value"
		}
		for _, g := range u.Groups {
			ids, ok := opt.Groups.Groups[g.Display]
			if !ok || g.Display == "" {
				ids, ok = opt.Groups.Groups[g.Value]
			}
			if !ok {
				continue
			}
			for _, id := range ids {
				if indexOf(p.Stakeholders, id) < 0 {
					p.Stakeholders = append(p.Stakeholders, id)
				}
			}
		}
		if len(p.Stakeholders) == 0 {
			continue // in no group the plan communicates with
		}
		ro.People = append(ro.People, p)
		sources = append(sources, src)
	}
	var vp problems
	ro.check(&vp, nil) // the stakeholders come from the mapping, checked above
	for _, prob := range vp.list {
		k, field, ok := personPath(prob.Path)
		if ok && k < len(sources) {
			s := sources[k]
			switch field {
			case "id":
				prob.Path = idx("Resources", s.i) + ".id"
			case "name":
				prob.Path = s.name
			case "email":
				prob.Path = s.email
			default:
				prob.Path = idx("Resources", s.i) + ".groups"
			}
		} else if prob.Path == "id" {
			prob.Path = "roster id"
		}
		add(Position{}, prob.Path, "%s", prob.Message)
	}
	probs.more += vp.more
	return done(ro)
}

// cmpOr returns the first of vs that is not negative, or -1.
func cmpOr(vs ...int) int {
	for _, v := range vs {
		if v >= 0 {
			return v
		}
	}
	return -1
}

// jsonErrorPosition is the line and column of a JSON syntax or type
// error, where encoding/json gives its offset.
func jsonErrorPosition(data []byte, err error) Position {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return offsetPosition(data, int(max(se.Offset-1, 0)))
	case errors.As(err, &te):
		return offsetPosition(data, int(max(te.Offset-1, 0)))
	}
	return Position{}
}

// jsonErrorPath is the JSON path of a type error ("Resources[0]" is not
// known to encoding/json; its Field is "emails.value").
func jsonErrorPath(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	return ""
}

func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("a JSON %s where a %s belongs", te.Value, jsonKind(te.Type.Kind().String()))
	}
	return "JSON: " + err.Error()
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	case "int", "int64":
		return "whole number"
	case "bool":
		return "boolean"
	}
	return k
}

func joinJSONPath(base, field string) string {
	if field == "" {
		return base
	}
	return base + "." + field
}
