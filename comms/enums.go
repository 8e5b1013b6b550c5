package comms

import "slices"

// Scope says whether a stakeholder is inside or outside the organization,
// and which side of it a channel can reach.
type Scope string

// Scopes. Values are persisted; their meaning never changes.
const (
	ScopeInternal Scope = "internal"
	ScopeExternal Scope = "external"
)

// Scopes lists every Scope.
func Scopes() []Scope { return []Scope{ScopeInternal, ScopeExternal} }

// Valid reports whether s is a known Scope.
func (s Scope) Valid() bool { return slices.Contains(Scopes(), s) }

// Classification is the sensitivity of a message, and the highest
// sensitivity a channel may carry. Classifications are ordered:
// ClassPublic < ClassInternal < ClassConfidential < ClassRestricted.
type Classification string

// Classifications, from least to most sensitive.
const (
	ClassificationPublic       Classification = "public"
	ClassificationInternal     Classification = "internal"
	ClassificationConfidential Classification = "confidential"
	ClassificationRestricted   Classification = "restricted"
)

// Classifications lists every Classification from least to most sensitive.
func Classifications() []Classification {
	return []Classification{ClassificationPublic, ClassificationInternal, ClassificationConfidential, ClassificationRestricted}
}

// Valid reports whether c is a known Classification.
func (c Classification) Valid() bool { return c.Rank() > 0 }

// Rank returns 1 for public up to 4 for restricted, and 0 for an unknown
// or empty classification.
func (c Classification) Rank() int { return slices.Index(Classifications(), c) + 1 }

// Above reports whether c is more sensitive than d. An unknown value is
// treated as less sensitive than every known one.
func (c Classification) Above(d Classification) bool { return c.Rank() > d.Rank() }

// Topic is what an activity is about. The checks in package matrix key on
// topics (a policy activity, an awareness activity, ...).
type Topic string

// Topics. Values are persisted; new ones are added at the end.
const (
	TopicPolicy             Topic = "policy"
	TopicPolicyChange       Topic = "policy-change"
	TopicRoles              Topic = "roles"
	TopicAwareness          Topic = "awareness"
	TopicTraining           Topic = "training"
	TopicIncidentReporting  Topic = "incident-reporting"
	TopicIncident           Topic = "incident"
	TopicRisk               Topic = "risk"
	TopicInternalAudit      Topic = "internal-audit"
	TopicExternalAudit      Topic = "external-audit"
	TopicManagementReview   Topic = "management-review"
	TopicMetrics            Topic = "metrics"
	TopicRegulatoryUpdate   Topic = "regulatory-update"
	TopicRegulatoryReport   Topic = "regulatory-report"
	TopicAssurance          Topic = "assurance"
	TopicCertification      Topic = "certification"
	TopicImprovement        Topic = "improvement"
	TopicCrisis             Topic = "crisis"
	TopicChange             Topic = "change"
	TopicThreatIntelligence Topic = "threat-intelligence"
	TopicRecognition        Topic = "recognition"
	TopicFeedback           Topic = "feedback"
	// TopicDrill is an exercise of the incident communication plan (the
	// reference: "conduct periodic drills and exercises"); a recurring
	// activity of this topic plans the drills.
	TopicDrill Topic = "drill"
	// TopicLessonsLearned is post-incident communication: lessons learned
	// and preventive measures, typically triggered by incident.closed
	// ([MilestoneClosed]).
	TopicLessonsLearned Topic = "lessons-learned"
	// TopicMediaInquiry is the protocol for answering media inquiries: its
	// activity reaches media stakeholders through an inbound channel
	// ([Channel.Inbound]) and names the spokesperson.
	TopicMediaInquiry Topic = "media-inquiry"
)

// Topics lists every Topic.
func Topics() []Topic {
	return []Topic{
		TopicPolicy, TopicPolicyChange, TopicRoles, TopicAwareness, TopicTraining,
		TopicIncidentReporting, TopicIncident, TopicRisk, TopicInternalAudit,
		TopicExternalAudit, TopicManagementReview, TopicMetrics,
		TopicRegulatoryUpdate, TopicRegulatoryReport, TopicAssurance,
		TopicCertification, TopicImprovement, TopicCrisis, TopicChange,
		TopicThreatIntelligence, TopicRecognition, TopicFeedback,
		TopicDrill, TopicLessonsLearned, TopicMediaInquiry,
	}
}

