package roster

import "strings"

// Record is one row of a sheet read through its mapping: the values a row
// carries, parsed and checked against the program (V1, V3–V5).
type Record struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"` // as in the file
	Role  string `json:"role"`
	// Email is normalized: trimmed, lower case (V1).
	Email string `json:"email"`
	// UserIDMapped tells whether the sheet maps userId; then UserID is the
	// row's (trimmed) User ID and is the primary identifier (A1).
	UserIDMapped bool   `json:"userIdMapped,omitempty"`
	UserID       string `json:"userId,omitempty"`
	// Username is the row's normalized username, when the sheet maps one
	// (V9); it identifies the person after the User ID, before the email.
	Username string `json:"username,omitempty"`
	// Status is the row's status, lower case: "", "active" or "suspended".
	Status Status `json:"status,omitempty"`
	// Answers holds every mapped question: a parsed value, or nil for an
	// empty cell (A4: leave as is; A5: clear).
	Answers Answers `json:"answers,omitempty"`
	// Assoc holds, per role, the normalized emails of associated participants (A9).
	Assoc map[string][]string `json:"assoc,omitempty"`
	// Values are the row's cells as read (after review edits), for the report.
	Values []string `json:"values,omitempty"`
}

// Identity is how the row names its person in messages: the email, else the
// username (V9).
func (r Record) Identity() string {
	if r.Email != "" {
		return r.Email
	}
	return r.Username
}

// Columns names each mapped target's column for flags: target → header.
type Columns map[string]string

// Decision is what applying one record does (A1–A7). User and Participant
// are the new states to save (nil when unchanged); Flags explain warnings
// and rejections.
type Decision struct {
	Action      Action
	User        *User
	Participant *Participant
	Invite      bool // A10: a participant was created and the import notifies
	Flags       []Flag
	// DeferredSuspend is the user ID of an existing participant the row
	// suspends, left unsuspended for the safety valve (HoldSuspensions, I5).
	DeferredSuspend string
}

// Existing is what the store holds for one record's identities: the user
// found by external ID (A1), by username (V9), by email, and the participation
// in this program of the user the record resolves to, if any.
type Existing struct {
	ByUserID   *User
	ByUsername *User // V9
	ByEmail    *User
	// Participants of the program by Roster user ID, for the users above.
	Participants map[string]*Participant
}

// NewUserID returns a new Roster user ID; tests may replace it.
var NewUserID = func() string { return randomID("u") }

// RecordIdentity reads only a row's identity — email, User ID, username —
// normalized, without their checks: ReadRecord starts from it, and a row
// known to have passed the checks under the same plan (the unchanged-row
// memo) needs no more for the duplicate checks (V2, V3, V9).
func RecordIdentity(plan SheetPlan, row int, cells []string) Record {
	rec := Record{Sheet: plan.Name, Row: row, Role: plan.Role}
	for i, target := range plan.Mapping {
		if i >= len(cells) {
			if target == TargetUserID {
				rec.UserIDMapped = true
			}
			continue
		}
		switch target {
		case TargetEmail:
			rec.Email = NormalizeEmail(cells[i])
		case TargetUsername:
			rec.Username = NormalizeUsername(cells[i])
		case TargetUserID:
			rec.UserIDMapped = true
			rec.UserID = strings.TrimSpace(cells[i])
		}
	}
	return rec
}

