package evidence

import (
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/ismscomms/ismscomms/internal/safetext"
	"github.com/ismscomms/ismscomms/matrix"
)

// HTMLOptions are how [Assessment.WriteHTMLPage] and
// [ReviewInput.WriteHTMLPage] lay the page out for print. The zero value
// is valid: the printer's paper (no size set), generated at the report's
// reference time.
type HTMLOptions struct {
	// Paper is the paper the page prints on, upright; zero: the
	// printer's (A4 or Letter; the margins suit both).
	Paper matrix.Paper
	// Generated is when the page was written, shown in the report's zone
	// in its document-control block and footer; zero: the report's Now.
	Generated time.Time
}

// headerOrganization is how many characters of the organization's name
// the running header shows: a longer name ends there in "…" (a browser
// does not clip a page's margin box; the name would run off the paper),
// and the document-control block shows it whole.
const headerOrganization = 60

// printView is what a printed page shows besides its content: the CSS
// paper size, the running header and footer (CSS margin boxes, filled in
// on every page by the browser that prints it) and the document-control
// block. Its texts come from an escaped Assessment (see mapText).
type printView struct {
	Size string
	// HeaderLeft, HeaderRight and FooterLeft are CSS string literals.
	HeaderLeft, HeaderRight, FooterLeft template.CSS
	Version, ApprovedBy, ApprovedOn     string
	// InForceAt is the day Version is in force at, shown with the number
	// of Versions when the period had more than one.
	InForceAt string
	Versions  int
	Generated template.HTML
}

// printView returns the print layout of e, an escaped copy of the report,
// for a document titled title.
func (e *Assessment) printView(title string, opts HTMLOptions) (printView, error) {
	size, err := opts.Paper.CSS()
	if err != nil {
		return printView{}, fmt.Errorf("evidence: write HTML: %w", err)
	}
	gen := opts.Generated
	if gen.IsZero() {
		gen = e.Now
	}
	pv := printView{Size: size, Version: "—", ApprovedBy: "—", ApprovedOn: "—", Generated: e.dateHTML(gen),
		InForceAt: e.day(e.Now), Versions: len(e.Versions)}
	head := "plan " + e.PlanID
	if v, ok := e.versionInForce(); ok {
		pv.Version = strconv.Itoa(v.Number)
		head += ", version " + pv.Version
	}
	if e.Organization != "" {
		head = safetext.Shorten(e.Organization, headerOrganization) + " · " + head
	}
	if a := e.Approved; a != nil {
		pv.ApprovedBy = orDash(a.By)
		if !a.Date.IsZero() {
			pv.ApprovedOn = a.Date.String()
		}
	}
	pv.HeaderLeft = template.CSS(safetext.CSSString(head))
	pv.HeaderRight = template.CSS(safetext.CSSString("period " + e.day(e.From) + " to " + e.day(e.To.Add(-time.Second))))
	pv.FooterLeft = template.CSS(safetext.CSSString(title + " · generated " + e.date(gen)))
	return pv, nil
}

// versionInForce is the plan version the report's matrix and checks are
// of: the one in force at Now, else the period's last.
func (e *Assessment) versionInForce() (VersionInfo, bool) {
	for _, v := range e.Versions {
		if !e.Now.Before(v.From) && e.Now.Before(v.Until) {
			return v, true
		}
	}
	if n := len(e.Versions); n > 0 {
		return e.Versions[n-1], true
	}
	return VersionInfo{}, false
}
