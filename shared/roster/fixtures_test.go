package roster_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterhq/roster/shared/roster"
)

var (
	seeded = time.Date(2024, 1, 15, 8, 0, 0, 0, time.UTC) // when fixtures were last written
	now    = time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
)

const importID = "imp-1"

// stubUserIDs makes NewUserID return u1, u2, … for the rest of the test.
func stubUserIDs(t *testing.T) {
	t.Helper()
	orig := roster.NewUserID
	n := 0
	roster.NewUserID = func() string { n++; return fmt.Sprintf("u%d", n) }
	t.Cleanup(func() { roster.NewUserID = orig })
}

// mentoring is a program whose mentee form is dept, skills and goal.
func mentoring() roster.Program {
	return roster.Program{
		Tenant: "acme", ID: "mentoring-2024", Name: "Mentoring 2024",
		Roles: []string{"mentee", "mentor"},
		Questions: []roster.Question{
			{Key: "dept", Label: "Department", Type: roster.TypeSingle, Options: []string{"Engineering", "Sales", "People Ops"}},
			{Key: "skills", Label: "Skills", Type: roster.TypeMulti, Options: []string{"Go", "SQL", "Public speaking"}},
			{Key: "goal", Label: "Goal", Type: roster.TypeText, Roles: []string{"mentee"}, Required: true},
			{Key: "years", Label: "Years of experience", Type: roster.TypeNumber, Roles: []string{"mentor"}},
		},
	}
}

// menteePlan maps a Mentees sheet with User IDs.
func menteePlan() roster.SheetPlan {
	return roster.SheetPlan{
		Name: "Mentees", Role: "mentee", HeaderRow: 1,
		Headers: []string{"Email", "User ID", "Status", "Department", "Skills", "Goal"},
		Mapping: roster.Mapping{"email", "userId", "status", "field:dept", "field:skills", "field:goal"},
	}
}

// menteePlanByEmail maps a Mentees sheet without User IDs.
func menteePlanByEmail() roster.SheetPlan {
	return roster.SheetPlan{
		Name: "Mentees", Role: "mentee", HeaderRow: 1,
		Headers: []string{"Email", "Status", "Department", "Skills", "Goal"},
		Mapping: roster.Mapping{"email", "status", "field:dept", "field:skills", "field:goal"},
	}
}

// row is row 2 of the Mentees sheet as read through menteePlan; an empty
// userID means the sheet does not map User IDs.
func row(email, userID string, status roster.Status, answers roster.Answers) roster.Record {
	return roster.Record{Sheet: "Mentees", Row: 2, Role: "mentee", Email: email,
		UserIDMapped: userID != "", UserID: userID, Status: status, Answers: answers}
}

func user(id, email, externalID string, accountCreated bool) roster.User {
	return roster.User{Tenant: "acme", ID: id, Email: email, ExternalID: externalID,
		AccountCreated: accountCreated, Version: 2, UpdatedAt: seeded}
}

func mentee(userID string, status roster.Status, profile roster.Profile, imported ...string) roster.Participant {
	if profile == nil {
		profile = roster.Profile{}
	}
	return roster.Participant{Tenant: "acme", ProgramID: "mentoring-2024", UserID: userID, Role: "mentee",
		Status: status, Profile: profile, ImportedFields: imported, Version: 5, UpdatedAt: seeded}
}

func mark(a roster.Action) *roster.ImportMark {
	return &roster.ImportMark{ImportID: importID, Sheet: "Mentees", Row: 2, Action: a}
}

// updatedBy returns p as the import of row 2 leaves it when it updates it.
func updatedBy(p roster.Participant) *roster.Participant {
	p.UpdatedAt = now
	p.LastImport = mark(roster.ActionUpdate)
	return &p
}

// created returns the participant row 2 creates for userID.
func created(userID string, status roster.Status, profile roster.Profile, imported ...string) *roster.Participant {
	p := mentee(userID, status, profile, imported...)
	p.Version, p.UpdatedAt, p.LastImport = 0, now, mark(roster.ActionCreate)
	return &p
}

// newUser returns the user row 2 creates.
func newUser(id, email, externalID string) *roster.User {
	return &roster.User{Tenant: "acme", ID: id, Email: email, ExternalID: externalID, UpdatedAt: now}
}

// diffFlags compares flags field by field; a wanted Reason is a phrase the
// flag's reason must contain.
func diffFlags(t *testing.T, what string, got, want []roster.Flag) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(roster.Flag{}, "Reason"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s flags mismatch (-want +got):\n%s", what, diff)
		return
	}
	for i, f := range got {
		if f.Reason == "" || !strings.Contains(f.Reason, want[i].Reason) {
			t.Errorf("%s flag %d reason = %q, want one containing %q", what, i, f.Reason, want[i].Reason)
		}
	}
}

// world is a fake store of one tenant's users and one program's
// participants. It answers Existing for a record the way the importer's
// store does, and saves a Decision as a store would: through JSON, with a
// version bump.
type world struct {
	t            *testing.T
	users        map[string]roster.User        // by Roster user ID
	participants map[string]roster.Participant // by Roster user ID
}

func newWorld(t *testing.T, users []roster.User, participants []roster.Participant) *world {
	w := &world{t: t, users: map[string]roster.User{}, participants: map[string]roster.Participant{}}
	for _, u := range users {
		w.users[u.ID] = roundTrip(t, u)
	}
	for _, p := range participants {
		w.participants[p.UserID] = roundTrip(t, p)
	}
	return w
}

func (w *world) existing(rec roster.Record) roster.Existing {
	ex := roster.Existing{Participants: map[string]*roster.Participant{}}
	for _, u := range w.users {
		if rec.UserIDMapped && u.ExternalID != "" && u.ExternalID == rec.UserID {
			ex.ByUserID = ptr(roundTrip(w.t, u))
		}
		if rec.Username != "" && u.Username == rec.Username {
			ex.ByUsername = ptr(roundTrip(w.t, u))
		}
		if rec.Email != "" && u.Email == rec.Email {
			ex.ByEmail = ptr(roundTrip(w.t, u))
		}
	}
	for _, u := range []*roster.User{ex.ByUserID, ex.ByUsername, ex.ByEmail} {
		if u == nil {
			continue
		}
		if p, ok := w.participants[u.ID]; ok {
			ex.Participants[u.ID] = ptr(roundTrip(w.t, p))
		}
	}
	return ex
}

func (w *world) apply(d roster.Decision) {
	if d.User != nil {
		u := roundTrip(w.t, *d.User)
		u.Version++
		w.users[u.ID] = u
	}
	if d.Participant != nil {
		p := roundTrip(w.t, *d.Participant)
		p.Version++
		w.participants[p.UserID] = p
	}
}

func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal %T %s: %v", v, b, err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
