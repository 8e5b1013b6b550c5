package regulation

import (
	"slices"
	"sort"
)

// profiles maps a profile name to the obligations a plan under it must
// carry. Conditional obligations (an intermediate report on request, a
// report only for extortion payments) are in the catalog but not in the
// profiles.
var profiles = map[string][]string{
	"gdpr":           {"gdpr-art33", "gdpr-art34"},
	"gdpr-processor": {"gdpr-art33-processor"},
	"uk-gdpr":        {"uk-gdpr-art33"},
	"nis2":           {"nis2-early-warning", "nis2-notification", "nis2-final", "nis2-recipients"},
	"dora":           {"dora-initial", "dora-intermediate", "dora-final", "dora-clients"},
	"cra":            {"cra-early-warning"},
	"hipaa":          {"hipaa-individuals", "hipaa-media", "hipaa-hhs-500", "hipaa-hhs-small"},
	"hipaa-ba":       {"hipaa-ba"},
	"sec":            {"sec-8k-105"},
	"ftc-safeguards": {"ftc-safeguards"},
	"ftc-hbnr":       {"ftc-hbnr"},
	"us-bank":        {"us-bank-36h"},
	"nydfs":          {"nydfs-500-17", "nydfs-extortion"},
	"circia":         {"circia"},
	"california":     {"ca-1798-82"},
	"cert-in":        {"cert-in"},
	"au-privacy":     {"au-ndb-assess", "au-ndb-oaic"},
	"au-soci":        {"au-soci-critical", "au-soci-other"},
	"apra":           {"au-cps234"},
	"singapore":      {"sg-pdpa-assess", "sg-pdpa-pdpc"},
	"lgpd":           {"br-lgpd"},
	"pipeda":         {"ca-pipeda"},
	"appi":           {"jp-appi-prelim", "jp-appi-final"},
	"pipa":           {"kr-pipa"},
	"china":          {"cn-cac", "cn-pipl"},
	"fadp":           {"ch-fadp"},
	"popia":          {"za-popia"},
}

// Profiles returns the names of the profiles, sorted.
func Profiles() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Profile returns the obligations a plan under the named profile ("gdpr",
// "nis2", "dora", "hipaa", "sec", ...) must carry.
func Profile(name string) ([]Obligation, bool) {
	ids, ok := profiles[name]
	if !ok {
		return nil, false
	}
	out := make([]Obligation, 0, len(ids))
	for _, id := range ids {
		if o, ok := Lookup(id); ok {
			out = append(out, o)
		}
	}
	return out, true
}

// ProfileIDs returns the obligation IDs of a profile.
func ProfileIDs(name string) ([]string, bool) {
	ids, ok := profiles[name]
	return slices.Clone(ids), ok
}
