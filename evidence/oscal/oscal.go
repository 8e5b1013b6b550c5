package oscal

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/evidence"
	"github.com/ismscomms/ismscomms/matrix"
)

// Version is the OSCAL version the exports are written against (their
// metadata's oscal-version) and validated with in this package's tests.
const Version = "1.1.1"

// Errors.
var (
	// ErrInvalid: the assessment cannot be exported (nil, without its
	// reference time Now, or holding a time OSCAL cannot write), or an
	// option is not what OSCAL can write (an href that is not a URI
	// reference, an ImportAP fragment that names nothing in the
	// document).
	ErrInvalid = errors.New("oscal: invalid assessment")
	// ErrNothingToRemediate: the assessment has no missed or overdue
	// communication and no legal notification sent late, and an OSCAL
	// POA&M must hold at least one item.
	ErrNothingToRemediate = errors.New("oscal: nothing to remediate: no missed or overdue communication, no legal notification sent late")
)

// Options is what an export needs that an [evidence.Assessment] does not
// say. The zero value is valid: every field has a default. Leading and
// trailing white space (ECMA-262's, as OSCAL's patterns read it) is
// trimmed from every field; a text field that is empty after that takes
// its default.
type Options struct {
	// Title is the document's metadata title. Default: "Communication
	// evidence: <organization>, plan <plan ID>, <first day> to <last
	// day>" for the
	// assessment results, "Plan of action and milestones: ..." for the
	// POA&M.
	Title string
	// Party is the organization the document is about (metadata parties,
	// the one party of type organization). Default: the assessment's
	// Organization, else its Tenant, else its PlanID.
	Party string
	// ImportAP is the assessment results' import-ap href: the OSCAL
	// assessment plan the assessment followed, where one exists. Default:
	// "#" and the UUID of the back-matter resource that describes the
	// communication plan, which is the plan the communications were
	// assessed against (see the package documentation). It must be a URI
	// reference (RFC 3986 §4.1); a bare fragment "#x" must name a
	// back-matter resource of the document.
	ImportAP string
	// PlanHref, when set, is where the plan file can be had (a URI
	// reference, RFC 3986 §4.1, and like ImportAP a bare fragment must
	// name a back-matter resource): the rlink of the plan's back-matter
	// resource.
	PlanHref string
	// DocumentVersion is the metadata version, the document's own
	// revision. Default: the assessment's Now in RFC 3339 (UTC), the time
	// the evidence is as of.
	DocumentVersion string
}

// AssessmentResults returns rep as an OSCAL assessment-results document:
// indented JSON (two spaces), ending in a newline, the same bytes for the
// same assessment. The generation time is rep.Now; nothing reads the
// clock.
func AssessmentResults(rep *evidence.Assessment, opts Options) ([]byte, error) {
	b, err := newBuilder(rep, opts)
	if err != nil {
		return nil, err
	}
	return b.assessmentResults()
}

// POAM returns the missed and overdue communications of rep, and its legal
// notifications sent late, as an OSCAL
// plan-of-action-and-milestones document, one poam-item each, with their
// findings and observations as [AssessmentResults] writes them (the same
// UUIDs): indented JSON, the same bytes for the same assessment. With
// nothing to remediate it returns an error wrapping
// [ErrNothingToRemediate].
func POAM(rep *evidence.Assessment, opts Options) ([]byte, error) {
	b, err := newBuilder(rep, opts)
	if err != nil {
		return nil, err
	}
	return b.poam()
}

type builder struct {
	rep    *evidence.Assessment
	opts   Options
	tenant string
	plan   string
	// planVersion is the plan version in force at Now (or the last one of
	// the period); 0 when the assessment lists none.
	planVersion int

	planResource, logResource, planComponent, partyUUID string
	err                                                 error
}

