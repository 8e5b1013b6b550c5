package regulation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/regulation"
)

// The rows of ../shared/reference/notification-deadlines.md by evidence
// level. Every P row ships as primary, every S row as secondary, and
// nothing else ships (no U row).
var (
	primaryRows = []string{
		"gdpr-art33", "gdpr-art33-processor", "gdpr-art34", "nis2-early-warning", "nis2-notification",
		"nis2-intermediate", "nis2-final", "nis2-progress", "nis2-recipients", "dora-initial",
		"dora-intermediate", "dora-final", "hipaa-individuals", "hipaa-media",
		"hipaa-hhs-500", "hipaa-hhs-small", "hipaa-ba", "ftc-hbnr", "us-bank-36h", "nydfs-500-17",
		"au-ndb-assess", "au-ndb-oaic", "au-soci-critical", "sg-pdpa-assess", "sg-pdpa-pdpc",
		"ca-pipeda", "jp-appi-prelim", "jp-appi-final", "cn-pipl", "ch-fadp",
	}
	secondaryRows = []string{
		"dora-clients", "cra-early-warning", "uk-gdpr-art33", "sec-8k-105", "ftc-safeguards",
		"nydfs-extortion", "circia", "ca-1798-82", "cert-in", "au-soci-other", "au-cps234", "br-lgpd",
		"kr-pipa", "cn-cac", "za-popia",
	}
	// mixedRows are P/S rows: they ship at their weakest level, secondary.
	mixedRows = []string{"dora-weekend"}
)

func TestCatalogMatchesReference(t *testing.T) {
	all := regulation.All()
	var ids []string
	for _, o := range all {
		if o.VariantOf != "" {
			// A labelled variant of a row (cn-cac-cii): the row's level.
			base, ok := regulation.Lookup(o.VariantOf)
			if !ok || base.VariantOf != "" || o.Evidence != base.Evidence || o.Effective != base.Effective || !strings.Contains(o.Note, "variant of "+o.VariantOf) {
				t.Errorf("%s: a variant of %q must share its row's evidence and effective date and say so in its note", o.ID, o.VariantOf)
			}
			continue
		}
		ids = append(ids, o.ID)
		switch {
		case slices.Contains(mixedRows, o.ID):
			if o.Evidence != regulation.EvidenceLevelSecondary || !strings.Contains(o.Note, "Primary:") || !strings.Contains(o.Note, "Secondary sources only") {
				t.Errorf("%s is a P/S row: it must ship as secondary and say which part is which (%s)", o.ID, o.Evidence)
			}
		case slices.Contains(primaryRows, o.ID):
			if o.Evidence != regulation.EvidenceLevelPrimary {
				t.Errorf("%s is a P row but ships as %s", o.ID, o.Evidence)
			}
		case slices.Contains(secondaryRows, o.ID):
			if o.Evidence != regulation.EvidenceLevelSecondary || !strings.Contains(o.Note, "econdary") {
				t.Errorf("%s is an S row: it must ship as secondary and say so in its note (%s)", o.ID, o.Evidence)
			}
		default:
			t.Errorf("%s is not a P or S row of the reference", o.ID)
		}
	}
	for _, id := range slices.Concat(primaryRows, secondaryRows, mixedRows) {
		if !slices.Contains(ids, id) {
			t.Errorf("reference row %s is missing", id)
		}
	}
	if c, ok := regulation.Lookup("circia"); !ok || c.Status != regulation.LegalStatusProposed || !strings.Contains(c.Note, "not law") {
		t.Errorf("CIRCIA must be marked a proposal: %+v", c)
	}
	if g, _ := regulation.Lookup("gdpr-art33"); !strings.Contains(g.Note, "where feasible") {
		t.Error("GDPR Art. 33's note must keep \"where feasible\"")
	}
}

