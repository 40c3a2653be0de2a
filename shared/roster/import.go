package roster

import (
	"fmt"
	"strings"
	"time"
)

// Target kinds of a column mapping (M1).
const (
	TargetEmail  = "email"
	TargetUserID = "userId"
	// TargetUsername identifies a person who may have no email (V9).
	TargetUsername = "username"
	TargetStatus   = "status"
	TargetIgnore   = "ignore"
	FieldPrefix    = "field:" // field:<question key>
	AssocPrefix    = "assoc:" // assoc:<role>
)

// Mapping maps each column of a sheet (by index) to one target (M1).
// A column past the end of the slice, or mapped to "", is ignored.
type Mapping []string

// Column returns the index of the column mapped to target, or -1.
func (m Mapping) Column(target string) int {
	for i, t := range m {
		if t == target {
			return i
		}
	}
	return -1
}

// Has reports whether target is mapped.
func (m Mapping) Has(target string) bool { return m.Column(target) >= 0 }

// CheckMapping checks m against the program and role (M1, M2). headers name
// the columns in messages.
func CheckMapping(p Program, role string, m Mapping, headers []string) error {
	name := func(i int) string {
		if i < len(headers) && headers[i] != "" {
			return fmt.Sprintf("%q", headers[i])
		}
		return ColumnName(i)
	}
	seen := map[string]int{}
	for i, t := range m {
		if t == "" || t == TargetIgnore {
			continue
		}
		if j, dup := seen[t]; dup {
			return Errorf(ErrInvalid, "columns %s and %s both map to %s: each target may be used once (M1)", name(j), name(i), t)
		}
		seen[t] = i
		switch {
		case t == TargetEmail, t == TargetUserID, t == TargetUsername, t == TargetStatus:
		case strings.HasPrefix(t, FieldPrefix):
			key := strings.TrimPrefix(t, FieldPrefix)
			q, ok := p.Question(key)
			if !ok {
				return Errorf(ErrInvalid, "column %s maps to unknown question %q", name(i), key)
			}
			if !q.AppliesTo(role) {
				return Errorf(ErrInvalid, "column %s maps to question %q, which is not part of the %s profile form", name(i), key, role)
			}
		case strings.HasPrefix(t, AssocPrefix):
			r := strings.TrimPrefix(t, AssocPrefix)
			if !p.HasRole(r) {
				return Errorf(ErrInvalid, "column %s links to role %q, which program %s does not have", name(i), r, p.ID)
			}
		default:
			return Errorf(ErrInvalid, "column %s maps to unknown target %q (want email, userId, username, status, field:<key>, assoc:<role> or ignore)", name(i), t)
		}
	}
	_, email := seen[TargetEmail]
	_, username := seen[TargetUsername]
	if !email && !username {
		return Errorf(ErrInvalid, "no column is mapped to email: email must be mapped, or username for people without one (M2, V9)")
	}
	return nil
}

// ColumnName returns the spreadsheet letter name of column i (0 → "A").
func ColumnName(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// ImportStatus is where an import is in its life.
type ImportStatus string

const (
	ImportCreated   ImportStatus = "CREATED"   // waiting for its file
	ImportParsed    ImportStatus = "PARSED"    // structure known, mapping suggested
	ImportMapped    ImportStatus = "MAPPED"    // mapping confirmed; review available
	ImportRunning   ImportStatus = "RUNNING"   // workflow started
	ImportCompleted ImportStatus = "COMPLETED" // every batch applied
	ImportFailed    ImportStatus = "FAILED"    // stopped; Error says why
	ImportCancelled ImportStatus = "CANCELLED"
)

// Done reports whether the status is final.
func (s ImportStatus) Done() bool {
	return s == ImportCompleted || s == ImportFailed || s == ImportCancelled
}

// DateOrder is how ambiguous dates such as 03/04/2024 are read (V5).
type DateOrder string

const (
	DMY DateOrder = "dmy"
	MDY DateOrder = "mdy"
	YMD DateOrder = "ymd"
)

// ImportSettings are chosen before the upload (S1–S4).
type ImportSettings struct {
	Role      string    `json:"role"`      // S1: the role of every sheet unless its plan says otherwise
	Separator string    `json:"separator"` // S2, default ","
	Overwrite bool      `json:"overwrite"` // S3
	Notify    bool      `json:"notify"`    // S4
	DateOrder DateOrder `json:"dateOrder"` // V5, default dmy
	// StatusValues maps a pushed file's status values to statuses (I4).
	StatusValues map[string]Status `json:"statusValues,omitempty"`
	// Rehire reactivates a suspended participant whom a full file names
	// again with an empty status (I4: a re-hire).
	Rehire bool `json:"rehire,omitempty"`
	// HoldSuspensions leaves a pushed file's suspensions of existing
	// participants to the end of its run, where the safety valve decides on
	// them with the off-boarding's (I4, I5): Decide reports them instead.
	HoldSuspensions bool `json:"holdSuspensions,omitempty"`
}

// WithDefaults fills unset settings.
func (s ImportSettings) WithDefaults() ImportSettings {
	if s.Separator == "" {
		s.Separator = ","
	}
	if s.DateOrder == "" {
		s.DateOrder = DMY
	}
	return s
}

// SheetPlan says how one sheet of the file is imported (S1, F4, M1).
type SheetPlan struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	HeaderRow int      `json:"headerRow"` // 1-based; 0 = no header
	Headers   []string `json:"headers,omitempty"`
	Mapping   Mapping  `json:"mapping"`
}

// CellEdit is an inline edit made during review (V8).
type CellEdit struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row"`
	Column int    `json:"column"` // 0-based
	Value  string `json:"value"`
}

// Import is one upload (or paste, or pushed file) for one program.
type Import struct {
	Tenant     string         `json:"tenant"`
	ID         string         `json:"id"`
	ProgramID  string         `json:"programId"`
	FileName   string         `json:"fileName"`
	FileKey    string         `json:"fileKey"` // blob key of the uploaded file
	Format     string         `json:"format,omitempty"`
	Settings   ImportSettings `json:"settings"`
	Sheets     []SheetPlan    `json:"sheets,omitempty"`
	Edits      []CellEdit     `json:"edits,omitempty"`
	Status     ImportStatus   `json:"status"`
	Counts     Counts         `json:"counts"`
	Batches    int            `json:"batches"`
	Applied    int            `json:"applied"`              // batches applied so far: the run's progress
	AppliedSet []int          `json:"appliedSet,omitempty"` // which batches, so a retried one counts once
	Error      string         `json:"error,omitempty"`
	Admin      string         `json:"admin,omitempty"` // who gets the completion email (A12)
	ReportKeys []string       `json:"reportKeys,omitempty"`
	Lease      *Lease         `json:"lease,omitempty"`      // who runs it, while RUNNING (X4)
	Run        int            `json:"run,omitempty"`        // how many times it was started: 1, then one more per resume
	StartedAt  *time.Time     `json:"startedAt,omitempty"`  // first start
	FinishedAt *time.Time     `json:"finishedAt,omitempty"` // completed or failed
	CreatedAt  time.Time      `json:"createdAt"`
	UpdatedAt  time.Time      `json:"updatedAt"`
	Version    int64          `json:"version"`
}

// Edit returns the edited value of a cell, if the admin edited it (V8).
func (im *Import) Edit(sheet string, row, col int) (string, bool) {
	for i := len(im.Edits) - 1; i >= 0; i-- {
		e := im.Edits[i]
		if e.Sheet == sheet && e.Row == row && e.Column == col {
			return e.Value, true
		}
	}
	return "", false
}