func newBuilder(rep *evidence.Assessment, opts Options) (*builder, error) {
	if rep == nil {
		return nil, fmt.Errorf("%w: nil assessment", ErrInvalid)
	}
	if rep.Now.IsZero() {
		return nil, fmt.Errorf("%w: its Now is zero: the export's time is the assessment's", ErrInvalid)
	}
	opts.Title, opts.Party, opts.DocumentVersion = stringValue(opts.Title), stringValue(opts.Party), stringValue(opts.DocumentVersion)
	opts.ImportAP, opts.PlanHref = strings.TrimFunc(opts.ImportAP, isSpace), strings.TrimFunc(opts.PlanHref, isSpace)
	for _, h := range []struct{ name, href string }{{"ImportAP", opts.ImportAP}, {"PlanHref", opts.PlanHref}} {
		if err := checkURIReference(h.href); err != nil {
			return nil, fmt.Errorf("%w: Options.%s %q: %v", ErrInvalid, h.name, h.href, err)
		}
	}
	b := &builder{rep: rep, opts: opts, tenant: rep.Tenant, plan: rep.PlanID}
	for _, v := range rep.Versions {
		if !v.From.After(rep.Now) {
			b.planVersion = v.Number
		}
	}
	if b.planVersion == 0 && len(rep.Versions) > 0 {
		b.planVersion = rep.Versions[len(rep.Versions)-1].Number
	}
	b.planResource = objectUUID("plan", b.tenant, b.plan, strconv.Itoa(b.planVersion))
	b.logResource = objectUUID("log", b.tenant)
	b.planComponent = objectUUID("plan-component", b.tenant, b.plan)
	b.partyUUID = objectUUID("party", b.tenant, b.party())
	for _, h := range []struct{ name, href string }{{"ImportAP", opts.ImportAP}, {"PlanHref", opts.PlanHref}} {
		if frag, ok := strings.CutPrefix(h.href, "#"); ok && frag != b.planResource && frag != b.logResource {
			return nil, fmt.Errorf("%w: Options.%s %q names no back-matter resource of the document (the plan's is #%s)", ErrInvalid, h.name, h.href, b.planResource)
		}
	}
	return b, nil
}

func (b *builder) party() string {
	return firstText(b.opts.Party, b.rep.Organization, b.rep.Tenant, b.rep.PlanID, "unnamed organization")
}

// ts writes t for a date-time field: UTC, RFC 3339 with the fraction it
// has. OSCAL's date-time pattern allows only some offsets and the years
// 1900 to 2999; UTC is always among the offsets, and a year outside is an
// error.
func (b *builder) ts(t time.Time) string {
	u := t.UTC()
	if y := u.Year(); y < 1900 || y > 2999 {
		if b.err == nil {
			b.err = fmt.Errorf("%w: the time %s is outside the years 1900 to 2999 that OSCAL can write", ErrInvalid, u.Format(time.RFC3339))
		}
	}
	return u.Format(time.RFC3339Nano)
}

// local writes t for a human, in the assessment's zone (the times of an
// assessment are in the plan's zone already).
func local(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }

func (b *builder) metadata(title string) metadata {
	rep := b.rep
	version := b.opts.DocumentVersion
	if version == "" {
		version = b.ts(rep.Now)
	}
	m := metadata{
		Title:        line(title),
		LastModified: b.ts(rep.Now),
		Version:      stringValue(version),
		OSCALVersion: Version,
		Parties:      []party{{UUID: b.partyUUID, Type: "organization", Name: stringValue(b.party())}},
	}
	m.Props = props(
		"tenant", b.tenant,
		"plan-id", b.plan,
		"plan-version", itoa(b.planVersion),
		"timezone", rep.TimeZone,
		"period-start", b.ts(rep.From),
		"period-end", b.ts(rep.To),
	)
	return m
}

// period names the report's period by its first and last days, as the
// evidence report does ("2026-01-01 to 2026-12-31"): the report's To is
// exclusive, the first instant after the period.
func (b *builder) period() string {
	from, to := b.rep.From, b.rep.To
	return from.Format("2006-01-02") + " to " + to.Add(-time.Nanosecond).In(to.Location()).Format("2006-01-02")
}

func (b *builder) defaultTitle(what string) string {
	if b.opts.Title != "" {
		return b.opts.Title
	}
	return fmt.Sprintf("%s: %s, plan %s, %s", what, b.party(), b.plan, b.period())
}

func (b *builder) backMatter() *backMatter {
	rep := b.rep
	planRes := resource{
		UUID:  b.planResource,
		Title: line(fmt.Sprintf("Communication plan %s, version %d", b.plan, b.planVersion)),
		Description: "The ismscomms communication plan (ISO/IEC 27001:2022 clause 7.4) that the communications were assessed against: " +
			"its activities, audiences, channels, timings and owners. It stands in for an OSCAL assessment plan, of which there is none: " +
			"the activities are the statements the findings target (statement-id: the activity's ID) and the plan's completeness checks the objectives (objective-id: the check's rule ID).",
		Props: props("plan-id", b.plan, "plan-version", itoa(b.planVersion), "tenant", b.tenant),
	}
	if b.opts.PlanHref != "" {
		planRes.Rlinks = []rlink{{Href: b.opts.PlanHref}}
	}
	c := rep.Chain
	logDesc := "The tenant's append-only log of communication records, each chained to the one before by SHA-256. "
	switch {
	case !c.Checked:
		logDesc += "The chain was not verified for this assessment."
	case c.OK:
		logDesc += fmt.Sprintf("Verified for this assessment: %d records, head %s; the assessment read exactly the records verified.", c.Verified, c.HeadHash)
	default:
		logDesc += fmt.Sprintf("The chain is broken at record %d: %s. Records before it verified: %d.", c.Seq, c.Error, c.Verified)
	}
	logRes := resource{
		UUID:        b.logResource,
		Title:       "Communication record log",
		Description: markup(logDesc),
		Props: props("tenant", b.tenant, "chain-checked", strconv.FormatBool(c.Checked), "chain-ok", strconv.FormatBool(c.OK),
			"records-verified", strconv.FormatInt(c.Verified, 10), "head-hash", c.HeadHash),
	}
	return &backMatter{Resources: []resource{planRes, logRes}}
}