// Valid reports whether t is a known Topic.
func (t Topic) Valid() bool { return slices.Contains(Topics(), t) }

// StakeholderKind is the kind of an interested party. Checks use it: a
// policy must reach every employees-kind stakeholder, an incident must be
// reported to regulator-kind ones.
type StakeholderKind string

// Stakeholder kinds. Values are persisted; new ones are added at the end.
const (
	StakeholderKindEmployees   StakeholderKind = "employees"
	StakeholderKindManagement  StakeholderKind = "management"
	StakeholderKindDepartment  StakeholderKind = "department"
	StakeholderKindContractors StakeholderKind = "contractors"
	StakeholderKindCustomers   StakeholderKind = "customers"
	StakeholderKindSuppliers   StakeholderKind = "suppliers"
	StakeholderKindPartners    StakeholderKind = "partners"
	StakeholderKindRegulator   StakeholderKind = "regulator"
	StakeholderKindAuditor     StakeholderKind = "auditor"
	StakeholderKindMedia       StakeholderKind = "media"
	StakeholderKindPublic      StakeholderKind = "public"
	StakeholderKindIndustry    StakeholderKind = "industry"
	StakeholderKindCommunity   StakeholderKind = "community"
)

// StakeholderKinds lists every StakeholderKind.
func StakeholderKinds() []StakeholderKind {
	return []StakeholderKind{
		StakeholderKindEmployees, StakeholderKindManagement, StakeholderKindDepartment, StakeholderKindContractors,
		StakeholderKindCustomers, StakeholderKindSuppliers, StakeholderKindPartners, StakeholderKindRegulator, StakeholderKindAuditor,
		StakeholderKindMedia, StakeholderKindPublic, StakeholderKindIndustry, StakeholderKindCommunity,
	}
}

// Valid reports whether k is a known StakeholderKind.
func (k StakeholderKind) Valid() bool { return slices.Contains(StakeholderKinds(), k) }

// ChannelKind is the medium of a channel.
type ChannelKind string

// Channel kinds. Values are persisted; new ones are added at the end.
const (
	ChannelKindEmail        ChannelKind = "email"
	ChannelKindIntranet     ChannelKind = "intranet"
	ChannelKindMeeting      ChannelKind = "meeting"
	ChannelKindTraining     ChannelKind = "training"
	ChannelKindELearning    ChannelKind = "elearning"
	ChannelKindNewsletter   ChannelKind = "newsletter"
	ChannelKindReport       ChannelKind = "report"
	ChannelKindDashboard    ChannelKind = "dashboard"
	ChannelKindLetter       ChannelKind = "letter"
	ChannelKindPortal       ChannelKind = "portal"
	ChannelKindPhone        ChannelKind = "phone"
	ChannelKindPressRelease ChannelKind = "press-release"
	ChannelKindWebsite      ChannelKind = "website"
	ChannelKindSocial       ChannelKind = "social"
	ChannelKindSurvey       ChannelKind = "survey"
	ChannelKindTicketing    ChannelKind = "ticketing"
)

// ChannelKinds lists every ChannelKind.
func ChannelKinds() []ChannelKind {
	return []ChannelKind{
		ChannelKindEmail, ChannelKindIntranet, ChannelKindMeeting, ChannelKindTraining,
		ChannelKindELearning, ChannelKindNewsletter, ChannelKindReport, ChannelKindDashboard,
		ChannelKindLetter, ChannelKindPortal, ChannelKindPhone, ChannelKindPressRelease,
		ChannelKindWebsite, ChannelKindSocial, ChannelKindSurvey, ChannelKindTicketing,
	}
}

// Valid reports whether k is a known ChannelKind.
func (k ChannelKind) Valid() bool { return slices.Contains(ChannelKinds(), k) }

// ChangeClass is the declared class of a change to a message's content
// (see [MessageVersion]).
type ChangeClass string

// Change classes. Values are persisted; their meaning never changes.
const (
	// ChangeMaterial: everyone must acknowledge the new version.
	ChangeMaterial ChangeClass = "material"
	// ChangeMinor: acknowledgements of the version before carry over.
	ChangeMinor ChangeClass = "minor"
)

// ChangeClasses lists every ChangeClass.
func ChangeClasses() []ChangeClass { return []ChangeClass{ChangeMaterial, ChangeMinor} }

// Valid reports whether c is a known ChangeClass.
func (c ChangeClass) Valid() bool { return slices.Contains(ChangeClasses(), c) }
