package sheet

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/ismscomms/ismscomms/comms"
	"github.com/ismscomms/ismscomms/internal/safetext"
)

// field is a column of the matrix.
type field int

const (
	fActivity field = iota
	fMessage
	fAudience
	fMethod
	fTiming
	fOwner
	fNotes
	nFields
)

// fieldNames are the columns' names as the reference writes them.
var fieldNames = [nFields]string{"Communication activity", "Key message", "Target audience", "Communication method", "Timing", "Responsible party", "Notes"}

// headers maps a normalised header (headerKey) to its column.
var headers = map[string]field{
	"activity": fActivity, "activities": fActivity, "communicationactivity": fActivity, "communicationactivities": fActivity,
	"activityname": fActivity, "communication": fActivity, "name": fActivity,
	"keymessage": fMessage, "keymessages": fMessage, "message": fMessage, "messages": fMessage,
	"content": fMessage, "whattocommunicate": fMessage, "what": fMessage,
	"audience": fAudience, "audiences": fAudience, "targetaudience": fAudience, "targetaudiences": fAudience,
	"stakeholders": fAudience, "stakeholder": fAudience, "recipients": fAudience, "recipient": fAudience,
	"whom": fAudience, "withwhom": fAudience, "towhom": fAudience, "interestedparties": fAudience,
	"method": fMethod, "methods": fMethod, "channel": fMethod, "channels": fMethod, "how": fMethod,
	"communicationmethod": fMethod, "communicationmethods": fMethod, "communicationchannel": fMethod,
	"communicationchannels": fMethod, "medium": fMethod,
	"timing": fTiming, "when": fTiming, "frequency": fTiming, "schedule": fTiming, "timeframe": fTiming,
	"owner": fOwner, "owners": fOwner, "responsible": fOwner, "responsibleparty": fOwner, "responsibleparties": fOwner,
	"responsibility": fOwner, "who": fOwner, "whocommunicates": fOwner, "accountable": fOwner,
	"notes": fNotes, "note": fNotes, "comments": fNotes, "comment": fNotes, "remarks": fNotes,
}

// headerKey lower-cases h and drops everything but letters and digits.
func headerKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean makes a cell's text plan text: line ends as LF, invalid UTF-8 and
// control and bidirectional formatting characters removed (each removal
// is returned as a problem), and the quote that keeps a spreadsheet from
// running a formula taken off (see [unguard]). A one-line value (not
// multi) is trimmed, and every run of white space that holds a line break
// or a tab is made one space (a run of spaces alone is kept: "Policy
// communication" with two spaces comes back with two); a multi-line value
// keeps its lines, its tabs and a final line break, and loses only the
// spaces and tabs that start or end it. Text of nothing but white space is
// empty.
func clean(s string, multi bool) (string, string) {
	problem := ""
	if len(s) > MaxCellSize {
		return "", "the cell holds more than " + itoa(MaxCellSize) + " bytes; it is left out"
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
		problem = "bytes that are not UTF-8 text were removed"
	}
	if safetext.Index(s, false) >= 0 {
		s = strings.Map(func(r rune) rune {
			if safetext.Unsafe(r) {
				return -1
			}
			return r
		}, s)
		if problem != "" {
			problem += "; "
		}
		problem += "control or bidirectional formatting characters were removed"
	}
	if strings.TrimSpace(s) == "" {
		return "", problem
	}
	s = unguard(s)
	if multi {
		// Not a tab first either: yaml.v3 writes a block whose first
		// line starts with one as a file it cannot read back.
		return strings.Trim(s, " \t"), problem
	}
	return oneLineText(s), problem
}

// formulaStart are the characters a spreadsheet reads a cell starting
// with as a formula, which ismscomms matrix's CSV guards with a quote.
const formulaStart = "=+-@\t\r"

// unguard undoes the formula guard of ismscomms matrix's CSV writer
// exactly: the writer puts a quote before a cell that starts with one of
// formulaStart, or with quotes and then one of them ("'=x" is written
// "”=x"), so a cell that starts with a quote followed by such a text
// loses that one quote, and any other cell is kept as it is ("'s-Hertogen"
// keeps its quote). A spreadsheet's own text prefix (Excel's ') is not part
// of the value it saves, so no other writer makes such a cell.
func unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' {
		rest := strings.TrimLeft(s[1:], "'")
		if rest != "" && strings.IndexByte(formulaStart, rest[0]) >= 0 {
			return s[1:]
		}
	}
	return s
}