// judged is an occurrence judged missed or late, with the UUIDs of its
// finding, its observation (the record, or the absence of one) and its
// POA&M item.
type judged struct {
	occ                           evidence.Occurrence
	finding, observation, poamKey string
}

// judgedOccurrences returns the occurrences judged missed or late, and
// those in KPIs.Overdue, once each, in time order (then activity, then
// event).
func (b *builder) judgedOccurrences() []judged {
	rep := b.rep
	var occs []evidence.Occurrence
	seen := map[string]bool{}
	add := func(o evidence.Occurrence) {
		k := occKey(o)
		if seen[k] {
			return
		}
		seen[k] = true
		occs = append(occs, o)
	}
	for _, o := range rep.Occurrences {
		if o.Status == evidence.StatusMissed || o.Status == evidence.StatusLate {
			add(o)
		}
	}
	for _, o := range rep.KPIs.Overdue {
		add(o)
	}
	slices.SortStableFunc(occs, func(x, y evidence.Occurrence) int {
		return cmp.Or(x.At.Compare(y.At), strings.Compare(x.ActivityID, y.ActivityID), strings.Compare(x.EventID, y.EventID), x.Due.Compare(y.Due))
	})
	out := make([]judged, 0, len(occs))
	for _, o := range occs {
		j := judged{occ: o,
			finding: objectUUID("occurrence-finding", b.tenant, b.plan, o.ActivityID, o.EventID, b.ts(o.At)),
			poamKey: objectUUID("poam-item", b.tenant, b.plan, o.ActivityID, o.EventID, b.ts(o.At)),
		}
		switch {
		case o.Record != nil && o.Status == evidence.StatusLate:
			j.observation = b.recordUUID(*o.Record)
		case o.Record == nil && o.HeldAs != "":
			j.observation = b.heldUUID(o)
		default:
			j.observation = objectUUID("absence", b.tenant, b.plan, o.ActivityID, o.EventID, b.ts(o.At))
		}
		out = append(out, j)
	}
	return out
}

func occKey(o evidence.Occurrence) string {
	return o.ActivityID + "\x00" + o.EventID + "\x00" + o.At.UTC().Format(time.RFC3339Nano)
}

// heldUUID identifies the observation that a drill answered o.
func (b *builder) heldUUID(o evidence.Occurrence) string {
	return objectUUID("held-as-drill", b.tenant, b.plan, o.ActivityID, o.EventID, b.ts(o.At), o.HeldAs)
}

// heldObservation is the evidence of an occurrence that a drill
// answered (evidence.Occurrence.HeldAs): holding the exercise is the
// evidence of the activity that plans it, on time or late by the drill's
// start. The drill's own records stay out of the export.
func (b *builder) heldObservation(o evidence.Occurrence) observation {
	late := ""
	if o.Status == evidence.StatusLate {
		late = fmt.Sprintf(", %s after its deadline", o.Delay.Round(time.Minute))
	}
	return observation{
		UUID:  b.heldUUID(o),
		Title: line(fmt.Sprintf("Held as drill %s: %s, due %s", o.HeldAs, o.Activity, local(o.Due))),
		Description: markup(fmt.Sprintf("The occurrence of activity %s (%s), planned %s and due %s, was answered by drill %s, held from %s%s. "+
			"The assessment judges it %s. The drill's records are no evidence of a real communication and are not part of these results.",
			o.ActivityID, o.Activity, local(o.At), local(o.Due), o.HeldAs, local(o.HeldAt), late, o.Status)),
		Props: props("tenant", b.tenant, "plan-id", b.plan, "plan-version", itoa(o.PlanVersion), "activity-id", o.ActivityID,
			"event-id", o.EventID, "planned", b.ts(o.At), "due", b.ts(o.Due), "held-as", o.HeldAs, "held-at", b.ts(o.HeldAt),
			"status", string(o.Status)),
		Methods:   []string{"EXAMINE"},
		Subjects:  b.subjects(),
		Collected: b.ts(o.HeldAt),
	}
}

func (b *builder) recordUUID(r comms.Record) string {
	return objectUUID("record", b.tenant, b.plan, strconv.FormatInt(r.Seq, 10), r.Hash)
}

