package roster

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
	// Status is the row's status, lower case: "", "active" or "suspended".
	Status Status `json:"status,omitempty"`
	// Answers holds every mapped question: a parsed value, or nil for an
	// empty cell (A4: leave as is; A5: clear).
	Answers map[string]any `json:"answers,omitempty"`
	// Assoc holds, per role, the normalized emails of associated participants (A9).
	Assoc map[string][]string `json:"assoc,omitempty"`
	// Values are the row's cells as read (after review edits), for the report.
	Values []string `json:"values,omitempty"`
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
}

// Existing is what the store holds for one record's identities: the user
// found by external ID (A1), the user found by email, and the participation
// in this program of the user the record resolves to, if any.
type Existing struct {
	ByUserID *User
	ByEmail  *User
	// Participants of the program by Roster user ID, for the users above.
	Participants map[string]*Participant
}
