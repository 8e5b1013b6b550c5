package oscal

// The OSCAL 1.1 JSON objects this package writes: only the fields it
// fills, with the names of the OSCAL JSON format. Every list is omitted
// when empty (OSCAL's JSON schemas require at least one item in any list
// present).

type arDocument struct {
	AssessmentResults assessmentResults `json:"assessment-results"`
}

type assessmentResults struct {
	UUID       string      `json:"uuid"`
	Metadata   metadata    `json:"metadata"`
	ImportAP   importAP    `json:"import-ap"`
	Results    []result    `json:"results"`
	BackMatter *backMatter `json:"back-matter,omitempty"`
}

type poamDocument struct {
	POAM poam `json:"plan-of-action-and-milestones"`
}

type poam struct {
	UUID         string            `json:"uuid"`
	Metadata     metadata          `json:"metadata"`
	SystemID     *systemID         `json:"system-id,omitempty"`
	LocalDefs    *localDefinitions `json:"local-definitions,omitempty"`
	Observations []observation     `json:"observations,omitempty"`
	Findings     []finding         `json:"findings,omitempty"`
	Items        []poamItem        `json:"poam-items"`
	BackMatter   *backMatter       `json:"back-matter,omitempty"`
}

type metadata struct {
	Title        markup  `json:"title"`
	LastModified string  `json:"last-modified"`
	Version      string  `json:"version"`
	OSCALVersion string  `json:"oscal-version"`
	Props        []prop  `json:"props,omitempty"`
	Parties      []party `json:"parties,omitempty"`
	Remarks      markup  `json:"remarks,omitempty"`
}

type party struct {
	UUID string `json:"uuid"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

type prop struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel,omitempty"`
	Text markup `json:"text,omitempty"`
}

type importAP struct {
	Href    string `json:"href"`
	Remarks markup `json:"remarks,omitempty"`
}

type systemID struct {
	IdentifierType string `json:"identifier-type,omitempty"`
	ID             string `json:"id"`
}

type result struct {
	UUID             string            `json:"uuid"`
	Title            markup            `json:"title"`
	Description      markup            `json:"description"`
	Start            string            `json:"start"`
	End              string            `json:"end,omitempty"`
	Props            []prop            `json:"props,omitempty"`
	LocalDefinitions *localDefinitions `json:"local-definitions,omitempty"`
	ReviewedControls reviewedControls  `json:"reviewed-controls"`
	Observations     []observation     `json:"observations,omitempty"`
	Findings         []finding         `json:"findings,omitempty"`
	Remarks          markup            `json:"remarks,omitempty"`
}

type localDefinitions struct {
	Components []component `json:"components,omitempty"`
}

type component struct {
	UUID        string          `json:"uuid"`
	Type        string          `json:"type"`
	Title       markup          `json:"title"`
	Description markup          `json:"description"`
	Props       []prop          `json:"props,omitempty"`
	Links       []link          `json:"links,omitempty"`
	Status      componentStatus `json:"status"`
}

type componentStatus struct {
	State string `json:"state"`
}

type reviewedControls struct {
	Description       markup             `json:"description,omitempty"`
	ControlSelections []controlSelection `json:"control-selections"`
	Remarks           markup             `json:"remarks,omitempty"`
}

type controlSelection struct {
	Description markup    `json:"description,omitempty"`
	Props       []prop    `json:"props,omitempty"`
	IncludeAll  *struct{} `json:"include-all,omitempty"`
}

type observation struct {
	UUID             string             `json:"uuid"`
	Title            markup             `json:"title,omitempty"`
	Description      markup             `json:"description"`
	Props            []prop             `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	Types            []string           `json:"types,omitempty"`
	Subjects         []subjectRef       `json:"subjects,omitempty"`
	RelevantEvidence []relevantEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
	Remarks          markup             `json:"remarks,omitempty"`
}

type subjectRef struct {
	SubjectUUID string `json:"subject-uuid"`
	Type        string `json:"type"`
}

type relevantEvidence struct {
	Href        string `json:"href,omitempty"`
	Description markup `json:"description"`
	Props       []prop `json:"props,omitempty"`
}

type finding struct {
	UUID                string       `json:"uuid"`
	Title               markup       `json:"title"`
	Description         markup       `json:"description"`
	Props               []prop       `json:"props,omitempty"`
	Target              target       `json:"target"`
	RelatedObservations []relatedObs `json:"related-observations,omitempty"`
	Remarks             markup       `json:"remarks,omitempty"`
}

type target struct {
	Type     string       `json:"type"`
	TargetID string       `json:"target-id"`
	Title    markup       `json:"title,omitempty"`
	Props    []prop       `json:"props,omitempty"`
	Status   targetStatus `json:"status"`
}

type targetStatus struct {
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

type relatedObs struct {
	ObservationUUID string `json:"observation-uuid"`
}

type relatedFinding struct {
	FindingUUID string `json:"finding-uuid"`
}

type poamItem struct {
	UUID                string           `json:"uuid"`
	Title               markup           `json:"title"`
	Description         markup           `json:"description"`
	Props               []prop           `json:"props,omitempty"`
	RelatedFindings     []relatedFinding `json:"related-findings,omitempty"`
	RelatedObservations []relatedObs     `json:"related-observations,omitempty"`
	Remarks             markup           `json:"remarks,omitempty"`
}

type backMatter struct {
	Resources []resource `json:"resources,omitempty"`
}

type resource struct {
	UUID        string  `json:"uuid"`
	Title       markup  `json:"title,omitempty"`
	Description markup  `json:"description,omitempty"`
	Props       []prop  `json:"props,omitempty"`
	Rlinks      []rlink `json:"rlinks,omitempty"`
	Remarks     markup  `json:"remarks,omitempty"`
}

type rlink struct {
	Href      string `json:"href"`
	MediaType string `json:"media-type,omitempty"`
}