// records returns the records the assessment shows as evidence: those
// answering an occurrence and those ad hoc, never a drill's, once each,
// by sequence number, each with the occurrence it answers (nil for ad
// hoc).
func (b *builder) records() []recordAt {
	rep := b.rep
	bySeq := map[int64]recordAt{}
	for i := range rep.Occurrences {
		o := &rep.Occurrences[i]
		if o.Record != nil && !o.Record.Drill {
			if _, dup := bySeq[o.Record.Seq]; !dup {
				bySeq[o.Record.Seq] = recordAt{r: *o.Record, occ: o}
			}
		}
	}
	for _, r := range rep.AdHoc {
		if r.Drill {
			continue
		}
		if _, dup := bySeq[r.Seq]; !dup {
			bySeq[r.Seq] = recordAt{r: r}
		}
	}
	out := make([]recordAt, 0, len(bySeq))
	for _, ra := range bySeq {
		out = append(out, ra)
	}
	slices.SortFunc(out, func(x, y recordAt) int { return cmp.Compare(x.r.Seq, y.r.Seq) })
	return out
}

type recordAt struct {
	r   comms.Record
	occ *evidence.Occurrence
}

// localDefinitions defines the plan component that every observation's
// subject names: in the assessment results' result, and in the POA&M,
// which imports no system security plan to define it.
func (b *builder) localDefinitions() *localDefinitions {
	desc := fmt.Sprintf("The ISMS communication plan %s of %s (ISO/IEC 27001:2022 clause 7.4): what is communicated, when, to whom, how and by whom.", b.plan, b.party())
	if b.planVersion > 0 {
		desc += fmt.Sprintf(" Version %d is in force.", b.planVersion)
	}
	return &localDefinitions{Components: []component{{
		UUID:        b.planComponent,
		Type:        "plan",
		Title:       line(fmt.Sprintf("Communication plan %s", b.plan)),
		Description: markup(desc),
		Props:       props("plan-id", b.plan, "plan-version", itoa(b.planVersion)),
		Links:       []link{{Href: "#" + b.planResource, Rel: "reference"}},
		Status:      componentStatus{State: "operational"},
	}}}
}

func (b *builder) subjects() []subjectRef {
	return []subjectRef{{SubjectUUID: b.planComponent, Type: "component"}}
}

func (b *builder) recordObservation(ra recordAt) observation {
	r := ra.r
	typ := string(r.Type)
	if typ == "" {
		typ = string(comms.RecordTypeSent)
	}
	what := "ad hoc (no planned activity)"
	if r.ActivityID != "" {
		what = "for activity " + r.ActivityID
	}
	if ra.occ != nil {
		what += " (" + ra.occ.Activity + ")"
		if !ra.occ.At.IsZero() && ra.occ.EventID == "" {
			what += ", occurrence of " + local(ra.occ.At)
		}
	}
	if r.EventID != "" {
		what += ", event " + r.EventID
	}
	desc := fmt.Sprintf("Record %d of the tenant's log, of type %s, %s: sent %s", r.Seq, typ, what, local(r.SentAt))
	if r.Channel != "" {
		desc += " via " + r.Channel
	}
	if len(r.Audiences) > 0 {
		desc += " to " + strings.Join(r.Audiences, ", ")
	}
	if !r.RecordedAt.IsZero() {
		desc += "; recorded " + local(r.RecordedAt)
	}
	desc += "."
	if ra.occ != nil {
		desc += " The assessment judges the occurrence it answers " + string(ra.occ.Status) + "."
	}
	collected := r.RecordedAt
	if collected.IsZero() {
		collected = r.SentAt
	}
	ev := relevantEvidence{
		Href: "#" + b.logResource,
		Description: markup(fmt.Sprintf("Record %d of the hash-chained log: SHA-256 %s (the hash of record %d before it: %s).",
			r.Seq, orNone(r.Hash), r.Seq-1, orNone(r.PrevHash))),
		Props: props("record-seq", strconv.FormatInt(r.Seq, 10), "record-hash", r.Hash, "record-prev-hash", r.PrevHash, "content-digest", r.Digest),
	}
	status := ""
	if ra.occ != nil {
		status = string(ra.occ.Status)
	}
	occurrence := ""
	if ra.occ != nil && ra.occ.EventID == "" && !ra.occ.At.IsZero() {
		occurrence = b.ts(ra.occ.At)
	}
	return observation{
		UUID:        b.recordUUID(r),
		Title:       line(fmt.Sprintf("Record %d: %s", r.Seq, firstText(r.Subject, r.ActivityID, "ad hoc communication"))),
		Description: markup(desc),
		Props: props("tenant", b.tenant, "plan-id", firstText(r.PlanID, b.plan), "plan-version", itoa(r.PlanVersion),
			"activity-id", r.ActivityID, "event-id", r.EventID, "occurrence", occurrence, "record-type", typ,
			"sent-at", b.ts(r.SentAt), "channel", r.Channel, "status", status),
		Methods:          []string{"EXAMINE"},
		Subjects:         b.subjects(),
		RelevantEvidence: []relevantEvidence{ev},
		Collected:        b.ts(collected),
	}
}

