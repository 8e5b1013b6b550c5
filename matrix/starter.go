package matrix

import (
	"time"

	"github.com/ismscomms/ismscomms/comms"
)

// Starter returns the communication matrix of the reference text
// (ISO/IEC 27001:2022 Clause 7.4 guide, "Communication Matrix for ISMS") as
// a complete, valid plan: its 14 activities with their stakeholders, roles
// and channels, recurrence rules for the Annually, Biannually, Quarterly
// and Monthly rows, and triggers with deadlines for the Immediate, As
// needed and "as required by law" rows. The same plan ships as
// examples/plans/starter.yaml.
//
// Where the reference is ambiguous the plan says how it read it in the
// activity's Notes. Each call returns a fresh copy.
func Starter() comms.Plan {
	at := func(y int, m time.Month, d, h, mi int) comms.DateTime {
		return comms.DateTime{Date: comms.Date{Year: y, Month: m, Day: d}, Hour: h, Minute: mi}
	}
	return comms.Plan{
		Format:       comms.Format,
		ID:           "starter",
		Organization: "Example Organization",
		TimeZone:     "Europe/Berlin",
		Review:       "FREQ=YEARLY",
		Roles: []comms.Role{
			{ID: "iso", Name: "Information Security Officer"},
			{ID: "training", Name: "Training Department"},
			{ID: "irt", Name: "Incident Response Team"},
			{ID: "risk-team", Name: "Risk Management Team"},
			{ID: "internal-audit", Name: "Internal Audit Team"},
			{ID: "compliance", Name: "Compliance Officer"},
			{ID: "crisis-team", Name: "Crisis Communication Team"},
			{ID: "hr", Name: "Human Resources"},
			{ID: "ceo", Name: "Chief Executive Officer"},
		},
		Stakeholders: []comms.Stakeholder{
			{ID: "employees", Name: "All Employees", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindEmployees, Size: 250},
			{ID: "management", Name: "Management", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindManagement, Size: 12},
			{ID: "departments", Name: "Relevant Departments", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindDepartment, Size: 60},
			{ID: "internal-auditors", Name: "Internal Audit Team", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindAuditor, Size: 3},
			{ID: "compliance-officer", Name: "Compliance Officer", Scope: comms.ScopeInternal, Kind: comms.StakeholderKindDepartment, Size: 1},
			{ID: "external-auditors", Name: "External Auditors", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindAuditor, Size: 2},
			{ID: "regulators", Name: "Regulatory Bodies", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindRegulator, Size: 2},
			{ID: "customers", Name: "Customers", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindCustomers, Size: 400},
			{ID: "suppliers", Name: "Suppliers", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindSuppliers, Size: 80},
			{ID: "media", Name: "Media", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindMedia},
		},
		Channels: []comms.Channel{
			{ID: "email", Name: "Email", Kind: comms.ChannelKindEmail, Reach: both(), MaxClassification: comms.ClassificationConfidential},
			{ID: "intranet", Name: "Intranet Announcement", Kind: comms.ChannelKindIntranet, Reach: internal(), MaxClassification: comms.ClassificationInternal},
			{ID: "training-sessions", Name: "Training Sessions", Kind: comms.ChannelKindTraining, Reach: internal(), MaxClassification: comms.ClassificationInternal},
			{ID: "elearning", Name: "E-Learning", Kind: comms.ChannelKindELearning, Reach: internal(), MaxClassification: comms.ClassificationInternal},
			{ID: "meetings", Name: "Meetings", Kind: comms.ChannelKindMeeting, Reach: both(), MaxClassification: comms.ClassificationConfidential},
			{ID: "reports", Name: "Reports", Kind: comms.ChannelKindReport, Reach: both(), MaxClassification: comms.ClassificationConfidential},
			{ID: "formal-reports", Name: "Formal Reports", Kind: comms.ChannelKindReport, Reach: external(), MaxClassification: comms.ClassificationRestricted},
			{ID: "letters", Name: "Letters", Kind: comms.ChannelKindLetter, Reach: external(), MaxClassification: comms.ClassificationConfidential},
			{ID: "certifications", Name: "Certifications", Kind: comms.ChannelKindReport, Reach: external(), MaxClassification: comms.ClassificationPublic},
			{ID: "newsletters", Name: "Newsletters", Kind: comms.ChannelKindNewsletter, Reach: internal(), MaxClassification: comms.ClassificationInternal},
			{ID: "press-releases", Name: "Press Releases", Kind: comms.ChannelKindPressRelease, Reach: external(), MaxClassification: comms.ClassificationPublic},
			{ID: "dashboards", Name: "Dashboards", Kind: comms.ChannelKindDashboard, Reach: internal(), MaxClassification: comms.ClassificationConfidential},
			{ID: "announcements", Name: "Announcements", Kind: comms.ChannelKindIntranet, Reach: internal(), MaxClassification: comms.ClassificationInternal},
			{ID: "feedback-survey", Name: "Feedback Survey", Kind: comms.ChannelKindSurvey, Reach: both(), MaxClassification: comms.ClassificationInternal},
		},
		Activities: []comms.Activity{
			{
				ID:   "policy",
				Name: "Information Security Policy Communication",
				What: comms.Message{Topic: comms.TopicPolicy, Message: "Introduction of the Information Security Policy and its importance", Classification: comms.ClassificationInternal},
				Whom: []string{"employees"}, How: []string{"email", "intranet"},
				When:  comms.Timing{RRule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15", Start: at(2026, 1, 15, 9, 0), Within: "14d"},
				Owner: "iso",
			},
			{
				ID:   "policy-changes",
				Name: "Policy Changes and Updates",
				What: comms.Message{Topic: comms.TopicPolicyChange, Message: "Notification of changes to information security policies and procedures", Classification: comms.ClassificationInternal},
				Whom: []string{"employees"}, How: []string{"email", "intranet"},
				When:  comms.Timing{Trigger: "policy.changed", Within: "7d"},
				Owner: "iso",
			},
			{
				ID:   "awareness-training",
				Name: "Security Awareness Training",
				What: comms.Message{Topic: comms.TopicAwareness, Message: "Importance of information security and employee responsibilities", Classification: comms.ClassificationInternal},
				Whom: []string{"employees"}, How: []string{"training-sessions", "elearning"},
				When:  comms.Timing{RRule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=2", Start: at(2026, 3, 2, 9, 0), Within: "30d"},
				Owner: "training",
			},
			{
				ID:   "incident-response",
				Name: "Incident Response Communication",
				What: comms.Message{Topic: comms.TopicIncidentReporting, Message: "Reporting procedures and updates during security incidents", Classification: comms.ClassificationInternal},
				Whom: []string{"employees"}, How: []string{"email", "intranet", "meetings"},
				When:  comms.Timing{Trigger: "incident.detected", Within: "1h"},
				Owner: "irt",
				Notes: "Immediate (during incidents): within one hour of detection.",
			},
			{
				ID:   "risk-results",
				Name: "Risk Assessment Results",
				What: comms.Message{Topic: comms.TopicRisk, Message: "Communication of risk assessment outcomes and risk treatment plans", Classification: comms.ClassificationConfidential},
				Whom: []string{"management", "departments"}, How: []string{"meetings", "reports"},
				When:  comms.Timing{RRule: "FREQ=MONTHLY;INTERVAL=6", Start: at(2026, 6, 15, 10, 0), Within: "14d"},
				Owner: "risk-team",
				Notes: "Biannually: read as twice a year.",
			},
			{
				ID:   "internal-audits",
				Name: "Internal Audits and Assessments",
				What: comms.Message{Topic: comms.TopicInternalAudit, Message: "Results of internal audits and security assessments", Classification: comms.ClassificationConfidential},
				Whom: []string{"management", "internal-auditors"}, How: []string{"meetings", "reports"},
				When:  comms.Timing{RRule: "FREQ=MONTHLY;INTERVAL=3", Start: at(2026, 1, 20, 10, 0), Within: "14d"},
				Owner: "internal-audit",
			},
			{
				ID:   "third-party-audits",
				Name: "Third-Party Audits",
				What: comms.Message{Topic: comms.TopicExternalAudit, Message: "Communication with third-party auditors during external assessments", Classification: comms.ClassificationConfidential},
				Whom: []string{"management", "external-auditors"}, How: []string{"meetings", "reports"},
				When:  comms.Timing{RRule: "FREQ=YEARLY", Start: at(2026, 10, 5, 10, 0), Within: "30d"},
				Owner: "iso",
			},
			{
				ID:   "regulatory-updates",
				Name: "Regulatory Compliance Updates",
				What: comms.Message{Topic: comms.TopicRegulatoryUpdate, Message: "Updates on changes to legal and regulatory requirements", Classification: comms.ClassificationInternal},
				Whom: []string{"compliance-officer", "departments"}, How: []string{"email", "meetings"},
				When:  comms.Timing{Trigger: "regulation.changed", Within: "30d"},
				Owner: "compliance",
			},
			{
				ID:   "regulator-incident-reports",
				Name: "Security Incident Reports to Regulatory Bodies",
				What: comms.Message{Topic: comms.TopicRegulatoryReport, Message: "Reporting security incidents to regulatory agencies", Classification: comms.ClassificationConfidential},
				Whom: []string{"regulators"}, How: []string{"formal-reports", "email"},
				When:  comms.Timing{Trigger: "incident.aware", Within: "72h"},
				Owner: "compliance",
				Notes: "The reference names the Compliance Officer as the audience; the Compliance Officer sends, the regulatory bodies receive. 72 hours is the GDPR Art. 33 deadline; see the GDPR + NIS2 variant for more.",
			},
			{
				ID:   "customer-supplier-assurance",
				Name: "Customer and Supplier Communication",
				What: comms.Message{Topic: comms.TopicAssurance, Message: "Assurance of information security practices to customers and suppliers", Classification: comms.ClassificationPublic},
				Whom: []string{"customers", "suppliers"}, How: []string{"letters", "certifications"},
				When:  comms.Timing{RRule: "FREQ=YEARLY", Start: at(2026, 2, 2, 9, 0), Within: "30d"},
				Owner: "iso",
			},
			{
				ID:   "continuous-improvement",
				Name: "Continuous Improvement Initiatives",
				What: comms.Message{Topic: comms.TopicImprovement, Message: "Communication about ongoing efforts to improve the ISMS", Classification: comms.ClassificationInternal},
				Whom: []string{"employees"}, How: []string{"newsletters", "meetings"},
				When:  comms.Timing{RRule: "FREQ=MONTHLY;INTERVAL=3", Start: at(2026, 1, 30, 9, 0), Within: "14d"},
				Owner: "iso",
			},
			{
				ID:   "crisis",
				Name: "Crisis Communication Plan Activation",
				What: comms.Message{Topic: comms.TopicCrisis, Message: "Communication plan activation during significant security incidents", Classification: comms.ClassificationPublic},
				Whom: []string{"employees", "media"}, How: []string{"email", "intranet", "press-releases"},
				When:         comms.Timing{Trigger: "crisis.declared", Within: "2h"},
				Owner:        "crisis-team",
				Spokesperson: "ceo",
				Notes:        "Press releases reach the media; the Chief Executive Officer is the one voice towards media and public.",
			},
			{
				ID:   "security-metrics",
				Name: "Security Metrics and Dashboards",
				What: comms.Message{Topic: comms.TopicMetrics, Message: "Reporting key security metrics to management", Classification: comms.ClassificationConfidential},
				Whom: []string{"management"}, How: []string{"dashboards", "reports"},
				When:  comms.Timing{RRule: "FREQ=MONTHLY;BYDAY=1MO", Start: at(2026, 1, 5, 9, 0), Within: "5bd"},
				Owner: "iso",
			},
			{
				ID:   "employee-recognition",
				Name: "Employee Recognition Programs",
				What: comms.Message{Topic: comms.TopicRecognition, Message: "Recognition of employees contributing to information security", Classification: comms.ClassificationInternal},
				Whom: []string{"employees"}, How: []string{"announcements", "meetings"},
				When:    comms.Timing{RRule: "FREQ=YEARLY", Start: at(2026, 12, 1, 9, 0), Within: "30d"},
				Owner:   "hr",
				Support: []string{"iso"},
			},
		},
	}
}

func internal() []comms.Scope { return []comms.Scope{comms.ScopeInternal} }
func external() []comms.Scope { return []comms.Scope{comms.ScopeExternal} }
func both() []comms.Scope     { return []comms.Scope{comms.ScopeInternal, comms.ScopeExternal} }

// StarterGDPRNIS2 returns [Starter] extended for an organization under the
// GDPR and NIS2: a data protection officer, the supervisory authority, the
// national CSIRT and affected individuals as stakeholders, portals to reach
// the authorities, and an activity for each obligation of the "gdpr" and
// "nis2" profiles, each declaring the obligation it fulfils. It names both
// profiles in its Profiles, so Check applies them, and it passes them. The
// same plan ships as examples/plans/starter-gdpr-nis2.yaml.
func StarterGDPRNIS2() comms.Plan {
	p := Starter()
	p.ID = "starter-gdpr-nis2"
	p.Profiles = []string{"gdpr", "nis2"}
	p.Roles = append(p.Roles, comms.Role{ID: "dpo", Name: "Data Protection Officer"})
	p.Stakeholders = append(p.Stakeholders,
		comms.Stakeholder{ID: "dpa", Name: "Data Protection Authority", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindRegulator, Size: 1},
		comms.Stakeholder{ID: "csirt", Name: "National CSIRT", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindRegulator, Size: 1},
		comms.Stakeholder{ID: "data-subjects", Name: "Affected Individuals", Scope: comms.ScopeExternal, Kind: comms.StakeholderKindCustomers},
	)
	p.Channels = append(p.Channels,
		comms.Channel{ID: "dpa-portal", Name: "Supervisory authority breach portal", Kind: comms.ChannelKindPortal, Reach: external(), MaxClassification: comms.ClassificationRestricted},
		comms.Channel{ID: "csirt-portal", Name: "CSIRT incident reporting portal", Kind: comms.ChannelKindPortal, Reach: external(), MaxClassification: comms.ClassificationRestricted},
	)
	report := func(id, name, message, trigger, within string, whom, how []string, owner, obligation string) comms.Activity {
		return comms.Activity{
			ID: id, Name: name,
			What: comms.Message{Topic: comms.TopicRegulatoryReport, Message: message, Classification: comms.ClassificationConfidential},
			Whom: whom, How: how,
			When:        comms.Timing{Trigger: trigger, Within: within},
			Owner:       owner,
			Obligations: []string{obligation},
		}
	}
	p.Activities = append(p.Activities,
		report("gdpr-breach-notification", "Personal Data Breach Notification (GDPR Art. 33)",
			"Nature of the breach, categories and numbers concerned, likely consequences and measures taken",
			"incident.aware", "72h", []string{"dpa"}, []string{"dpa-portal"}, "dpo", "gdpr-art33"),
		comms.Activity{
			ID: "gdpr-data-subjects", Name: "Communication to Affected Individuals (GDPR Art. 34)",
			What: comms.Message{Topic: comms.TopicIncident, Message: "What happened to your data, the likely consequences and what you can do", Classification: comms.ClassificationConfidential},
			Whom: []string{"data-subjects"}, How: []string{"email"},
			When:        comms.Timing{Trigger: "incident.high-risk", Within: "72h"},
			Owner:       "dpo",
			Obligations: []string{"gdpr-art34"},
		},
		report("nis2-early-warning", "NIS2 Early Warning",
			"Significant incident: suspected unlawful or malicious cause, possible cross-border impact",
			"incident.aware", "24h", []string{"csirt"}, []string{"csirt-portal"}, "iso", "nis2-early-warning"),
		report("nis2-notification", "NIS2 Incident Notification",
			"Initial assessment of the incident, its severity and impact, indicators of compromise",
			"incident.aware", "72h", []string{"csirt"}, []string{"csirt-portal"}, "iso", "nis2-notification"),
		report("nis2-final-report", "NIS2 Final Report",
			"Detailed description, root cause, mitigation measures applied and ongoing, cross-border impact",
			"activity:nis2-notification", "1mo", []string{"csirt"}, []string{"csirt-portal"}, "iso", "nis2-final"),
		comms.Activity{
			ID: "nis2-service-recipients", Name: "Notice to Recipients of Our Services (NIS2 Art. 23(1))",
			What: comms.Message{Topic: comms.TopicIncident, Message: "A significant incident may affect our services; measures you can take", Classification: comms.ClassificationConfidential},
			Whom: []string{"customers"}, How: []string{"email"},
			When:        comms.Timing{Trigger: "incident.aware", Within: "24h"},
			Owner:       "iso",
			Obligations: []string{"nis2-recipients"},
		},
	)
	return p
}