// oneLineText trims s and makes each run of white space that holds
// anything but spaces (a line break, a tab) one space.
func oneLineText(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		j, plain := i, true
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			plain = plain && r == ' '
			j += size
		}
		if plain {
			b.WriteString(s[i:j])
		} else {
			b.WriteByte(' ')
		}
		i = j
	}
	return b.String()
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}

var (
	andWord   = regexp.MustCompile(`(?i)\s+(?:and|&)\s+`)
	numbering = regexp.MustCompile(`^(\d{1,3})(?:[.)]|\s+-)\s+`)
)

// splitList splits a cell's list. A cell that holds a line break is one
// item a line, and nothing else splits it: "Research and Development" on
// a line of its own is one name, as ismscomms matrix's CSV writes lists.
// Any other cell splits on commas, semicolons, slashes (not between
// digits, as in 24/7) and the word "and" (or "&"); andSplit reports
// whether "and" split anything. Items are trimmed, the space inside them
// kept; empty items are left out; an item named twice is returned twice
// (the caller says so).
func splitList(s string) (items []string, andSplit bool) {
	if strings.Contains(s, "\n") {
		for line := range strings.SplitSeq(s, "\n") {
			if item := oneLineText(line); item != "" {
				items = append(items, item)
			}
		}
		return items, false
	}
	last := 0
	part := func(p string) {
		if mayHoldAnd(p) {
			sub := andWord.Split(p, -1)
			andSplit = andSplit || len(sub) > 1
			for _, item := range sub {
				if item = oneLineText(item); item != "" {
					items = append(items, item)
				}
			}
		} else if item := oneLineText(p); item != "" {
			items = append(items, item)
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ',' || c == ';',
			c == '/' && !(i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1])):
			part(s[last:i])
			last = i + 1
		}
	}
	part(s[last:])
	return items, andSplit
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// mayHoldAnd reports whether s holds "&" or the letters "and" in any case:
// only then is the pattern of the word tried.
func mayHoldAnd(s string) bool {
	if strings.IndexByte(s, '&') >= 0 {
		return true
	}
	for i := 0; i+3 <= len(s); i++ {
		if s[i]|0x20 == 'a' && s[i+1]|0x20 == 'n' && s[i+2]|0x20 == 'd' {
			return true
		}
	}
	return false
}