func (b *builder) absenceObservation(j judged) observation {
	o := j.occ
	c := b.rep.Chain
	var basis string
	switch {
	case c.Checked && c.OK:
		basis = fmt.Sprintf("the %d records of the verified chain (head %s)", c.Verified, c.HeadHash)
	case c.Checked:
		basis = fmt.Sprintf("the records read from a chain broken at record %d", c.Seq)
	default:
		basis = "the records given to the assessment (the chain was not verified)"
	}
	return observation{
		UUID:  j.observation,
		Title: line(fmt.Sprintf("No record: %s, due %s", o.Activity, local(o.Due))),
		Description: markup(fmt.Sprintf("No record in the log answers %s of activity %s (%s), planned %s and due %s: examined %s as of %s.",
			occName(o), o.ActivityID, o.Activity, local(o.At), local(o.Due), basis, local(b.rep.Now))),
		Props: props("tenant", b.tenant, "plan-id", b.plan, "plan-version", itoa(o.PlanVersion), "activity-id", o.ActivityID,
			"event-id", o.EventID, "planned", b.ts(o.At), "due", b.ts(o.Due), "status", string(o.Status)),
		Methods:          []string{"EXAMINE"},
		Subjects:         b.subjects(),
		RelevantEvidence: []relevantEvidence{{Href: "#" + b.logResource, Description: markup("The log examined: " + basis + ".")}},
		Collected:        b.ts(b.rep.Now),
	}
}

func occName(o evidence.Occurrence) string {
	if o.EventID != "" {
		return "the communication owed for event " + o.EventID
	}
	return "the occurrence"
}

func (b *builder) occurrenceFinding(j judged) finding {
	o := j.occ
	word := "Missed"
	desc := fmt.Sprintf("%s of activity %s (%s), planned %s, was due %s; no record answers it.", capitalize(occName(o)), o.ActivityID, o.Activity, local(o.At), local(o.Due))
	if o.Status == evidence.StatusLate {
		word = "Late"
		desc = fmt.Sprintf("%s of activity %s (%s), planned %s, was due %s; it was sent %s late.", capitalize(occName(o)), o.ActivityID, o.Activity, local(o.At), local(o.Due), o.Delay.Round(time.Minute))
		switch {
		case o.Record != nil:
			desc = strings.TrimSuffix(desc, ".") + fmt.Sprintf(", by record %d.", o.Record.Seq)
		case o.HeldAs != "":
			desc = fmt.Sprintf("%s of activity %s (%s), planned %s, was due %s; it was held as drill %s from %s, %s late.",
				capitalize(occName(o)), o.ActivityID, o.Activity, local(o.At), local(o.Due), o.HeldAs, local(o.HeldAt), o.Delay.Round(time.Minute))
		}
	}
	if len(o.Obligations) > 0 {
		desc += " Legal obligations: " + strings.Join(o.Obligations, ", ")
		if o.Law != "" {
			desc += " (" + o.Law + ")"
		}
		desc += "."
		if o.NotInForce {
			desc += " They are not yet in force for this event: it is owed by the plan alone."
		}
	}
	delay := ""
	if o.Status == evidence.StatusLate {
		delay = strconv.FormatInt(int64(o.Delay/time.Second), 10)
	}
	return finding{
		UUID:        j.finding,
		Title:       line(fmt.Sprintf("%s: %s, due %s", word, o.Activity, local(o.Due))),
		Description: markup(desc),
		Props: props("activity-id", o.ActivityID, "event-id", o.EventID, "planned", b.ts(o.At), "due", b.ts(o.Due),
			"status", string(o.Status), "delay-seconds", delay, "obligations", strings.Join(o.Obligations, " ")),
		Target: target{
			Type:     "statement-id",
			TargetID: token(o.ActivityID),
			Title:    line(o.Activity),
			Status:   targetStatus{State: "not-satisfied", Reason: "fail"},
		},
		RelatedObservations: []relatedObs{{ObservationUUID: j.observation}},
	}
}

