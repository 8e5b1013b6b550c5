package comms_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ismscomms/ismscomms/comms"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(comms.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(comms.SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(comms.SchemaURL)
	if err != nil {
		t.Fatalf("the generated schema does not compile: %v", err)
	}
	return s
}

// Every plan DecodePlan accepts, encoded as JSON, satisfies the schema; and
// the schema rejects what DecodePlan rejects for form.
func TestSchemaAgainstTypes(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob("testdata/valid/*")
	examples, _ := filepath.Glob("../examples/plans/*.yaml")
	for _, f := range append(files, examples...) {
		p, err := comms.LoadPlan(f)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		comms.EncodeJSON(&buf, p)
		doc, _ := jsonschema.UnmarshalJSON(&buf)
		if err := s.Validate(doc); err != nil {
			t.Errorf("%s does not satisfy the schema: %v", f, err)
		}
	}
	for _, bad := range []string{
		`{"id": "p", "rolez": []}`,
		`{"id": "p", "stakeholders": [{"id": "s", "kind": "employee"}]}`,
		`{"id": "p", "activities": [{"id": "a", "when": {"within": "72 hours"}}]}`,
		`{"id": "p", "activities": [{"id": "a", "what": {"topic": "gossip"}}]}`,
		`{"id": "p", "approved": {"date": "5 Jan 2026"}}`,
		`{"id": "p", "format": "ismscomms/v2"}`,
		`{"organization": "no id"}`,
		`{"id": "p", "waivers": [{"rule": "CRISIS"}]}`,
		`{"id": "p", "profiles": ["gdpr nis2"]}`,
		`{"id": "p", "profiles": "gdpr"}`,
	} {
		doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if s.Validate(doc) == nil {
			t.Errorf("the schema accepts %s", bad)
		}
		if _, err := comms.DecodePlan(strings.NewReader(bad)); err == nil {
			t.Errorf("DecodePlan accepts %s", bad)
		}
	}
}

// docs/plan.schema.json is the generated schema.
func TestSchemaPublished(t *testing.T) {
	if *update {
		os.WriteFile("../docs/plan.schema.json", comms.Schema(), 0o644)
	}
	b, err := os.ReadFile("../docs/plan.schema.json")
	if err != nil || !bytes.Equal(b, comms.Schema()) {
		t.Errorf("docs/plan.schema.json is stale (go test ./comms/ -run Schema -update): %v", err)
	}
}