// slug makes an ID of a name: lower-case letters and digits, accents
// dropped, every other run of characters one hyphen, at most max bytes.
func slug(name string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		default:
			dash = b.Len() > 0
			continue
		}
		if b.Len() >= max {
			break
		}
		if dash {
			if b.Len()+1 >= max {
				break
			}
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// words is text prepared for phrase tests: lower case, every run of
// anything but letters and digits one space, with a space at each end.
func words(s string) string {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// has reports whether w (from words) holds a phrase starting at a word:
// "audit" is in "internal audits", not in "laudit".
func has(w string, phrases ...string) bool {
	for _, p := range phrases {
		if strings.Contains(w, " "+p) {
			return true
		}
	}
	return false
}

// topicRules are tried in order on an activity's name and key message:
// the more specific first.
var topicRules = []struct {
	topic comms.Topic
	test  func(w string) bool
}{
	{comms.TopicMediaInquiry, func(w string) bool { return has(w, "media inquir", "media enquir", "press inquir", "press enquir") }},
	{comms.TopicCrisis, func(w string) bool { return has(w, "crisis", "crises") }},
	{comms.TopicDrill, func(w string) bool { return has(w, "drill", "exercise", "tabletop", "simulation") }},
	{comms.TopicLessonsLearned, func(w string) bool { return has(w, "lessons learn", "post incident", "postincident") }},
	{comms.TopicRegulatoryReport, func(w string) bool {
		return has(w, "regulator", "regulatory bod", "regulatory agenc", "authorit", "supervisory") && has(w, "report", "notif", "incident", "breach")
	}},
	{comms.TopicRegulatoryUpdate, func(w string) bool {
		return has(w, "regulat", "legal", "legislat", "compliance", "law") && has(w, "update", "change", "requirement", "new")
	}},
	{comms.TopicIncidentReporting, func(w string) bool {
		return has(w, "reporting procedure", "how to report", "incident reporting", "report incident", "report security event", "report suspicious", "reporting security event")
	}},
	{comms.TopicIncident, func(w string) bool { return has(w, "incident", "breach") }},
	{comms.TopicPolicyChange, func(w string) bool {
		return has(w, "polic") && has(w, "change", "update", "amend", "revision", "revised")
	}},
	{comms.TopicPolicy, func(w string) bool { return has(w, "polic") }},
	{comms.TopicInternalAudit, func(w string) bool { return has(w, "internal audit") }},
	{comms.TopicExternalAudit, func(w string) bool {
		return has(w, "third party audit", "external audit", "external assessment", "certification audit", "surveillance audit")
	}},
	{comms.TopicManagementReview, func(w string) bool { return has(w, "management review") }},
	{comms.TopicAssurance, func(w string) bool { return has(w, "assurance", "assure") }},
	{comms.TopicCertification, func(w string) bool { return has(w, "certification", "certificate") }},
	{comms.TopicRisk, func(w string) bool { return has(w, "risk") }},
	{comms.TopicMetrics, func(w string) bool { return has(w, "metric", "kpi", "dashboard", "measurement") }},
	{comms.TopicAwareness, func(w string) bool { return has(w, "awareness") }},
	{comms.TopicTraining, func(w string) bool { return has(w, "training", "e learning", "elearning", "course") }},
	{comms.TopicImprovement, func(w string) bool { return has(w, "improvement", "improve") }},
	{comms.TopicRecognition, func(w string) bool { return has(w, "recogni", "award", "reward") }},
	{comms.TopicFeedback, func(w string) bool { return has(w, "feedback", "survey") }},
	{comms.TopicThreatIntelligence, func(w string) bool { return has(w, "threat intel", "threat advisor", "threat landscape") }},
	{comms.TopicRoles, func(w string) bool { return has(w, "roles and responsibilities", "roles") }},
	{comms.TopicChange, func(w string) bool { return has(w, "change management", "changes to the isms") }},
}

// topicOf infers an activity's topic from its name and key message, and
// the words it was inferred from.
func topicOf(name, message string) (comms.Topic, bool) {
	w := words(name + " " + message)
	for _, r := range topicRules {
		if r.test(w) {
			return r.topic, true
		}
	}
	return "", false
}

// kindRule infers a stakeholder's kind and scope from its name.
var stakeholderRules = []struct {
	kind  comms.StakeholderKind
	scope comms.Scope
	test  func(w string) bool
}{
	{comms.StakeholderKindAuditor, "", func(w string) bool {
		return has(w, "auditor", "audit team", "audit committee", "assessor", "certification bod")
	}},
	{comms.StakeholderKindRegulator, comms.ScopeExternal, func(w string) bool {
		return has(w, "regulator", "regulatory", "authorit", "supervisory", "dpa ", "csirt", "cert ", "government", "ico ")
	}},
	{comms.StakeholderKindMedia, comms.ScopeExternal, func(w string) bool { return has(w, "media", "press", "journalist", "news") }},
	{comms.StakeholderKindCustomers, comms.ScopeExternal, func(w string) bool { return has(w, "customer", "client") }},
	{comms.StakeholderKindSuppliers, comms.ScopeExternal, func(w string) bool { return has(w, "supplier", "vendor", "service provider") }},
	{comms.StakeholderKindContractors, "", func(w string) bool { return has(w, "contractor", "consultant", "temporary staff", "freelance") }},
	{comms.StakeholderKindPartners, comms.ScopeExternal, func(w string) bool { return has(w, "partner") }},
	{comms.StakeholderKindIndustry, comms.ScopeExternal, func(w string) bool { return has(w, "industry", "isac", "peer") }},
	{comms.StakeholderKindCommunity, comms.ScopeExternal, func(w string) bool { return has(w, "community", "communities") }},
	{comms.StakeholderKindPublic, comms.ScopeExternal, func(w string) bool { return has(w, "public", "citizens") }},
	{comms.StakeholderKindManagement, comms.ScopeInternal, func(w string) bool {
		return has(w, "management", "manager", "executive", "board", "leadership", "director", "c level", "ciso", "ceo")
	}},
	{comms.StakeholderKindEmployees, comms.ScopeInternal, func(w string) bool {
		return has(w, "employee", "staff", "personnel", "workforce", "everyone", "all users", "colleague", "workers")
	}},
	{comms.StakeholderKindDepartment, comms.ScopeInternal, func(w string) bool {
		return has(w, "department", "team", "unit", "division", "officer", "human resources", "hr ", "it ", "legal", "finance", "function")
	}},
}

// stakeholderOf infers a stakeholder's kind and scope from its name.
func stakeholderOf(name string) (comms.StakeholderKind, comms.Scope) {
	w := words(name)
	var scope comms.Scope
	switch {
	case has(w, "external", "third party", "outside"):
		scope = comms.ScopeExternal
	case has(w, "internal"):
		scope = comms.ScopeInternal
	}
	for _, r := range stakeholderRules {
		if r.test(w) {
			if scope == "" {
				scope = r.scope
			}
			return r.kind, scope
		}
	}
	return "", scope
}

// channelRules infer a channel's kind and reach from its name.
var (
	both         = []comms.Scope{comms.ScopeInternal, comms.ScopeExternal}
	internalOnly = []comms.Scope{comms.ScopeInternal}
	externalOnly = []comms.Scope{comms.ScopeExternal}
)

var channelRules = []struct {
	kind  comms.ChannelKind
	reach []comms.Scope
	test  func(w string) bool
}{
	{comms.ChannelKindPressRelease, externalOnly, func(w string) bool { return has(w, "press release", "press statement", "media release") }},
	{comms.ChannelKindELearning, internalOnly, func(w string) bool {
		return has(w, "e learning", "elearning", "online course", "online training", "lms")
	}},
	{comms.ChannelKindIntranet, internalOnly, func(w string) bool {
		return has(w, "intranet", "announcement", "sharepoint", "wiki", "notice board", "noticeboard")
	}},
	{comms.ChannelKindEmail, both, func(w string) bool { return has(w, "email", "e mail", "mailing list") }},
	{comms.ChannelKindNewsletter, internalOnly, func(w string) bool { return has(w, "newsletter", "bulletin") }},
	{comms.ChannelKindDashboard, internalOnly, func(w string) bool { return has(w, "dashboard") }},
	{comms.ChannelKindTraining, internalOnly, func(w string) bool { return has(w, "training", "workshop", "seminar", "course") }},
	{comms.ChannelKindSurvey, both, func(w string) bool { return has(w, "survey", "questionnaire", "poll") }},
	{comms.ChannelKindTicketing, internalOnly, func(w string) bool { return has(w, "ticket", "helpdesk", "help desk", "service desk") }},
	{comms.ChannelKindMeeting, both, func(w string) bool {
		return has(w, "meeting", "briefing", "town hall", "presentation", "in person", "committee")
	}},
	{comms.ChannelKindReport, both, func(w string) bool { return has(w, "report", "certification", "certificate", "attestation") }},
	{comms.ChannelKindLetter, externalOnly, func(w string) bool { return has(w, "letter", "post", "mail") }},
	{comms.ChannelKindPortal, externalOnly, func(w string) bool { return has(w, "portal") }},
	{comms.ChannelKindPhone, both, func(w string) bool { return has(w, "phone", "telephone", "call", "hotline", "press office") }},
	{comms.ChannelKindWebsite, externalOnly, func(w string) bool { return has(w, "website", "web site", "web page", "webpage") }},
	{comms.ChannelKindSocial, externalOnly, func(w string) bool { return has(w, "social", "twitter", "linkedin") }},
}

// channelOf infers a channel's kind and reach from its name.
func channelOf(name string) (comms.ChannelKind, []comms.Scope) {
	w := words(name)
	for _, r := range channelRules {
		if r.test(w) {
			return r.kind, r.reach
		}
	}
	return "", nil
}

// rowNumber returns the row number that starts an activity's name
// ("1. Information Security Policy Communication", "2) …", "3 - …"): the
// name without it, and the number; ok is false when the name has none.
func rowNumber(name string) (rest string, n int, ok bool) {
	m := numbering.FindStringSubmatch(name)
	if m == nil || len(m[0]) == len(name) {
		return name, 0, false
	}
	n, _ = strconv.Atoi(m[1])
	return strings.TrimSpace(name[len(m[0]):]), n, true
}
