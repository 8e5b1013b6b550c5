package comms_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

func rosterPlan() *comms.Plan {
	return &comms.Plan{ID: "p", Stakeholders: []comms.Stakeholder{
		{ID: "employees", Size: 500}, {ID: "contractors", Size: 40}, {ID: "board", Size: 7},
	}}
}

func day(y int, m time.Month, d int) comms.Date { return comms.Date{Year: y, Month: m, Day: d} }

// Count, Counts and Size count the people of a group on a day, From and
// Until inclusive; a group the roster covers takes its size from it.
func TestRosterCount(t *testing.T) {
	r := comms.Roster{ID: "staff", People: []comms.Person{
		{ID: "1", Stakeholders: []string{"employees"}},
		{ID: "2", Stakeholders: []string{"employees", "board"}, From: day(2026, 6, 1)},
		{ID: "3", Stakeholders: []string{"employees"}, Until: day(2026, 3, 31)},
		{ID: "4", Stakeholders: []string{"board"}, From: day(2026, 1, 1), Until: day(2026, 1, 31)},
	}}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		at    time.Time
		group string
		want  int
	}{
		{time.Date(2026, 3, 31, 23, 0, 0, 0, berlin), "employees", 2}, // 3's last day
		{time.Date(2026, 4, 1, 0, 0, 0, 0, berlin), "employees", 1},
		{time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC), "employees", 1},
		{time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC).In(berlin), "employees", 2}, // June 1 in Berlin
		{time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), "board", 1},
		{time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC), "board", 0},
	} {
		if n := r.Count(c.group, c.at); n != c.want {
			t.Errorf("Count(%s, %v) = %d, want %d", c.group, c.at, n, c.want)
		}
		if n := r.Counts(c.at)[c.group]; n != c.want {
			t.Errorf("Counts(%v)[%s] = %d, want %d", c.at, c.group, n, c.want)
		}
	}
	p := rosterPlan()
	feb := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	if n, ok := r.Size(p.Stakeholders[2], feb); n != 0 || !ok {
		t.Errorf("Size of a covered group whose members all left = %d, %v; want 0 from the roster", n, ok)
	}
	if n, ok := r.Size(p.Stakeholders[1], feb); n != 40 || ok {
		t.Errorf("Size of a group the roster does not cover = %d, %v; want the plan's 40", n, ok)
	}
	if n := testing.AllocsPerRun(10, func() { r.Count("employees", feb) }); n != 0 {
		t.Errorf("Count allocates %v times", n)
	}
}

