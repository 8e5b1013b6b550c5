package main

import (
	"errors"

	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/evidence/oscal"
)

// oscalReport returns the report as report --format oscal-ar (OSCAL
// assessment results) or oscal-poam (an OSCAL POA&M) writes it, with the
// package's defaults: the plan's organization as the party, the plan's
// back-matter resource as import-ap. It is built whole before anything is
// written, so a POA&M with nothing in it writes no file: exit status 1,
// nothing to remediate.
func oscalReport(rep *evidence.Assessment, format string) ([]byte, error) {
	var b []byte
	var err error
	if format == "oscal-poam" {
		b, err = oscal.POAM(rep, oscal.Options{})
	} else {
		b, err = oscal.AssessmentResults(rep, oscal.Options{})
	}
	switch {
	case errors.Is(err, oscal.ErrNothingToRemediate):
		return nil, errorf(exitNegative, "no missed or overdue communication in the period: an OSCAL POA&M needs at least one item, so none was written")
	case err != nil:
		return nil, errorf(exitOther, "cannot export the report as OSCAL: %v", err)
	}
	return b, nil
}
