package comms

import (
	"encoding/json"
	"reflect"
	"strings"
)

// SchemaURL is where the plan file's JSON Schema is published. Plan files
// can point editors at it:
//
//	# yaml-language-server: $schema=https://raw.githubusercontent.com/ismscomms/ismscomms/main/docs/plan.schema.json
const SchemaURL = "https://raw.githubusercontent.com/ismscomms/ismscomms/main/docs/plan.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of a plan file, generated
// from the Go types by reflection, so that it cannot drift from what
// DecodePlan reads: every field, its type, the enumerations' values and the
// patterns of dates, date-times and deadlines. Unknown fields are not
// allowed, as in DecodePlan. The schema checks form only; references
// between IDs and recurrence rules are checked by DecodePlan.
func Schema() []byte {
	g := schemaGen{defs: map[string]any{}}
	root := g.object(reflect.TypeFor[Plan]())
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaURL
	root["title"] = "ismscomms communication plan (" + Format + ")"
	root["description"] = "A communication plan for ISO/IEC 27001:2022 Clause 7.4: what, when, with whom, how and who."
	root["required"] = []string{"id"}
	props := root["properties"].(map[string]any)
	props["format"] = map[string]any{"const": Format}
	root["$defs"] = g.defs
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic("comms: schema: " + err.Error()) // a map of plain values always encodes
	}
	return append(b, '\n')
}

type schemaGen struct {
	defs map[string]any
}

// enums are the persisted enumerations, by type.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[Scope]():           strs(Scopes()),
	reflect.TypeFor[Classification]():  strs(Classifications()),
	reflect.TypeFor[Topic]():           strs(Topics()),
	reflect.TypeFor[StakeholderKind](): strs(StakeholderKinds()),
	reflect.TypeFor[ChannelKind]():     strs(ChannelKinds()),
	reflect.TypeFor[ChangeClass]():     strs(ChangeClasses()),
	reflect.TypeFor[Measure]():         strs(Measures()),
	reflect.TypeFor[Direction]():       strs(Directions()),
	reflect.TypeFor[Period]():          strs(Periods()),
}

func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

const (
	datePattern     = `^\d{4}-\d{2}-\d{2}$`
	dateTimePattern = `^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$`
	idPattern       = `^[A-Za-z0-9][A-Za-z0-9._-]*$`
	deadlinePattern = `^[1-9][0-9]*(h|d|bd|mo)$`
	digestPattern   = `^sha256:[0-9a-f]{64}$`
	sharePattern    = `^[1-9][0-9]?(\.[0-9]{1,2})?%$`
	hoursPattern    = `^([01][0-9]|2[0-4]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$`
	// An objective target's forms: a percentage from 0% to 100%, a
	// deadline's form, a score from 0 to MaxScale, with at most two
	// decimals; targetPattern is their union, and the Objective's allOf
	// ties each measure to its form. Whether a score is on the plan's
	// scale DecodePlan checks.
	hundredths         = `(100(\.0{1,2})?|[1-9]?[0-9](\.[0-9]{1,2})?)`
	targetRatePattern  = `^` + hundredths + `%$`
	targetScorePattern = `^` + hundredths + `$`
	targetPattern      = `^(` + hundredths + `%?|[1-9][0-9]*(h|d|bd|mo))$`
)

// fieldPatterns give string fields their form.
var fieldPatterns = map[string]string{
	"Timing.Within": deadlinePattern, "Activity.Grace": deadlinePattern, "Plan.Grace": deadlinePattern,
	"MessageVersion.Digest": digestPattern,
	"Reminders.Before":      deadlinePattern, "Chase.Every": deadlinePattern, "Escalation.After": deadlinePattern,
	"Escalation.At": sharePattern, "Escalation.To": idPattern, "Calendar.Hours": hoursPattern,
	"Plan.ID": idPattern, "Role.ID": idPattern, "Stakeholder.ID": idPattern,
	"Channel.ID": idPattern, "Activity.ID": idPattern, "Calendar.ID": idPattern,
	"Plan.Profiles": idPattern, "Objective.ID": idPattern, "Requirement.ID": idPattern,
	"Feedback.HandleWithin": deadlinePattern,
}