// checkUUID identifies a completeness finding of the plan. The n-th
// (from 0) of findings with the same rule, subject and path gets n in its
// name too, so that its UUIDs are its own; the first keeps the UUID it
// has alone.
func (b *builder) checkUUID(kind string, f matrix.Finding, n int) string {
	parts := []string{b.tenant, b.plan, itoa(b.planVersion), f.Rule, string(f.Subject.Kind), f.Subject.ID, f.Path}
	if n > 0 {
		parts = append(parts, strconv.Itoa(n))
	}
	return objectUUID(kind, parts...)
}

func (b *builder) checks() (obs []observation, fs []finding) {
	at := b.rep.Checks.At
	if at.IsZero() {
		at = b.rep.Now
	}
	seen := map[[4]string]int{}
	for _, f := range b.rep.Checks.Findings {
		if f.Waived {
			continue
		}
		k := [4]string{f.Rule, string(f.Subject.Kind), f.Subject.ID, f.Path}
		n := seen[k]
		seen[k]++
		ou := b.checkUUID("check-observation", f, n)
		line0 := ""
		if f.Pos.Line > 0 {
			line0 = itoa(f.Pos.Line)
		}
		desc := f.Message
		if f.Hint != "" {
			desc += " Fix: " + f.Hint
		}
		obs = append(obs, observation{
			UUID:        ou,
			Title:       line(fmt.Sprintf("Plan check %s: %s", f.Rule, f.Subject)),
			Description: markup(firstText(desc, f.Rule)),
			Props: props("rule", f.Rule, "severity", string(f.Severity), "clause", f.Clause, "subject-kind", string(f.Subject.Kind),
				"subject-id", f.Subject.ID, "path", f.Path, "line", line0),
			Methods:   []string{"EXAMINE"},
			Subjects:  b.subjects(),
			Collected: b.ts(at),
		})
		if f.Severity == matrix.SeverityInfo {
			// Info is the least serious severity, advice rather than a shortfall of
			// the plan: an observation, and no finding that it fails.
			continue
		}
		fs = append(fs, finding{
			UUID:        b.checkUUID("check-finding", f, n),
			Title:       line(fmt.Sprintf("%s (%s): %s", f.Rule, f.Severity, f.Subject)),
			Description: markup(firstText(f.Message, f.Rule)),
			Props:       props("severity", string(f.Severity), "clause", f.Clause, "path", f.Path),
			Target: target{
				Type:     "objective-id",
				TargetID: token(f.Rule),
				Title:    line(firstText(f.Clause, f.Rule)),
				Status:   targetStatus{State: "not-satisfied", Reason: "fail"},
			},
			RelatedObservations: []relatedObs{{ObservationUUID: ou}},
		})
	}
	return obs, fs
}

func (b *builder) assessmentResults() ([]byte, error) {
	rep := b.rep
	end := rep.To
	if rep.Now.Before(end) {
		end = rep.Now
	}
	k := rep.KPIs
	res := result{
		UUID:  objectUUID("result", b.tenant, b.plan, b.ts(rep.From), b.ts(rep.To), b.ts(rep.Now)),
		Title: line(fmt.Sprintf("Communication evidence of plan %s, %s", b.plan, b.period())),
		Description: markup(fmt.Sprintf("The communications that plan %s requires in the period, matched against the records in the tenant's log as of %s: "+
			"%d occurrences, %d on time, %d late, %d missed, %d waived, %d due, %d upcoming; %d ad hoc records. "+
			"Drills and their records are not part of these results: a drill's records are no evidence of a real communication.",
			b.plan, local(rep.Now), k.Occurrences, k.OnTime, k.Late, k.Missed, k.Waived, k.Due, k.Upcoming, k.AdHoc)),
		Start: b.ts(rep.From),
		End:   b.ts(end),
		Props: props("occurrences", strconv.Itoa(k.Occurrences), "on-time", strconv.Itoa(k.OnTime), "late", strconv.Itoa(k.Late),
			"missed", strconv.Itoa(k.Missed), "waived", strconv.Itoa(k.Waived), "due", strconv.Itoa(k.Due),
			"upcoming", strconv.Itoa(k.Upcoming), "ad-hoc", strconv.Itoa(k.AdHoc),
			"chain-ok", strconv.FormatBool(rep.Chain.Checked && rep.Chain.OK)),
		LocalDefinitions: b.localDefinitions(),
		ReviewedControls: reviewedControls{
			Description: "ISO/IEC 27001:2022 clause 7.4 (Communication), as the communication plan implements it.",
			ControlSelections: []controlSelection{{
				Description: "Every activity of the communication plan and every completeness check of the plan.",
				IncludeAll:  &struct{}{},
			}},
		},
	}
	if c := rep.Chain; c.Checked && !c.OK {
		res.Remarks = markup(fmt.Sprintf("The record chain is broken at record %d: %s. The results are computed from the records before it and those readable after it.", c.Seq, c.Error))
	} else if !c.Checked {
		res.Remarks = "The record chain was not verified for these results."
	}
	obs, fs := b.checks()
	for _, ra := range b.records() {
		obs = append(obs, b.recordObservation(ra))
	}
	for _, o := range rep.Occurrences {
		if o.Record == nil && o.HeldAs != "" && o.Status == evidence.StatusOnTime {
			obs = append(obs, b.heldObservation(o)) // the late ones come with their findings
		}
	}
	for _, j := range b.judgedOccurrences() {
		switch o := j.occ; {
		case o.Record == nil && o.HeldAs != "":
			obs = append(obs, b.heldObservation(o))
		case o.Record == nil || o.Status != evidence.StatusLate:
			obs = append(obs, b.absenceObservation(j))
		}
		fs = append(fs, b.occurrenceFinding(j))
	}
	res.Observations, res.Findings = obs, fs
	doc := arDocument{AssessmentResults: assessmentResults{
		Metadata: b.metadata(b.defaultTitle("Communication evidence")),
		ImportAP: importAP{
			Href: firstText(b.opts.ImportAP, "#"+b.planResource),
			Remarks: "There is no separate OSCAL assessment plan: the communication plan in the back-matter is the plan the communications were assessed against. " +
				"The href is a URI fragment naming that back-matter resource, as OSCAL's import-ap allows.",
		},
		Results:    []result{res},
		BackMatter: b.backMatter(),
	}}
	if b.opts.ImportAP != "" {
		doc.AssessmentResults.ImportAP.Remarks = ""
	}
	return b.finish(&doc.AssessmentResults.UUID, &doc)
}

