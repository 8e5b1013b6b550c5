package comms

import (
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// EncodeYAML writes p as a YAML plan file. Decoding the output gives a Plan
// equal to p (comments of an original file are not kept).
func EncodeYAML(w io.Writer, p Plan) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("comms: encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("comms: encode YAML: %w", err)
	}
	return nil
}

// EncodeJSON writes p as an indented JSON plan file. Decoding the output
// gives a Plan equal to p.
func EncodeJSON(w io.Writer, p Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("comms: encode JSON: %w", err)
	}
	return nil
}