func (g *schemaGen) typ(t reflect.Type, owner, field string) map[string]any {
	switch t {
	case reflect.TypeFor[Date]():
		return map[string]any{"type": "string", "pattern": datePattern, "description": "a date, YYYY-MM-DD"}
	case reflect.TypeFor[DateTime]():
		return map[string]any{"type": "string", "pattern": dateTimePattern, "description": "a local date-time YYYY-MM-DDTHH:MM[:SS], or a date"}
	}
	if vals, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": vals}
	}
	if owner == "Objective" && field == "Target" {
		// A score is naturally written as a number (target: 4), which
		// DecodePlan reads as its text.
		return map[string]any{"anyOf": []any{
			map[string]any{"type": "string", "pattern": targetPattern},
			map[string]any{"type": "number", "minimum": 0, "maximum": MaxScale},
		}, "description": "a percentage (95%) for a rate, a deadline's form (5bd) for a duration, a score on the feedback scale (4.5) for satisfaction"}
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": "string"}
		if p, ok := fieldPatterns[owner+"."+field]; ok {
			s["pattern"] = p
		}
		return s
	case reflect.Int:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Pointer:
		return g.typ(t.Elem(), owner, field)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typ(t.Elem(), owner, field)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typ(t.Elem(), owner, field)}
	case reflect.Struct:
		if _, ok := g.defs[t.Name()]; !ok {
			g.defs[t.Name()] = nil // reserve, in case of recursion
			g.defs[t.Name()] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		props[name] = g.typ(f.Type, t.Name(), f.Name)
		if name == "id" || (t == reflect.TypeFor[Waiver]() && (name == "rule" || name == "reason")) ||
			(t == reflect.TypeFor[Scale]() && (name == "min" || name == "max")) {
			required = append(required, name)
		}
	}
	obj := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if t == reflect.TypeFor[Objective]() {
		// A measure's direction is its own (Objective.Direction).
		byDir := map[Direction][]string{}
		for _, m := range Measures() {
			byDir[m.Direction()] = append(byDir[m.Direction()], string(m))
		}
		var all []any
		byKind := map[MeasureKind][]string{}
		for _, m := range Measures() {
			byKind[m.Kind()] = append(byKind[m.Kind()], string(m))
		}
		forms := map[MeasureKind]any{
			MeasureKindRate:     map[string]any{"type": "string", "pattern": targetRatePattern},
			MeasureKindDuration: map[string]any{"type": "string", "pattern": deadlinePattern},
			MeasureKindScore: map[string]any{"anyOf": []any{
				map[string]any{"type": "string", "pattern": targetScorePattern},
				map[string]any{"type": "number", "minimum": 0, "maximum": MaxScale},
			}},
		}
		for _, k := range []MeasureKind{MeasureKindRate, MeasureKindDuration, MeasureKindScore} {
			all = append(all, map[string]any{
				"if":   map[string]any{"properties": map[string]any{"measure": map[string]any{"enum": byKind[k]}}, "required": []string{"measure"}},
				"then": map[string]any{"properties": map[string]any{"target": forms[k]}},
			})
		}
		for _, d := range Directions() {
			all = append(all, map[string]any{
				"if":   map[string]any{"properties": map[string]any{"measure": map[string]any{"enum": byDir[d]}}, "required": []string{"measure"}},
				"then": map[string]any{"properties": map[string]any{"direction": map[string]any{"const": string(d)}}},
			})
		}
		obj["allOf"] = all
	}
	if t == reflect.TypeFor[Scale]() {
		for _, end := range []string{"min", "max"} {
			props[end].(map[string]any)["maximum"] = MaxScale
		}
	}
	if t == reflect.TypeFor[Requirement]() {
		props["activities"].(map[string]any)["uniqueItems"] = true
	}
	if len(required) > 0 && t != reflect.TypeFor[Plan]() {
		obj["required"] = required
	}
	return obj
}