func (b *builder) poam() ([]byte, error) {
	var items []poamItem
	var obs []observation
	var fs []finding
	records := map[int64]recordAt{}
	for _, ra := range b.records() {
		records[ra.r.Seq] = ra
	}
	for _, j := range b.judgedOccurrences() {
		o := j.occ
		var title, desc string
		switch {
		case o.Status == evidence.StatusMissed:
			obs = append(obs, b.absenceObservation(j))
			title = fmt.Sprintf("Missed communication: %s, due %s", o.Activity, local(o.Due))
			desc = fmt.Sprintf("%s of activity %s (%s), planned %s, was due %s and no record answers it. "+
				"Send it (or record that it was sent, or a waiver with its reason), and find out why the plan was not followed.",
				capitalize(occName(o)), o.ActivityID, o.Activity, local(o.At), local(o.Due))
		case o.Status == evidence.StatusLate && o.Record != nil && len(o.Obligations) > 0 && !o.NotInForce:
			// A legal notification sent after its deadline: done, but the
			// deadline was missed, which is a finding to remediate. Other
			// late communications are done, though late: a finding in the
			// results, nothing to plan.
			ra, ok := records[o.Record.Seq]
			if !ok {
				ra = recordAt{r: *o.Record}
			}
			if ob := b.recordObservation(ra); !slices.ContainsFunc(obs, func(x observation) bool { return x.UUID == ob.UUID }) {
				obs = append(obs, ob)
			}
			title = fmt.Sprintf("Late legal notification: %s, due %s", o.Activity, local(o.Due))
			desc = fmt.Sprintf("%s of activity %s (%s), planned %s, was due %s and was sent %s late, by record %d. "+
				"Record the reasons for the delay (GDPR Art. 33(1), for one, requires them with a late notification) "+
				"and find out why the deadline was missed.",
				capitalize(occName(o)), o.ActivityID, o.Activity, local(o.At), local(o.Due), o.Delay.Round(time.Minute), o.Record.Seq)
		default:
			continue
		}
		fs = append(fs, b.occurrenceFinding(j))
		if len(o.Obligations) > 0 {
			desc += " Legal obligations: " + strings.Join(o.Obligations, ", ") + "."
		}
		items = append(items, poamItem{
			UUID:        j.poamKey,
			Title:       line(title),
			Description: markup(desc),
			Props: props("activity-id", o.ActivityID, "event-id", o.EventID, "planned", b.ts(o.At), "due", b.ts(o.Due),
				"status", string(o.Status), "obligations", strings.Join(o.Obligations, " ")),
			RelatedFindings:     []relatedFinding{{FindingUUID: j.finding}},
			RelatedObservations: []relatedObs{{ObservationUUID: j.observation}},
		})
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%w in plan %s as of %s", ErrNothingToRemediate, b.plan, b.rep.Now.Format(time.RFC3339))
	}
	doc := poamDocument{POAM: poam{
		Metadata:     b.metadata(b.defaultTitle("Plan of action and milestones for communication")),
		SystemID:     &systemID{IdentifierType: "https://ietf.org/rfc/rfc4122", ID: objectUUID("system", b.tenant, b.plan)},
		LocalDefs:    b.localDefinitions(),
		Observations: obs,
		Findings:     fs,
		Items:        items,
		BackMatter:   b.backMatter(),
	}}
	return b.finish(&doc.POAM.UUID, &doc)
}