// Validate reports every problem at once, each at its path; with a plan,
// unknown stakeholders too; without, none of them.
func TestRosterValidate(t *testing.T) {
	r := comms.Roster{ID: "staff", People: []comms.Person{
		{ID: "", Email: "a@example.com"},
		{ID: "7", Email: "A@Example.com", Stakeholders: []string{"employees", "employees"}},
		{ID: "7", Email: "Bob <bob@example.com>"},
		{ID: "8", Name: "Eve\u202e", Stakeholders: []string{"staff"}},
		{ID: " 9", Until: day(2026, 1, 1), From: day(2026, 2, 1)},
		{ID: "10", Name: "x\xff", From: day(2026, 2, 30)},
	}}
	err := r.Validate(rosterPlan())
	var re *comms.RosterError
	if !errors.As(err, &re) {
		t.Fatalf("Validate: %v, want a *RosterError", err)
	}
	want := []string{
		"people[0].id: missing",
		"people[1].email: duplicate e-mail address \"A@Example.com\" (also people[0])",
		"people[1].stakeholders[1]: stakeholder \"employees\" is listed twice",
		"people[2].id: duplicate id \"7\" (also people[1])",
		"people[2].email: \"Bob <bob@example.com>\" is not an e-mail address",
		"people[3].name: the character U+202E",
		"people[3].stakeholders[0]: stakeholder \"staff\" is not declared",
		"people[4].id: \" 9\" has a leading or trailing space",
		"people[4].until: until 2026-01-01 is before from 2026-02-01",
		"people[5].name: the byte 0xff (not UTF-8)",
		"people[5].from: 2026-02-30 is not a date",
	}
	if len(re.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(re.Problems), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	if err := (comms.Roster{ID: "staff", People: []comms.Person{{ID: "1", Stakeholders: []string{"staff"}}}}).Validate(nil); err != nil {
		t.Errorf("without a plan, any stakeholder ID is accepted: %v", err)
	}
	if err := (comms.Roster{ID: "bad id"}).Validate(nil); err == nil || !strings.Contains(err.Error(), "id: \"bad id\" is not a valid id") {
		t.Errorf("roster ID: %v", err)
	}
}

const staffCSV = "\ufeffEmployee ID;Full Name;E-Mail;Groups;Start Date;End date;Department\n" +
	"1001;Alice Example;alice@example.com;employees|board;2026-01-01;;Engineering\n" +
	"\n" +
	"1002; Bob Example ;bob@example.com;employees;;2026-06-30;Sales\n" +
	";;;;;;\n" +
	"\"1003\";\"Carol; Example\";carol@example.com;contractors;2026-03-01;;Ops\n"

// A CSV export with other headers, a semicolon, a byte order mark, blank
// rows and a column to ignore decodes into the roster it means.
func TestDecodeRosterCSV(t *testing.T) {
	r, err := comms.DecodeRosterCSV(strings.NewReader(staffCSV), &comms.RosterOptions{Plan: rosterPlan(), IgnoreColumns: []string{"department"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []comms.Person{
		{ID: "1001", Name: "Alice Example", Email: "alice@example.com", Stakeholders: []string{"employees", "board"}, From: day(2026, 1, 1)},
		{ID: "1002", Name: "Bob Example", Email: "bob@example.com", Stakeholders: []string{"employees"}, Until: day(2026, 6, 30)},
		{ID: "1003", Name: "Carol; Example", Email: "carol@example.com", Stakeholders: []string{"contractors"}, From: day(2026, 3, 1)},
	}
	if r.ID != "staff" || len(r.People) != len(want) {
		t.Fatalf("roster %q with %d people: %+v", r.ID, len(r.People), r.People)
	}
	for i := range want {
		if got := r.People[i]; got.ID != want[i].ID || got.Name != want[i].Name || got.Email != want[i].Email ||
			strings.Join(got.Stakeholders, ",") != strings.Join(want[i].Stakeholders, ",") || got.From != want[i].From || got.Until != want[i].Until {
			t.Errorf("people[%d] = %+v, want %+v", i, got, want[i])
		}
	}
	// Without IgnoreColumns, the unknown column is an error at its header.
	_, err = comms.DecodeRosterCSV(strings.NewReader(staffCSV), nil)
	if err == nil || !strings.Contains(err.Error(), "1:57: unknown column \"Department\"") {
		t.Errorf("unknown column: %v", err)
	}
}

// Every problem of a CSV file is reported at once, at its line and
// column, and nothing else is said.
func TestDecodeRosterCSVProblems(t *testing.T) {
	const file = "id,name,email,stakeholders,from,until,mail\n" +
		",No Id,x@example.com,employees,,,\n" +
		"2,Dup Mail,X@example.com,employees,01/03/2026,,\n" +
		"3,Bad Group,c@example.com,staff|employees,,,\n" +
		"2,Dup Id,d@example.com,employees,,,,extra\n" +
		"5,Ctl\x1bName,e@example.com,employees,2026-05-01,2026-04-01,\n"
	_, err := comms.DecodeRosterCSV(strings.NewReader(file), &comms.RosterOptions{Name: "staff.csv", Plan: rosterPlan()})
	var re *comms.RosterError
	if !errors.As(err, &re) || re.File != "staff.csv" {
		t.Fatalf("DecodeRosterCSV: %v", err)
	}
	want := []string{
		"staff.csv:1:39: column \"mail\" is column email again (column 3)",
		"staff.csv:2:1: people[0].id: missing",
		"staff.csv:3:12: people[1].email: duplicate e-mail address \"X@example.com\" (also people[0])",
		"staff.csv:3:36: people[1].from: \"01/03/2026\" is not a date: write YYYY-MM-DD",
		"staff.csv:4:27: people[2].stakeholders[0]: stakeholder \"staff\" is not declared",
		"staff.csv:5:1: people[3].id: duplicate id \"2\" (also people[1])",
		"staff.csv:5:37: people[3]: the row has 8 cells, the header 7",
		"staff.csv:6:3: people[4].name: the character U+001B",
		"staff.csv:6:47: people[4].until: until 2026-04-01 is before from 2026-05-01",
	}
	if len(re.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(re.Problems), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	for _, c := range []struct{ name, file, want string }{
		{"empty", "", "the file is empty"},
		{"no id column", "name,email\nA,a@example.com\n", "1:1: no id column"},
		{"unclosed quote", "id,name\n1,\"Alice\n2,Bob\n", "CSV: extraneous or missing \" in quoted-field (decoding stops here)"},
		{"too large", "id\n" + strings.Repeat("1234567\n", comms.MaxRosterSize/8+1), "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := comms.DecodeRosterCSV(strings.NewReader(c.file), nil)
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want a *RosterError saying %q", err, c.want)
			}
		})
	}
}

// With a group mapping, the stakeholders column holds group names.
func TestDecodeRosterCSVGroups(t *testing.T) {
	m, err := comms.DecodeGroupMapping(strings.NewReader("groups:\n  All Staff: [employees]\n  Externals: [contractors]\n"), "groups.yaml", rosterPlan())
	if err != nil {
		t.Fatal(err)
	}
	r, err := comms.DecodeRosterCSV(strings.NewReader("id,groups\n1,All Staff|Externals\n2,Interns\n"), &comms.RosterOptions{Groups: &m, Plan: rosterPlan()})
	if err == nil || !strings.Contains(err.Error(), "3:3: people[1].stakeholders: group \"Interns\" is not in the group mapping") {
		t.Errorf("unmapped group: %v", err)
	}
	if len(r.People) != 2 || strings.Join(r.People[0].Stakeholders, ",") != "employees,contractors" {
		t.Errorf("people: %+v", r.People)
	}
}

// A group mapping is checked with its lines and columns.
func TestDecodeGroupMapping(t *testing.T) {
	const file = "groups:\n  Engineering: [employees, staff]\n  Board: board\n  Ops: [contractors, contractors]\nextra: 1\n"
	_, err := comms.DecodeGroupMapping(strings.NewReader(file), "groups.yaml", rosterPlan())
	want := []string{
		"groups.yaml:2:28: groups[\"Engineering\"][1]: stakeholder \"staff\" is not declared",
		"groups.yaml:3:10: groups[\"Board\"]: map the group to a list",
		"groups.yaml:4:22: groups[\"Ops\"][1]: stakeholder \"contractors\" is listed twice",
		"groups.yaml:5:1: unknown key \"extra\"",
	}
	var re *comms.RosterError
	if !errors.As(err, &re) || len(re.Problems) != len(want) {
		t.Fatalf("DecodeGroupMapping: %v", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	for _, bad := range []string{"groups: &a {x: [employees]}\nmore: *a\n", "- a\n", "groups: {x: [\xff]}\n", "groups: {\"x\u202e\": [employees]}\n"} {
		if _, err := comms.DecodeGroupMapping(strings.NewReader(bad), "", nil); !errors.As(err, &re) {
			t.Errorf("%q: %v, want a *RosterError", bad, err)
		}
	}
}