// Every entry is complete and consistent; every ID is unique.
func TestCatalogComplete(t *testing.T) {
	seen := map[string]bool{}
	all := regulation.All()
	known := func(id string) bool { _, ok := regulation.Lookup(id); return ok }
	milestone := func(s string) bool {
		if id, ok := strings.CutPrefix(s, regulation.SubmittedPrefix); ok {
			return known(id)
		}
		_, _, ok := comms.Timing{Trigger: s}.TriggerParts()
		return ok && strings.HasPrefix(s, "incident.")
	}
	for _, o := range all {
		if seen[o.ID] {
			t.Errorf("duplicate ID %s", o.ID)
		}
		seen[o.ID] = true
		for field, v := range map[string]string{"jurisdiction": o.Jurisdiction, "instrument": o.Instrument, "article": o.Article,
			"notifier": o.Notifier, "source": o.Source, "note": o.Note, "trigger": o.Trigger} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: no %s", o.ID, field)
			}
		}
		if len(o.Recipients) == 0 {
			t.Errorf("%s: no recipients", o.ID)
		}
		for _, r := range o.Recipients {
			if r.Name == "" || len(r.Kinds) == 0 {
				t.Errorf("%s: recipient %+v incomplete", o.ID, r)
			}
			for _, k := range r.Kinds {
				if !k.Valid() {
					t.Errorf("%s: unknown stakeholder kind %q", o.ID, k)
				}
			}
		}
		if !milestone(o.Trigger) {
			t.Errorf("%s: trigger %q is not a milestone or a submission of a known obligation", o.ID, o.Trigger)
		}
		clocks := slices.Clone(o.Clocks)
		fids := map[string]bool{}
		for _, f := range o.FollowUps {
			if f.Name == "" || f.ID == "" || fids[f.ID] {
				t.Errorf("%s: follow-up without a name or a unique id: %+v", o.ID, f)
			}
			fids[f.ID] = true
			clocks = append(clocks, f.Clocks...)
			if f.Trigger != "" && !milestone(f.Trigger) {
				t.Errorf("%s.%s: trigger %q", o.ID, f.ID, f.Trigger)
			}
			fo, ok := regulation.Lookup(o.ID + "." + f.ID)
			if !ok || fo.FollowUpOf != o.ID || fo.Evidence != o.Evidence || fo.Status != o.Status || fo.Effective != o.Effective {
				t.Errorf("%s.%s: Lookup = %+v, %v: not a follow-up with its obligation's standing", o.ID, f.ID, fo, ok)
			}
			if len(f.Clocks) == 0 && !f.UndueDelay && !strings.Contains(f.Name, "not in the reference") {
				t.Errorf("%s.%s: no clock, not \"without undue delay\", and its name does not say why", o.ID, f.ID)
			}
		}
		for _, c := range clocks {
			if !milestone(c.From) || c.Within.IsZero() || (c.Anchor != "" && c.Anchor != "end-of-year") ||
				(c.Submission != "" && (!strings.HasPrefix(c.From, regulation.SubmittedPrefix) || (c.Submission != regulation.SubmissionFirst && c.Submission != regulation.SubmissionLatest))) {
				t.Errorf("%s: bad clock %+v", o.ID, c)
			}
		}
		if len(o.Clocks) == 0 && !o.UndueDelay && o.ID != "nis2-intermediate" && o.ID != "dora-weekend" {
			t.Errorf("%s: neither a deadline nor \"without undue delay\"", o.ID)
		}
		for _, s := range o.Stages {
			if !known(s) {
				t.Errorf("%s: unknown stage %s", o.ID, s)
			}
		}
		if o.Evidence != regulation.EvidenceLevelPrimary && o.Evidence != regulation.EvidenceLevelSecondary {
			t.Errorf("%s: evidence %q", o.ID, o.Evidence)
		}
		if o.Status != regulation.LegalStatusInForce && o.Status != regulation.LegalStatusProposed {
			t.Errorf("%s: status %q", o.ID, o.Status)
		}
		if _, err := o.DayCalendar(nil, 2026); err != nil {
			t.Errorf("%s: %v", o.ID, err)
		}
	}
	for _, p := range regulation.Profiles() {
		ids, _ := regulation.ProfileIDs(p)
		for _, id := range ids {
			if !known(id) {
				t.Errorf("profile %s: unknown obligation %s", p, id)
			}
		}
	}
}

