package roster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Mode says what an integration's files hold (I1).
type Mode string

const (
	ModeFull  Mode = "full"  // the file lists everyone: absent people may be off-boarded (I4)
	ModeDelta Mode = "delta" // the file lists changes only
)

// Identifier is the column that identifies people in an integration's files.
type Identifier string

const (
	IdentifyByUserID Identifier = "userId"
	IdentifyByEmail  Identifier = "email"
)

// Valve is the safety valve's limits (I5): a file that would suspend more
// than MaxShare of the role's participants AND more than MaxCount people
// has its suspensions held.
type Valve struct {
	MaxShare float64 `json:"maxShare"`
	MaxCount int     `json:"maxCount"`
}

// Valve defaults (I5: more than 20% and more than 10 people).
const (
	DefaultValveMaxShare = 0.2
	DefaultValveMaxCount = 10
)

// Every is how often a schedule expects a file (I6).
type Every string

const (
	EveryDaily  Every = "daily"
	EveryWeekly Every = "weekly"
)

// Schedule says when an integration's files are expected (I6).
type Schedule struct {
	Every      Every  `json:"every"`
	Day        string `json:"day,omitempty"` // weekly only: monday … sunday
	At         string `json:"at"`            // HH:MM, local time of Timezone
	Timezone   string `json:"timezone"`      // IANA name, e.g. Europe/Paris
	GraceHours int    `json:"graceHours"`
}

// Schedule defaults.
const (
	DefaultScheduleAt    = "06:00"
	DefaultScheduleZone  = "UTC"
	DefaultScheduleGrace = 6
	DefaultScheduleDay   = "monday"
)

