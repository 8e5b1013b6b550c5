package comms_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ismscomms/ismscomms/comms"
)

func groups(t *testing.T) *comms.GroupMapping {
	t.Helper()
	f, err := os.Open("testdata/roster/groups.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := comms.DecodeGroupMapping(f, "groups.yaml", rosterPlan())
	if err != nil {
		t.Fatal(err)
	}
	return &m
}

// A ListResponse as RFC 7643 §8.2 shows users: the primary e-mail, the
// formatted name, groups by display or value; inactive users and users
// in no mapped group are left out; attribute names match ignoring case.
func TestDecodeRosterSCIM(t *testing.T) {
	f, err := os.Open("testdata/roster/users.scim.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := comms.DecodeRosterSCIM(f, &comms.RosterOptions{ID: "idp", Groups: groups(t), Plan: rosterPlan()})
	if err != nil {
		t.Fatal(err)
	}
	want := []comms.Person{
		{ID: "2819c223-7f76-453a-919d-413861904646", Name: "Ms. Barbara J Jensen III", Email: "bjensen@example.com", Stakeholders: []string{"employees"}},
		{ID: "u-2", Name: "John Smith", Email: "jsmith@example.com", Stakeholders: []string{"contractors"}},
		{ID: "u-5", Name: "Kim Lee", Stakeholders: []string{"employees", "contractors"}},
	}
	if r.ID != "idp" || len(r.People) != len(want) {
		t.Fatalf("roster %q: %+v", r.ID, r.People)
	}
	for i := range want {
		got := r.People[i]
		if got.ID != want[i].ID || got.Name != want[i].Name || got.Email != want[i].Email || strings.Join(got.Stakeholders, ",") != strings.Join(want[i].Stakeholders, ",") {
			t.Errorf("people[%d] = %+v, want %+v", i, got, want[i])
		}
	}
}

// Problems are located by JSON path, all at once; a page of a paged
// listing, a response without the ListResponse schema and a missing
// mapping are refused.
func TestDecodeRosterSCIMProblems(t *testing.T) {
	const file = `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 4, "Resources": [
		{"id": "", "groups": [{"display": "Engineering"}]},
		{"id": "a", "emails": [{"value": "x@example.com", "primary": true}, {"value": "y@example.com", "primary": true}], "groups": [{"display": "Engineering"}]},
		{"id": "a", "emails": [{"value": "not an address"}], "groups": [{"display": "Engineering"}]},
		{"id": "d", "emails": "d@example.com", "groups": [{"display": "Engineering"}]}
	]}`
	_, err := comms.DecodeRosterSCIM(strings.NewReader(file), &comms.RosterOptions{Name: "users.json", Groups: groups(t)})
	var re *comms.RosterError
	if !errors.As(err, &re) {
		t.Fatalf("DecodeRosterSCIM: %v", err)
	}
	want := []string{
		"Resources[0].id: missing",
		"Resources[1].emails[1].primary: a second primary e-mail address (the first is emails[0])",
		"Resources[2].id: duplicate id \"a\" (also people[1])",
		"Resources[2].emails[0].value: \"not an address\" is not an e-mail address",
		"Resources[3].emails: a JSON string where a list belongs",
	}
	if len(re.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(re.Problems), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
	m := groups(t)
	for _, c := range []struct {
		name, file string
		groups     *comms.GroupMapping
		want       string
	}{
		{"a page", `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 250, "Resources": []}`, m, "totalResults: the response holds 0 of 250 users: it is one page"},
		{"not a list", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "x"}`, m, "schemas: not a SCIM ListResponse"},
		{"a group", `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g"}]}`, m, "Resources[0].schemas: not a User"},
		{"syntax", "{\n  \"schemas\": [,]}", m, "2:15: JSON: invalid character ','"},
		{"not UTF-8", "{\"id\": \"\xff\"}", m, "1:9: the byte 0xff is not UTF-8"},
		{"no mapping", `{}`, nil, "needs a group mapping"},
		{"unsafe text", `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": [{"id": "e", "displayName": "Eve\u202e", "groups": [{"display": "Engineering"}]}]}`, m, "Resources[0].displayName: the character U+202E"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := comms.DecodeRosterSCIM(strings.NewReader(c.file), &comms.RosterOptions{Groups: c.groups})
			if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want a *RosterError saying %q", err, c.want)
			}
		})
	}
	// A mapping naming a stakeholder the plan lacks is reported, and
	// nothing of the response is kept as valid.
	bad := comms.GroupMapping{Groups: map[string][]string{"Engineering": {"interns"}}}
	_, err = comms.DecodeRosterSCIM(strings.NewReader(`{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}`), &comms.RosterOptions{Groups: &bad, Plan: rosterPlan()})
	if err == nil || !strings.Contains(err.Error(), `groups mapping: groups["Engineering"][0]: stakeholder "interns" is not declared`) {
		t.Errorf("unknown stakeholder in the mapping: %v", err)
	}
}
