package matrix

import (
	"strings"

	"github.com/ismscomms/ismscomms/comms"
)

// Columns are the headings of the communication matrix, in the order of
// the reference text.
var Columns = [6]string{
	"Communication activity",
	"Key message",
	"Target audience",
	"Communication method",
	"Timing",
	"Responsible party",
}

// Matrix is the communication matrix of a plan: one Row per activity, in
// the plan's order. It is a plain value, safe for concurrent reads.
type Matrix struct {
	PlanID       string `json:"plan_id"`
	Organization string `json:"organization,omitempty"`
	Rows         []Row  `json:"rows"`
}

// Row is one activity as the matrix shows it: names resolved from IDs and
// the timing in plain English. An ID the plan does not declare is shown as
// it is.
type Row struct {
	ActivityID string `json:"activity_id"`
	// Activity is the activity's name (its ID if it has none).
	Activity   string   `json:"activity"`
	KeyMessage string   `json:"key_message"`
	Audience   []string `json:"audience"`
	Methods    []string `json:"methods"`
	Timing     string   `json:"timing"`
	// Responsible lists the owner first, then the supporting roles.
	Responsible []string `json:"responsible"`
}

// Cells returns the row's six cells, lists joined with ", ".
func (r Row) Cells() [6]string {
	return [6]string{
		r.Activity,
		r.KeyMessage,
		strings.Join(r.Audience, ", "),
		strings.Join(r.Methods, ", "),
		r.Timing,
		strings.Join(r.Responsible, ", "),
	}
}

// Build returns the communication matrix of p.
func Build(p comms.Plan) Matrix {
	m := Matrix{PlanID: p.ID, Organization: p.Organization, Rows: make([]Row, 0, len(p.Activities))}
	stakeholders := index(p.Stakeholders, func(s comms.Stakeholder) (string, string) { return s.ID, s.Name })
	channels := index(p.Channels, func(c comms.Channel) (string, string) { return c.ID, c.Name })
	roles := index(p.Roles, func(r comms.Role) (string, string) { return r.ID, r.Name })
	activities := index(p.Activities, func(a comms.Activity) (string, string) { return a.ID, a.Name })
	for _, a := range p.Activities {
		row := Row{
			ActivityID: a.ID,
			Activity:   orID(a.Name, a.ID),
			KeyMessage: a.What.Message,
			Audience:   names(a.Whom, stakeholders),
			Methods:    names(a.How, channels),
			Timing:     describeTiming(a.When, func(id string) string { return orID(activities[id], id) }),
		}
		if a.Owner != "" {
			row.Responsible = append(row.Responsible, orID(roles[a.Owner], a.Owner))
		}
		row.Responsible = append(row.Responsible, names(a.Support, roles)...)
		m.Rows = append(m.Rows, row)
	}
	return m
}

func index[T any](items []T, kv func(T) (string, string)) map[string]string {
	m := make(map[string]string, len(items))
	for _, it := range items {
		k, v := kv(it)
		m[k] = v
	}
	return m
}

func names(ids []string, byID map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, orID(byID[id], id))
	}
	return out
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