// Integration is a customer system's saved sync into one program and role
// (I1). Its JSON is the integration file of DESIGN §5; Tenant and the times
// are set by Roster.
type Integration struct {
	Tenant            string            `json:"tenant,omitempty"`
	ID                string            `json:"id"`
	Program           string            `json:"program"`
	Role              string            `json:"role"`
	FileName          string            `json:"fileName"` // glob of accepted names (I2)
	Identifier        Identifier        `json:"identifier"`
	Mapping           map[string]string `json:"mapping"` // header name → target (I3)
	Separator         string            `json:"separator"`
	DateOrder         DateOrder         `json:"dateOrder"`
	Overwrite         bool              `json:"overwrite"`
	Notify            bool              `json:"notify"`
	Contacts          []string          `json:"contacts"`
	Mode              Mode              `json:"mode"`
	DeactivateMissing bool              `json:"deactivateMissing"`
	Valve             Valve             `json:"valve"`
	StatusValues      map[string]Status `json:"statusValues,omitempty"` // file value → status (I4)
	Schedule          *Schedule         `json:"schedule,omitempty"`     // nil: no watchdog (I6)
	Live              bool              `json:"live"`                   // false: test mode (I7)
	// Disabled integrations ignore every file (I2) and are not watched.
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// integrationJSON is an integration file as written: pointers tell a field
// left out (which takes its default) from one set to its zero value.
type integrationJSON struct {
	Tenant            string            `json:"tenant"`
	ID                string            `json:"id"`
	Program           string            `json:"program"`
	Role              string            `json:"role"`
	FileName          string            `json:"fileName"`
	Identifier        Identifier        `json:"identifier"`
	Mapping           map[string]string `json:"mapping"`
	Separator         string            `json:"separator"`
	DateOrder         DateOrder         `json:"dateOrder"`
	Overwrite         *bool             `json:"overwrite"`
	Notify            bool              `json:"notify"`
	Contacts          []string          `json:"contacts"`
	Mode              Mode              `json:"mode"`
	DeactivateMissing bool              `json:"deactivateMissing"`
	Valve             *struct {
		MaxShare *float64 `json:"maxShare"`
		MaxCount *int     `json:"maxCount"`
	} `json:"valve"`
	StatusValues map[string]Status `json:"statusValues"`
	Schedule     *struct {
		Every      Every  `json:"every"`
		Day        string `json:"day"`
		At         string `json:"at"`
		Timezone   string `json:"timezone"`
		GraceHours *int   `json:"graceHours"`
	} `json:"schedule"`
	Live      bool      `json:"live"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// UnmarshalJSON reads an integration, filling every field left out with its
// default (overwrite on, valve 20% and 10, …).
func (in *Integration) UnmarshalJSON(b []byte) error {
	var raw integrationJSON
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*in = raw.integration()
	return nil
}

func (raw integrationJSON) integration() Integration {
	in := Integration{
		Tenant: raw.Tenant, ID: raw.ID, Program: raw.Program, Role: raw.Role, FileName: raw.FileName,
		Identifier: raw.Identifier, Mapping: raw.Mapping, Separator: raw.Separator, DateOrder: raw.DateOrder,
		Overwrite: true, Notify: raw.Notify, Contacts: raw.Contacts, Mode: raw.Mode,
		DeactivateMissing: raw.DeactivateMissing, StatusValues: raw.StatusValues, Live: raw.Live,
		Disabled: raw.Disabled, CreatedAt: raw.CreatedAt, UpdatedAt: raw.UpdatedAt,
		Valve: Valve{MaxShare: DefaultValveMaxShare, MaxCount: DefaultValveMaxCount},
	}
	if raw.Overwrite != nil {
		in.Overwrite = *raw.Overwrite
	}
	if v := raw.Valve; v != nil {
		if v.MaxShare != nil {
			in.Valve.MaxShare = *v.MaxShare
		}
		if v.MaxCount != nil {
			in.Valve.MaxCount = *v.MaxCount
		}
	}
	if s := raw.Schedule; s != nil {
		in.Schedule = &Schedule{Every: s.Every, Day: s.Day, At: s.At, Timezone: s.Timezone, GraceHours: DefaultScheduleGrace}
		if s.GraceHours != nil {
			in.Schedule.GraceHours = *s.GraceHours
		}
	}
	return in.WithDefaults()
}

// WithDefaults fills the unset string fields with their defaults.
func (in Integration) WithDefaults() Integration {
	if in.FileName == "" {
		in.FileName = "*"
	}
	if in.Identifier == "" {
		in.Identifier = IdentifyByEmail
	}
	if in.Separator == "" {
		in.Separator = ","
	}
	if in.DateOrder == "" {
		in.DateOrder = DMY
	}
	if in.Mode == "" {
		in.Mode = ModeFull
	}
	if s := in.Schedule; s != nil {
		c := *s
		if c.Every == "" {
			c.Every = EveryDaily
		}
		if c.Every == EveryWeekly && c.Day == "" {
			c.Day = DefaultScheduleDay
		}
		if c.At == "" {
			c.At = DefaultScheduleAt
		}
		if c.Timezone == "" {
			c.Timezone = DefaultScheduleZone
		}
		in.Schedule = &c
	}
	return in
}

// ParseIntegration reads an integration file strictly: an unknown field
// (often a misspelt one) is an error, and the result is validated. Tenant
// and the times are dropped, so that `integration list --json` output can
// be edited and put back; the caller sets them.
func ParseIntegration(r io.Reader) (Integration, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Integration{}, fmt.Errorf("read integration: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var raw integrationJSON
	if err := dec.Decode(&raw); err != nil {
		return Integration{}, Errorf(ErrInvalid, "integration file: %v", err)
	}
	if dec.More() {
		return Integration{}, Errorf(ErrInvalid, "integration file: more than one JSON value")
	}
	in := raw.integration()
	// Roster sets these; a file never chooses its tenant (X1).
	in.Tenant, in.CreatedAt, in.UpdatedAt = "", time.Time{}, time.Time{}
	if err := in.Validate(); err != nil {
		return Integration{}, err
	}
	return in, nil
}

// integrationIDPattern is the shape of integration, program and tenant IDs
// before they reach a key (DESIGN §5).
var integrationIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// integrationTargetUsername is the username target (V9).
const integrationTargetUsername = "username"

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// Validate checks an integration on its own (I1). CheckProgram checks it
// against its program. Each error names the field and what is wanted.
func (in Integration) Validate() error {
	bad := func(format string, args ...any) error {
		return Errorf(ErrInvalid, "integration %s: "+format, append([]any{in.ID}, args...)...)
	}
	switch {
	case in.ID == "":
		return Errorf(ErrInvalid, "integration: id is required")
	case !integrationIDPattern.MatchString(in.ID):
		return Errorf(ErrInvalid, "integration id %q: use 1 to 64 letters, digits, - or _", in.ID)
	case in.Program == "":
		return bad("program is required")
	case !integrationIDPattern.MatchString(in.Program):
		return bad("program %q: use 1 to 64 letters, digits, - or _", in.Program)
	case in.Role == "":
		return bad("role is required")
	case len(in.Mapping) == 0:
		return bad("mapping is required: map each header name to a target")
	case len(in.Contacts) == 0:
		return bad("contacts is required: at least one email to tell what each file did")
	}
	if in.Tenant != "" && !integrationIDPattern.MatchString(in.Tenant) {
		return bad("tenant %q: use 1 to 64 letters, digits, - or _", in.Tenant)
	}
	if err := checkNamePattern(in.FileName); err != nil {
		return bad("fileName %q: %v", in.FileName, err)
	}
	switch in.Identifier {
	case IdentifyByEmail, IdentifyByUserID:
	default:
		return bad("identifier %q: want userId or email", in.Identifier)
	}
	if err := in.checkMappingShape(); err != nil {
		return err
	}
	if strings.TrimSpace(in.Separator) == "" && in.Separator != "\t" {
		return bad("separator must not be blank (S2)")
	}
	switch in.DateOrder {
	case DMY, MDY, YMD:
	default:
		return bad("dateOrder %q: want dmy, mdy or ymd", in.DateOrder)
	}
	for _, c := range in.Contacts {
		if !ValidEmail(NormalizeEmail(c)) {
			return bad("contact %q is not a valid email", c)
		}
	}
	switch in.Mode {
	case ModeFull:
	case ModeDelta:
		if in.DeactivateMissing {
			return bad("deactivateMissing needs mode full: a delta file does not list everyone (I4)")
		}
	default:
		return bad("mode %q: want full or delta", in.Mode)
	}
	if in.Valve.MaxShare < 0 || in.Valve.MaxShare > 1 {
		return bad("valve.maxShare %v: want a share between 0 and 1 (0.2 is 20%%)", in.Valve.MaxShare)
	}
	if in.Valve.MaxCount < 0 {
		return bad("valve.maxCount %d: want 0 or more", in.Valve.MaxCount)
	}
	if err := in.checkStatusValues(); err != nil {
		return err
	}
	if in.Schedule != nil {
		if err := in.Schedule.check(); err != nil {
			return bad("schedule: %v", err)
		}
	}
	return nil
}

// checkNamePattern accepts globs of path.Match with no folder in them.
func checkNamePattern(p string) error {
	if p == "" {
		return fmt.Errorf("empty pattern")
	}
	if strings.Contains(p, "/") {
		return fmt.Errorf("a name pattern holds no folder (/)")
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("not a valid glob (use *, ? and [a-z])")
	}
	return nil
}

// checkMappingShape checks the mapping's targets without the program (M1,
// M2): each known, each used once, headers distinct once normalized.
func (in Integration) checkMappingShape() error {
	bad := func(format string, args ...any) error {
		return Errorf(ErrInvalid, "integration %s: mapping: "+format, append([]any{in.ID}, args...)...)
	}
	headers := map[string]string{}
	targets := map[string]string{}
	for _, h := range slices.Sorted(maps.Keys(in.Mapping)) {
		t := in.Mapping[h]
		n := HeaderKey(h)
		if n == "" {
			return bad("a header name is blank")
		}
		if first, dup := headers[n]; dup {
			return bad("headers %q and %q are the same once trimmed and case-folded", first, h)
		}
		headers[n] = h
		switch {
		case t == TargetEmail, t == TargetUserID, t == integrationTargetUsername, t == TargetStatus:
		case t == TargetIgnore:
			continue
		case strings.HasPrefix(t, FieldPrefix) && len(t) > len(FieldPrefix):
		case strings.HasPrefix(t, AssocPrefix) && len(t) > len(AssocPrefix):
		default:
			return bad("header %q maps to unknown target %q (want email, userId, username, status, field:<key>, assoc:<role> or ignore)", h, t)
		}
		if first, dup := targets[t]; dup {
			return bad("headers %q and %q both map to %s: each target may be used once (M1)", first, h, t)
		}
		targets[t] = h
	}
	if _, ok := targets[TargetEmail]; !ok {
		if _, ok := targets[integrationTargetUsername]; !ok {
			return bad("no header is mapped to email: email (or username, V9) must be mapped (M2)")
		}
	}
	if in.Identifier == IdentifyByUserID {
		if _, ok := targets[TargetUserID]; !ok {
			return bad("identifier is userId but no header is mapped to userId")
		}
	}
	return nil
}

func (in Integration) checkStatusValues() error {
	seen := map[string]string{}
	for _, v := range slices.Sorted(maps.Keys(in.StatusValues)) {
		n := strings.ToLower(strings.TrimSpace(v))
		if n == "" {
			return Errorf(ErrInvalid, "integration %s: statusValues: a file value is blank (an empty status never changes anyone, A6)", in.ID)
		}
		if first, dup := seen[n]; dup {
			return Errorf(ErrInvalid, "integration %s: statusValues: %q and %q are the same value in any case", in.ID, first, v)
		}
		seen[n] = v
		if s := in.StatusValues[v]; s != StatusActive && s != StatusSuspended {
			return Errorf(ErrInvalid, "integration %s: statusValues: %q maps to %q (want active or suspended)", in.ID, v, s)
		}
	}
	return nil
}

func (s Schedule) check() error {
	switch s.Every {
	case EveryDaily:
		if s.Day != "" {
			return fmt.Errorf("day %q is for weekly schedules only", s.Day)
		}
	case EveryWeekly:
		if _, ok := weekdays[strings.ToLower(s.Day)]; !ok {
			return fmt.Errorf("day %q: want monday … sunday", s.Day)
		}
	default:
		return fmt.Errorf("every %q: want daily or weekly", s.Every)
	}
	if _, _, ok := parseClock(s.At); !ok {
		return fmt.Errorf("at %q: want a time HH:MM such as 06:00", s.At)
	}
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "Local" {
		return fmt.Errorf("timezone %q: want an IANA time zone such as Europe/Paris or UTC", s.Timezone)
	}
	if s.GraceHours < 0 || time.Duration(s.GraceHours)*time.Hour >= s.period() {
		return fmt.Errorf("graceHours %d: want 0 or more and less than the %s period", s.GraceHours, s.Every)
	}
	return nil
}

// period is the nominal time between two expected files.
func (s Schedule) period() time.Duration {
	if s.Every == EveryWeekly {
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

func parseClock(s string) (hour, minute int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// CheckProgram checks the integration against its program: the role is one
// of the program's and each target fits that role's form (M1).
func (in Integration) CheckProgram(p Program) error {
	if p.ID != in.Program {
		return Errorf(ErrInvalid, "integration %s is for program %s, not %s", in.ID, in.Program, p.ID)
	}
	if !p.HasRole(in.Role) {
		return Errorf(ErrInvalid, "integration %s: program %s has no role %q (roles: %s)", in.ID, p.ID, in.Role, strings.Join(p.Roles, ", "))
	}
	for _, h := range slices.Sorted(maps.Keys(in.Mapping)) {
		t := in.Mapping[h]
		switch {
		case strings.HasPrefix(t, FieldPrefix):
			key := strings.TrimPrefix(t, FieldPrefix)
			q, ok := p.Question(key)
			if !ok {
				return Errorf(ErrInvalid, "integration %s: header %q maps to unknown question %q", in.ID, h, key)
			}
			if !q.AppliesTo(in.Role) {
				return Errorf(ErrInvalid, "integration %s: header %q maps to question %q, which is not part of the %s profile form", in.ID, h, key, in.Role)
			}
		case strings.HasPrefix(t, AssocPrefix):
			if r := strings.TrimPrefix(t, AssocPrefix); !p.HasRole(r) {
				return Errorf(ErrInvalid, "integration %s: header %q links to role %q, which program %s does not have", in.ID, h, r, p.ID)
			}
		}
	}
	return nil
}

// Prefix is the integration's inbound prefix (I1).
func (in Integration) Prefix() string { return InboundPrefix(in.Tenant, in.ID) }

// InboundPrefix is where an integration's files arrive (I1):
// inbound/{tenant}/{integration}/.
func InboundPrefix(tenant, integrationID string) string {
	return "inbound/" + tenant + "/" + integrationID + "/"
}

// Settings are the import settings every file of the integration runs with.
func (in Integration) Settings() ImportSettings {
	return ImportSettings{Role: in.Role, Separator: in.Separator, Overwrite: in.Overwrite, Notify: in.Notify, DateOrder: in.DateOrder, StatusValues: in.StatusValues,
		Rehire: in.OffboardsMissing(), HoldSuspensions: true}.WithDefaults()
}

// MapStatus maps a status cell through the integration's status values
// (I4), case-insensitively and trimmed. A value with no entry is returned as
// it is, for the V4 check to accept (active, suspended, empty) or flag.
func (in Integration) MapStatus(cell string) string { return in.Settings().MapStatus(cell) }
