package matrix

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"

	"github.com/ismscomms/ismscomms/comms"
)

// The starter plans are kept once, as the YAML files below starters/:
// [Starter] and [StarterGDPRNIS2] decode them, the CLI's init writes
// them, and examples/plans holds published copies that a test keeps byte
// for byte equal.
//
//go:embed starters/*.yaml
var starters embed.FS

// StarterFiles returns the starter plans as YAML files, the text that
// [Starter] and [StarterGDPRNIS2] decode: "starter.yaml" and
// "starter-gdpr-nis2.yaml". Its files are read-only; it is safe for
// concurrent use by multiple goroutines.
func StarterFiles() fs.FS {
	sub, err := fs.Sub(starters, "starters")
	if err != nil {
		panic(fmt.Sprintf("matrix: starter plans: %v", err)) // a build without starters/
	}
	return sub
}

// starter decodes the embedded starter plan file name. The files are
// part of the package and tested, so an error is a bug in the build: it
// panics rather than return a plan that is not the starter.
func starter(name string) comms.Plan {
	data, err := fs.ReadFile(StarterFiles(), name)
	if err != nil {
		panic(fmt.Sprintf("matrix: starter plan %s: %v", name, err))
	}
	p, err := comms.DecodePlan(bytes.NewReader(data))
	if err != nil {
		panic(fmt.Sprintf("matrix: starter plan %s: %v", name, err))
	}
	return p
}

// Starter returns the communication matrix of the reference text
// (ISO/IEC 27001:2022 Clause 7.4 guide, "Communication Matrix for ISMS") as
// a complete, valid plan: its 14 activities with their stakeholders, roles
// and channels, recurrence rules for the Annually, Biannually, Quarterly
// and Monthly rows, and triggers with deadlines for the Immediate, As
// needed and "as required by law" rows. It is decoded from starter.yaml of
// [StarterFiles]; the same plan ships as examples/plans/starter.yaml.
//
// Where the reference is ambiguous the plan says how it read it in the
// activity's Notes. Each call returns a fresh copy.
func Starter() comms.Plan { return starter("starter.yaml") }

// StarterGDPRNIS2 returns [Starter] extended for an organization under the
// GDPR and NIS2: a data protection officer, the supervisory authority, the
// national CSIRT and affected individuals as stakeholders, portals to reach
// the authorities, and an activity for each obligation of the "gdpr" and
// "nis2" profiles, each declaring the obligation it fulfils. It names both
// profiles in its Profiles, so Check applies them, and it passes them. It
// is decoded from starter-gdpr-nis2.yaml of [StarterFiles]; the same plan
// ships as examples/plans/starter-gdpr-nis2.yaml. Each call returns a
// fresh copy.
func StarterGDPRNIS2() comms.Plan { return starter("starter-gdpr-nis2.yaml") }