// US federal holidays by 5 U.S.C. 6103, observed dates included.
func TestUSFederalHolidays(t *testing.T) {
	got, ok := regulation.Holidays("us-federal", 2026)
	if !ok {
		t.Fatal("no us-federal calendar")
	}
	var s []string
	for _, d := range got {
		s = append(s, d.String())
	}
	want := []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"}
	if !slices.Equal(s, want) {
		t.Errorf("2026:\n got %v\nwant %v", s, want)
	}
	got, _ = regulation.Holidays("us-federal", 2027) // 25 Dec and 1 Jan 2028 fall on Saturdays
	if got[len(got)-1].String() != "2027-12-24" || got[5].String() != "2027-07-05" {
		t.Errorf("2027 observed dates: %v", got)
	}
}

type ms map[string]string // milestone → "2006-01-02 15:04" local

func event(t *testing.T, loc *time.Location, milestones ms) comms.Event {
	t.Helper()
	e := comms.Event{ID: "inc-1", Kind: "incident"}
	for name, at := range milestones {
		tt, err := time.ParseInLocation("2006-01-02 15:04", at, loc)
		if err != nil {
			t.Fatal(err)
		}
		e.Milestones = append(e.Milestones, comms.Milestone{Name: name, At: tt})
	}
	return e
}

