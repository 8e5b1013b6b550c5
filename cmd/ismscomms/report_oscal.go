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
// written.
//
// A POA&M with nothing to remediate returns nil and writes nothing: OSCAL
// wants at least one poam-item, and everything done on time is good news,
// so the status is 0 (1 with a broken chain, as for every report) and a
// note on standard error says that no POA&M, and so not --out, was
// written. A file already at --out is left as it is: it is not this
// run's to delete.
func (a *app) oscalReport(rep *evidence.Assessment, format, out string) ([]byte, error) {
	var b []byte
	var err error
	if format == "oscal-poam" {
		b, err = oscal.POAM(rep, oscal.Options{})
	} else {
		b, err = oscal.AssessmentResults(rep, oscal.Options{})
	}
	switch {
	case errors.Is(err, oscal.ErrNothingToRemediate):
		where := "nothing was written to standard output"
		if out != "" && out != "-" {
			where = out + " was not written (a file already there is left as it is)"
		}
		say(a.stderr, "ismscomms: nothing to remediate: no POA&M written: no missed or overdue communication and no legal notification sent late in the period, and an OSCAL POA&M needs at least one item; %s\n", where)
		if rep.Chain.Checked && !rep.Chain.OK {
			say(a.stderr, "ismscomms: the record chain is broken at record %d: ismscomms verify says more\n", rep.Chain.Seq)
			return nil, errNegative
		}
		return nil, nil
	case err != nil:
		return nil, errorf(exitOther, "cannot export the report as OSCAL: %v", err)
	}
	return b, nil
}