// ReadRecord reads one row of a sheet through the sheet's plan (V1, V3–V5).
// cells are the row's values after review edits. Errors and warnings come back
// as flags; a record with an error flag must not be applied.
func ReadRecord(p Program, plan SheetPlan, s ImportSettings, row int, cells []string) (Record, []Flag) {
	s = s.WithDefaults()
	rec := RecordIdentity(plan, row, cells)
	rec.Values = cells
	var flags []Flag
	flag := func(col int, value, rule, reason string, sev Severity) {
		flags = append(flags, Flag{Sheet: plan.Name, Row: row, Column: plan.header(col), Value: value, Reason: reason, Severity: sev, Rule: rule})
	}
	cell := func(i int) string {
		if i < len(cells) {
			return cells[i]
		}
		return ""
	}
	for i, target := range plan.Mapping {
		v := cell(i)
		switch {
		case target == TargetEmail:
			if rec.Email != "" && !ValidEmail(rec.Email) {
				flag(i, v, "V1", "not a valid email address", SeverityError)
			}
		case target == TargetUsername:
			if rec.Username != "" && !ValidUsername(rec.Username) {
				flag(i, v, "V9", "username may hold only letters, digits, '-', '_' and '.' (at most 128)", SeverityError)
			}
		case target == TargetUserID:
			if rec.UserID == "" {
				flag(i, v, "V3", "User ID is missing (User IDs are mapped, so every row needs one)", SeverityError)
			} else if !ValidUserID(rec.UserID) {
				flag(i, v, "V3", "User ID may hold only letters, digits, '-', '_' and '.'", SeverityError)
			}
		case target == TargetStatus:
			st, ok := ParseStatus(s.MapStatus(v))
			if !ok {
				flag(i, v, "V4", "status must be active or suspended (or empty)", SeverityError)
			}
			rec.Status = st
		case strings.HasPrefix(target, FieldPrefix):
			key := strings.TrimPrefix(target, FieldPrefix)
			q, ok := p.Question(key)
			if !ok {
				continue // CheckMapping rejects such plans before rows are read
			}
			val, err := ParseAnswer(q, v, s.Separator, s.DateOrder)
			if err != nil {
				flag(i, v, "V5", err.Error(), SeverityError)
				continue
			}
			if rec.Answers == nil {
				rec.Answers = Answers{}
			}
			rec.Answers[key] = val
		case strings.HasPrefix(target, AssocPrefix):
			role := strings.TrimPrefix(target, AssocPrefix)
			for _, part := range strings.Split(v, s.Separator) {
				e := NormalizeEmail(part)
				if e == "" {
					continue
				}
				if !ValidEmail(e) {
					flag(i, strings.TrimSpace(part), "A9", "not a valid email address; no link is made", SeverityWarning)
					continue
				}
				if rec.Assoc == nil {
					rec.Assoc = map[string][]string{}
				}
				rec.Assoc[role] = append(rec.Assoc[role], e)
			}
		}
	}
	flags = append(flags, identityFlags(plan, rec)...)
	return rec, flags
}

// identityFlags checks that the row names its person (V1, V9): by email, or
// by a username with a link to someone with an email, who is invited on the
// person's behalf.
func identityFlags(plan SheetPlan, rec Record) []Flag {
	if rec.Email != "" {
		return nil
	}
	emailCol, userCol := plan.Mapping.Column(TargetEmail), plan.Mapping.Column(TargetUsername)
	cell := func(i int) string {
		if i >= 0 && i < len(rec.Values) {
			return rec.Values[i]
		}
		return ""
	}
	switch {
	case rec.Username == "" && userCol < 0:
		return []Flag{{Sheet: rec.Sheet, Row: rec.Row, Column: plan.header(emailCol), Value: cell(emailCol),
			Reason: "email is missing", Severity: SeverityError, Rule: "V1"}}
	case rec.Username == "":
		col := emailCol
		if col < 0 {
			col = userCol
		}
		return []Flag{{Sheet: rec.Sheet, Row: rec.Row, Column: plan.header(col), Value: cell(col),
			Reason: "email and username are both missing: a row needs one", Severity: SeverityError, Rule: "V9"}}
	case len(rec.Assoc) == 0:
		return []Flag{{Sheet: rec.Sheet, Row: rec.Row, Column: plan.header(userCol), Value: cell(userCol),
			Reason:   "a row with a username and no email needs a link (assoc column) to a participant with an email, who receives the invitation on their behalf",
			Severity: SeverityError, Rule: "V9"}}
	}
	return nil
}

// header names column i of the plan for flags and reports.
func (plan SheetPlan) header(i int) string {
	if i < len(plan.Headers) && plan.Headers[i] != "" {
		return plan.Headers[i]
	}
	return "Column " + ColumnName(i)
}

// Header names column i of the plan as the admin sees it.
func (plan SheetPlan) Header(i int) string { return plan.header(i) }

// HasErrors reports whether any flag is an error.
func HasErrors(flags []Flag) bool {
	for _, f := range flags {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}