func load(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Each obligation's deadline, reproduced with a worked example.
func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		id        string
		zone      string
		events    ms
		submitted ms
		want      string // due, local; "" for no hard deadline
		undue     bool
		notYet    bool
	}{
		// Friday 6 March 2026 16:00 detection; awareness Saturday 10:00 (Berlin).
		{"gdpr-art33", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "2026-03-10 10:00:00 +0100", true, false},
		{"gdpr-art33", "Europe/Berlin", ms{"detected": "2026-03-06 16:00"}, nil, "", false, true},
		{"gdpr-art33-processor", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "", true, false},
		{"gdpr-art34", "Europe/Berlin", ms{"high-risk": "2026-03-08 12:00"}, nil, "", true, false},
		{"uk-gdpr-art33", "Europe/London", ms{"aware": "2026-03-27 10:00"}, nil, "2026-03-30 11:00:00 +0100", true, false}, // 72 elapsed hours across BST
		{"nis2-early-warning", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "2026-03-08 10:00:00 +0100", false, false},
		{"nis2-notification", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "2026-03-10 10:00:00 +0100", false, false},
		// Row nis2-notification: "H:72 (trust service providers: H:24)".
		{"nis2-notification-tsp", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "2026-03-08 10:00:00 +0100", false, false},
		{"nis2-intermediate", "Europe/Berlin", ms{"authority-request": "2026-03-12 09:00"}, nil, "", false, false},
		// NIS2 final: one month after the notification was actually sent.
		{"nis2-final", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "", false, true},
		{"nis2-final", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, ms{"nis2-notification": "2026-03-09 11:00"}, "2026-04-09 23:59:59 +0200", false, false},
		// A month after 31 January is Saturday 28 February: Regulation
		// 1182/71 Art. 3(4) (reference note 5) ends it with Monday 2 March.
		{"nis2-progress", "Europe/Berlin", ms{}, ms{"nis2-notification": "2026-01-31 11:00"}, "2026-03-02 23:59:59 +0100", false, false},
		{"nis2-recipients", "Europe/Berlin", ms{"aware": "2026-03-07 10:00"}, nil, "", true, false},
		// DORA initial: 4h from classification, no later than 24h from awareness...
		{"dora-initial", "Europe/Berlin", ms{"aware": "2026-03-09 09:00", "classified": "2026-03-09 11:00"}, nil, "2026-03-09 15:00:00 +0100", false, false},
		{"dora-initial", "Europe/Berlin", ms{"aware": "2026-03-09 09:00", "classified": "2026-03-10 07:00"}, nil, "2026-03-10 09:00:00 +0100", false, false},
		// ...unless classified after those 24 hours: then 4h from classification
		// (RTS Art. 5(2)). Classified 30 hours after awareness:
		{"dora-initial", "Europe/Berlin", ms{"aware": "2026-03-09 09:00", "classified": "2026-03-10 15:00"}, nil, "2026-03-10 19:00:00 +0100", false, false},
		{"dora-initial", "Europe/Berlin", ms{"aware": "2026-03-09 09:00"}, nil, "", false, true},
		{"dora-intermediate", "Europe/Berlin", ms{}, ms{"dora-initial": "2026-03-10 18:30"}, "2026-03-13 18:30:00 +0100", false, false},
		{"dora-final", "Europe/Berlin", ms{}, ms{"dora-intermediate": "2026-03-13 17:00"}, "2026-04-13 23:59:59 +0200", false, false},
		{"dora-weekend", "Europe/Berlin", ms{"classified": "2026-03-10 15:00"}, nil, "", false, false},
		{"dora-clients", "Europe/Berlin", ms{"classified": "2026-03-10 15:00"}, nil, "", true, false},
		{"cra-early-warning", "Europe/Berlin", ms{"aware": "2026-10-02 16:00"}, nil, "2026-10-03 16:00:00 +0200", false, false},
		// SEC 8-K: determined on the Wednesday before Thanksgiving; four US
		// federal business days later is the following Wednesday.
		{"sec-8k-105", "America/Los_Angeles", ms{"material": "2026-11-25 09:00"}, nil, "2026-12-02 23:59:59 -0500", false, false},
		{"hipaa-individuals", "America/New_York", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-03-11 23:59:59 -0400", true, false},
		// Row hipaa-media states CD:60 only: no "without undue delay" flag.
		{"hipaa-media", "America/New_York", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-03-11 23:59:59 -0400", false, false},
		{"hipaa-hhs-500", "America/New_York", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-03-11 23:59:59 -0400", false, false},
		{"hipaa-hhs-small", "America/New_York", ms{"discovered": "2026-05-05 14:00"}, nil, "2027-03-01 23:59:59 -0500", false, false},
		{"hipaa-ba", "America/Chicago", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-03-11 23:59:59 -0500", true, false},
		{"ftc-safeguards", "America/New_York", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-02-09 23:59:59 -0500", false, false},
		{"ftc-hbnr", "America/New_York", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-03-11 23:59:59 -0400", false, false},
		// 36 elapsed hours, across the change to daylight time on 8 March.
		{"us-bank-36h", "America/New_York", ms{"determined": "2026-03-06 16:00"}, nil, "2026-03-08 05:00:00 -0400", false, false},
		{"nydfs-500-17", "America/New_York", ms{"determined": "2026-03-06 16:00"}, nil, "2026-03-09 17:00:00 -0400", false, false},
		{"nydfs-extortion", "America/New_York", ms{"ransom-paid": "2026-03-06 16:00"}, nil, "2026-03-07 16:00:00 -0500", false, false},
		// Row circia: "reasonable belief of covered incident / ransom paid".
		{"circia", "America/New_York", ms{"believed": "2026-03-06 16:00"}, nil, "2026-03-09 17:00:00 -0400", false, false},
		{"circia", "America/New_York", ms{"aware": "2026-03-06 16:00"}, nil, "", false, true},
		{"ca-1798-82", "America/Los_Angeles", ms{"discovered": "2026-01-10 14:00"}, nil, "2026-02-09 23:59:59 -0800", false, false},
		{"cert-in", "Asia/Kolkata", ms{"detected": "2026-03-06 22:00"}, nil, "2026-03-07 04:00:00 +0530", false, false},
		{"au-ndb-assess", "Australia/Sydney", ms{"suspected": "2026-03-06 10:00"}, nil, "2026-04-05 23:59:59 +1000", false, false},
		{"au-ndb-oaic", "Australia/Sydney", ms{"believed": "2026-03-06 10:00"}, nil, "", true, false},
		{"au-soci-critical", "Australia/Sydney", ms{"aware": "2026-03-06 22:00"}, nil, "2026-03-07 10:00:00 +1100", false, false},
		{"au-soci-other", "Australia/Sydney", ms{"aware": "2026-03-06 22:00"}, nil, "2026-03-09 22:00:00 +1100", false, false},
		{"au-cps234", "Australia/Sydney", ms{"aware": "2026-03-06 22:00"}, nil, "2026-03-09 22:00:00 +1100", false, false},
		{"sg-pdpa-assess", "Asia/Singapore", ms{"suspected": "2026-03-02 14:00"}, nil, "", true, false},
		// Three days after the day of assessment, that day not counted.
		{"sg-pdpa-pdpc", "Asia/Singapore", ms{"assessed": "2026-03-02 14:00"}, nil, "2026-03-05 23:59:59 +0800", false, false},
		// Three working days from Friday: Monday, Tuesday, Wednesday.
		{"br-lgpd", "America/Sao_Paulo", ms{"aware": "2026-03-06 10:00"}, nil, "2026-03-11 23:59:59 -0300", false, false},
		{"ca-pipeda", "America/Toronto", ms{"determined": "2026-03-06 10:00"}, nil, "", true, false},
		{"jp-appi-prelim", "Asia/Tokyo", ms{"aware": "2026-03-06 10:00"}, nil, "", true, false},
		{"jp-appi-final", "Asia/Tokyo", ms{"aware": "2026-03-06 10:00"}, nil, "2026-04-05 23:59:59 +0900", false, false},
		{"kr-pipa", "Asia/Seoul", ms{"aware": "2026-03-06 10:00"}, nil, "2026-03-09 10:00:00 +0900", false, false},
		{"cn-cac", "Asia/Shanghai", ms{"discovered": "2026-03-06 10:00"}, nil, "2026-03-06 14:00:00 +0800", false, false},
		// Row cn-cac: CII operators H:1, central units H:2.
		{"cn-cac-cii", "Asia/Shanghai", ms{"discovered": "2026-03-06 10:00"}, nil, "2026-03-06 11:00:00 +0800", false, false},
		{"cn-cac-central", "Asia/Shanghai", ms{"discovered": "2026-03-06 10:00"}, nil, "2026-03-06 12:00:00 +0800", false, false},
		{"cn-pipl", "Asia/Shanghai", ms{"aware": "2026-03-06 10:00"}, nil, "", true, false},
		{"ch-fadp", "Europe/Zurich", ms{"high-risk": "2026-03-06 10:00"}, nil, "", true, false},
		{"za-popia", "Africa/Johannesburg", ms{"discovered": "2026-03-06 10:00"}, nil, "", true, false},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.id] = true
		o, ok := regulation.Lookup(tc.id)
		if !ok {
			t.Fatalf("no obligation %s", tc.id)
		}
		loc := load(t, tc.zone)
		submitted := map[string]time.Time{}
		for id, at := range tc.submitted {
			tt, _ := time.ParseInLocation("2006-01-02 15:04", at, loc)
			submitted[id] = tt
		}
		d, arisen, err := o.DeadlineFor(event(t, loc, tc.events), submitted, loc)
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		if arisen == tc.notYet {
			t.Errorf("%s %v: arisen = %v", tc.id, tc.events, arisen)
			continue
		}
		got := ""
		if !d.At.IsZero() {
			got = d.At.In(load(t, dueZone(tc.id, tc.zone))).Format("2006-01-02 15:04:05 -0700")
		}
		if got != tc.want || d.UndueDelay != tc.undue {
			t.Errorf("%s %v: due %q (undue delay %v), want %q (%v)", tc.id, tc.events, got, d.UndueDelay, tc.want, tc.undue)
		}
	}
	for _, o := range regulation.All() {
		if !covered[o.ID] {
			t.Errorf("no worked example for %s", o.ID)
		}
	}
}

// dueZone is where a due time is shown: the SEC counts in New York time.
func dueZone(id, zone string) string {
	if id == "sec-8k-105" {
		return "America/New_York"
	}
	return zone
}
