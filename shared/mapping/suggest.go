package mapping

import (
	"cmp"
	"slices"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// Confidence of a suggestion by how it was found (M3). Exact beats synonym
// beats fuzzy, so a typo never takes a target from a clear match.
const (
	ExactConfidence   = 1.0
	SynonymConfidence = 0.9
	// MaxFuzzyConfidence caps a fuzzy match under a synonym.
	MaxFuzzyConfidence = 0.89
	// MinConfidence is the least confidence a suggestion needs; below it the
	// column is left as "ignore" for the admin to map (M3). 0.75 lets one
	// typo through in a five-letter name ("Emial") and keeps "Phone" off
	// "Phone type" and "First name" off "Last name".
	MinConfidence = 0.75
)

// Target is something a column can map to (M1), with the names that match it
// exactly.
type Target struct {
	ID    string   `json:"id"` // email, userId, username, status, field:<key>, assoc:<role>
	Label string   `json:"label"`
	Names []string `json:"names"`
}

// Suggestion is the suggested target of one column (M3). Target is "ignore"
// with confidence 0 when nothing fits well enough.
type Suggestion struct {
	Column     int     `json:"column"` // 0-based
	Header     string  `json:"header"`
	Target     string  `json:"target"`
	Confidence float64 `json:"confidence"`
}

// synonyms of the fixed targets (M3), compared after normalization; the
// exact names are in Targets.
var synonyms = map[string][]string{
	roster.TargetEmail: {
		"E-mail", "Email Address", "E-mail Address", "Mail", "Mail Address", "Work Email",
		"Business Email", "Work E-mail", "Employee Email", "Company Email", "Corporate Email", "Email (work)", "Primary Email", "Login Email", "Email ID",
		"E-Mail-Adresse", "Mailadresse", "Adresse e-mail", "Courriel", "Correo", "Correo electronico",
	},
	roster.TargetUserID: {
		"ID", "Employee ID", "External ID", "Personnel Number", "Employee Number",
		"Employee No", "Emp ID", "Staff ID", "Staff Number", "Person ID", "Member ID", "SSO ID",
		"UID", "Personalnummer", "Mitarbeiter ID", "Mitarbeiternummer", "Benutzer ID",
	},
	roster.TargetUsername: {
		"Login", "Login name", "Login ID", "Screen name", "Student username", "Account name",
		"Benutzername", "Anmeldename", "Nom d'utilisateur", "Nombre de usuario",
	},
	roster.TargetStatus: {
		"Active?", "State", "Account Status",
		"Participant Status", "Enabled", "Aktiv", "Benutzerstatus",
	},
}

// nameGroups are common names of profile questions that mean the same (M3):
// a question named by one member has the others as synonyms.
var nameGroups = [][]string{
	{"First name", "Given name", "Forename", "Vorname"},
	{"Last name", "Surname", "Family name", "Nachname"},
	{"Department", "Dept", "Abteilung"},
	{"Job title", "Position", "Jobtitel"},
	{"Phone", "Phone number", "Telephone", "Telefon"},
	{"Manager", "Supervisor", "Line manager", "Vorgesetzter"},
	{"Location", "Office", "Site", "Standort"},
	{"City", "Town", "Stadt"},
	{"Company", "Organisation", "Organization", "Firma"},
	{"Gender", "Geschlecht"},
	{"Language", "Sprache"},
	{"Date of birth", "Birthdate", "Birthday", "DOB", "Geburtsdatum"},
	{"Start date", "Hire date", "Joined", "Eintrittsdatum"},
}

// Targets lists what a column of role's sheet in p can map to (M1): email,
// userId, username (V9), status, each question of the role's form, and a link to each other
// role of the program (assoc:<role>, a column of their emails).
func Targets(p roster.Program, role string) []Target {
	ts := []Target{
		{ID: roster.TargetEmail, Label: "Email", Names: []string{"email"}},
		{ID: roster.TargetUserID, Label: "User ID", Names: []string{"userId", "User ID"}},
		{ID: roster.TargetUsername, Label: "Username", Names: []string{"username"}},
		{ID: roster.TargetStatus, Label: "User Status", Names: []string{"status", "User Status"}},
	}
	for _, q := range p.QuestionsFor(role) {
		ts = append(ts, Target{ID: roster.FieldPrefix + q.Key, Label: q.Label, Names: []string{q.Key, q.Label}})
	}
	for _, r := range p.Roles {
		if r == role {
			continue
		}
		ts = append(ts, Target{
			ID:    roster.AssocPrefix + r,
			Label: r + " (email)",
			Names: []string{r, r + " email"},
		})
	}
	return ts
}

// synonymsOf returns t's synonyms: the table's for fixed targets, the usual
// ways of naming an email column for an association, and the other members
// of a question name's group.
func synonymsOf(t Target) []string {
	if r, ok := strings.CutPrefix(t.ID, roster.AssocPrefix); ok {
		return []string{r + " email address", r + " mail", r + "'s email", r + " e-mail-adresse"}
	}
	if !strings.HasPrefix(t.ID, roster.FieldPrefix) {
		return synonyms[t.ID]
	}
	var out []string
	for _, g := range nameGroups {
		if slices.ContainsFunc(g, func(member string) bool {
			return slices.ContainsFunc(t.Names, func(n string) bool { return normalize(n) == normalize(member) })
		}) {
			out = append(out, g...)
		}
	}
	return out
}

// Suggest suggests a target for each column from its header (M3), in this
// order: a normalized exact match on a target's names (confidence 1), a
// synonym (0.9), the best fuzzy similarity (capped at 0.89). Matches under
// MinConfidence are dropped. Each target goes to one column at most (M1):
// over all (column, target) pairs, the most confident pairs are taken first;
// ties go to the leftmost column, then to the earlier target.
func Suggest(headers []string, targets []Target) []Suggestion {
	type pair struct {
		col, target int
		conf        float64
	}
	prepared := make([]preparedTarget, len(targets))
	for i, t := range targets {
		prepared[i] = prepare(t)
	}
	var pairs []pair
	for c, h := range headers {
		hn := nameOf(h)
		if hn.norm == "" {
			continue
		}
		for ti, t := range prepared {
			if conf := t.confidence(hn); conf >= MinConfidence {
				pairs = append(pairs, pair{c, ti, conf})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		if c := cmp.Compare(b.conf, a.conf); c != 0 {
			return c
		}
		if c := cmp.Compare(a.col, b.col); c != 0 {
			return c
		}
		return cmp.Compare(a.target, b.target)
	})

	out := make([]Suggestion, len(headers))
	for c, h := range headers {
		out[c] = Suggestion{Column: c, Header: h, Target: roster.TargetIgnore}
	}
	used := make([]bool, len(targets))
	for _, p := range pairs {
		if used[p.target] || out[p.col].Target != roster.TargetIgnore {
			continue
		}
		used[p.target] = true
		out[p.col].Target = targets[p.target].ID
		out[p.col].Confidence = p.conf
	}
	return out
}

// preparedTarget holds a target's names and synonyms ready to compare.
type preparedTarget struct {
	names, synonyms []name
}

func prepare(t Target) preparedTarget {
	var p preparedTarget
	for _, n := range t.Names {
		p.names = append(p.names, nameOf(n))
	}
	for _, s := range synonymsOf(t) {
		p.synonyms = append(p.synonyms, nameOf(s))
	}
	return p
}

// confidence is how well header h names the target.
func (t preparedTarget) confidence(h name) float64 {
	for _, n := range t.names {
		if n.norm == h.norm {
			return ExactConfidence
		}
	}
	for _, s := range t.synonyms {
		if s.norm == h.norm {
			return SynonymConfidence
		}
	}
	best := 0.0
	for _, n := range slices.Concat(t.names, t.synonyms) {
		best = max(best, h.similarity(n))
	}
	return min(best, MaxFuzzyConfidence)
}

// MappingOf turns suggestions into a mapping (M1): column i maps to the
// target of the suggestion for column i.
func MappingOf(s []Suggestion) roster.Mapping {
	n := 0
	for _, x := range s {
		n = max(n, x.Column+1)
	}
	m := make(roster.Mapping, n)
	for i := range m {
		m[i] = roster.TargetIgnore
	}
	for _, x := range s {
		if x.Column >= 0 {
			m[x.Column] = x.Target
		}
	}
	return m
}