// finish gives the document its UUID and returns its bytes. OSCAL wants
// a new document UUID whenever the content changes, and the same one for
// the same content: the UUID is the version 5 UUID of the SHA-256 of the
// document written without it.
func (b *builder) finish(uuid *string, doc any) ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	*uuid = "00000000-0000-5000-8000-000000000000"
	body, err := marshal(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	*uuid = objectUUID("document", hex.EncodeToString(sum[:]))
	return marshal(doc)
}

func marshal(doc any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("oscal: encode: %w", err)
	}
	return bidi.Replace(buf.String()), nil
}

// bidi spells out the bidirectional formatting characters, which JSON
// may carry raw but a reader's terminal or editor obeys: as \u escapes,
// as evidence.Assessment.WriteJSON writes them. They can only occur
// inside strings (the rest of the document is ASCII).
var bidi = func() *byteReplacer {
	var pairs []string
	for _, r := range []rune{0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
		pairs = append(pairs, string(r), fmt.Sprintf(`\u%04x`, r))
	}
	return &byteReplacer{strings.NewReplacer(pairs...)}
}()

type byteReplacer struct{ r *strings.Replacer }

func (b *byteReplacer) Replace(s string) []byte { return []byte(b.r.Replace(s)) }

// props returns name/value pairs as props in [NS], leaving out those whose
// value is empty after [stringValue].
func props(kv ...string) []prop {
	var out []prop
	for i := 0; i+1 < len(kv); i += 2 {
		if v := stringValue(kv[i+1]); v != "" {
			out = append(out, prop{Name: kv[i], NS: NS, Value: v})
		}
	}
	return out
}

// stringValue makes s an OSCAL string, which OSCAL's StringDatatype
// pattern "^\S(.*\S)?$" reads as ECMA-262 does: no leading, trailing or
// other space than single blanks, where space is ECMA-262's white space
// and line terminators ([isSpace]), and control characters count as
// space. Text from records may hold anything.
func stringValue(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return isSpace(r) || unicode.IsControl(r) }), " ")
}

// isSpace reports whether r is in ECMA-262's \s: WhiteSpace (tab, vertical
// tab, form feed, U+FEFF and the space separators, Zs) or LineTerminator
// (LF, CR, U+2028, U+2029). Go's unicode.IsSpace differs: it lacks
// U+FEFF and has U+0085 (a control character, which stringValue drops
// too).
func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0xfeff, 0x2028, 0x2029:
		return true
	}
	return unicode.Is(unicode.Zs, r)
}

// checkURIReference returns an error unless s is empty or a URI
// reference of RFC 3986 §4.1: only its unreserved and reserved
// characters, "%" only before two hex digits, and a scheme, where it has
// one, of letters, digits, "+", "-" and ".", starting with a letter.
func checkURIReference(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("%% at byte %d is not followed by two hex digits", i)
			}
		default:
			return fmt.Errorf("byte %d (%q) is not allowed in a URI reference (RFC 3986: percent-encode it)", i, rune(c))
		}
	}
	if strings.Count(s, "#") > 1 {
		return errors.New("more than one \"#\"")
	}
	if _, err := url.Parse(s); err != nil {
		return err
	}
	if i := strings.IndexAny(s, ":/?#"); i >= 0 && s[i] == ':' {
		if i == 0 || !isSchemeStart(s[0]) || strings.IndexFunc(s[:i], func(r rune) bool { return !isSchemeChar(r) }) >= 0 {
			return fmt.Errorf("%q before the first \":\" is no scheme (a relative reference whose first segment has a \":\" starts with \"./\")", s[:i])
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isSchemeStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '+' || r == '-' || r == '.'
}

// line makes s one line of text (a title).
func line(s string) markup { return markup(stringValue(s)) }

// token makes an ID an OSCAL token (an XML NCName: a letter or "_"
// first). Plan and rule IDs are letters, digits, ".", "_" and "-"; one
// that starts with a digit, ".", or "-" gets a leading "_".
func token(id string) string {
	if id == "" {
		return "_"
	}
	r := []rune(id)[0]
	if !unicode.IsLetter(r) && r != '_' {
		id = "_" + id
	}
	var b strings.Builder
	for _, r := range id {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}

// itoa writes a positive number (a plan version, a line), and 0 as
// nothing: unknown.
func itoa(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func firstText(ss ...string) string {
	for _, s := range ss {
		if v := stringValue(s); v != "" {
			return v
		}
	}
	return ""
}

func orNone(s string) string { return cmp.Or(s, "none") }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
