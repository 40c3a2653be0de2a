package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/wire"
)

func sampleParticipant() roster.Participant {
	at := time.Date(2025, 3, 1, 9, 30, 0, 123, time.FixedZone("", 3600))
	return roster.Participant{
		Tenant: "t1", ProgramID: "p1", UserID: "u01", Role: "mentee", Status: roster.StatusActive,
		Profile: roster.Profile{"city": "Lyon", "years": json.Number("3.50"), "remote": true,
			"skills": []string{"Go", "Design"}, "none": []string{}},
		ImportedFields:     []string{"years", "cleared", "city"},
		OnboardingComplete: true,
		Associations:       map[string][]string{"mentor": {"u02", "u03"}, "buddy": {}},
		InvitePending:      true,
		InvitedAt:          &at,
		LastImport:         &roster.ImportMark{ImportID: "imp_1", Sheet: "Sheet 1", Row: 1_000_001, Action: roster.ActionCreate},
		Version:            7,
		UpdatedAt:          time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC),
	}
}

// TestCodecRoundTrip: users and participants read back as JSON would give
// them, nil and empty apart.
func TestCodecRoundTrip(t *testing.T) {
	full := sampleParticipant()
	packed := sampleParticipant()
	packed.LastImport.ImportID = roster.NewID("imp_")
	for _, v := range []any{
		&packed,
		&roster.User{Tenant: "t1", ID: "u01", Email: "a@example.com", ExternalID: "E1", Username: "ann",
			AccountCreated: true, Version: 3, UpdatedAt: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)},
		&roster.User{},
		&full,
		&roster.Participant{},
		&roster.Participant{Profile: roster.Profile{}, ImportedFields: []string{}, Associations: map[string][]string{}},
	} {
		raw, err := encodeValue(v)
		if err != nil {
			t.Fatalf("encodeValue(%+v) = %v", v, err)
		}
		viaJSON, _ := json.Marshal(v)
		if len(raw) >= len(viaJSON) || (raw[0] != tagUser && raw[0] != tagParticipant) {
			t.Errorf("encodeValue(%T) = %d bytes (tag %d), want the binary form, shorter than JSON's %d", v, len(raw), raw[0], len(viaJSON))
		}
		if id := idOf(v); id != "" && bytes.Contains(raw, []byte(id)) {
			t.Errorf("encodeValue(%T) holds its ID %q, which its key holds", v, id)
		}
		got := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := decodeValue(keyOf(v), raw, got); err != nil {
			t.Fatalf("decodeValue(%T) = %v", v, err)
		}
		want := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := json.Unmarshal(viaJSON, want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip of %T differs from JSON's (-json +binary):\n%s", v, diff)
		}
	}
}

// keyOf is the key v is stored under.
func keyOf(v any) []byte {
	switch v := v.(type) {
	case *roster.User:
		return key(v.Tenant, v.ID)
	case *roster.Participant:
		return key(v.Tenant, v.ProgramID, v.UserID)
	}
	return nil
}

func idOf(v any) string {
	switch v := v.(type) {
	case *roster.User:
		return v.ID
	case *roster.Participant:
		return v.UserID
	}
	return ""
}

// TestCodecReadsFirstForm: users and participants written in the first
// binary form, their IDs inside, stay readable.
func TestCodecReadsFirstForm(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	u := roster.User{Tenant: "t1", ID: "u01", Email: "a@example.com", ExternalID: "E1", Username: "ann", AccountCreated: true, Version: 3, UpdatedAt: at}
	old := []byte{tagUserWithIDs}
	for _, s := range []string{u.Tenant, u.ID, u.Email, u.ExternalID, u.Username} {
		old = wire.AppendString(old, s)
	}
	old = binary.AppendVarint(append(old, 1), u.Version)
	tb, _ := at.MarshalBinary()
	old = append(append(old, byte(len(tb))), tb...)
	var got roster.User
	if err := decodeValue(key("t1", "u01"), old, &got); err != nil {
		t.Fatalf("decodeValue(first form) = %v", err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("user of the first form (-want +got):\n%s", diff)
	}

	p := roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: "u01", Role: "mentee", Status: roster.StatusActive,
		Profile: roster.Profile{"city": "Lyon"}, ImportedFields: []string{"city"},
		LastImport: &roster.ImportMark{ImportID: "imp_1", Sheet: "S", Row: 9, Action: roster.ActionUpdate}, Version: 2, UpdatedAt: at}
	old = []byte{tagParticipantWithIDs}
	for _, s := range []string{p.Tenant, p.ProgramID, p.UserID, p.Role, string(p.Status)} {
		old = wire.AppendString(old, s)
	}
	old = wire.AppendString(wire.AppendCount(old, false, 1), "city") // the profile: one answer
	old = wire.AppendString(append(old, 's'), "Lyon")
	old = append(wire.AppendCount(old, false, 1), 1) // imported: the first key
	old = append(old, 0, 0, 0, 0, 1)                 // onboarding, no links, not pending, no invite; a mark:
	old = wire.AppendString(wire.AppendString(old, "imp_1"), "S")
	old = wire.AppendString(binary.AppendVarint(old, 9), "updated")
	old = binary.AppendVarint(old, p.Version)
	old = append(append(old, byte(len(tb))), tb...)
	var gotP roster.Participant
	if err := decodeValue(key("t1", "p1", "u01"), old, &gotP); err != nil {
		t.Fatalf("decodeValue(first form) = %v", err)
	}
	if diff := cmp.Diff(p, gotP); diff != "" {
		t.Errorf("participant of the first form (-want +got):\n%s", diff)
	}
}

// TestCodecReadsJSON: values written as JSON by earlier versions stay readable.
func TestCodecReadsJSON(t *testing.T) {
	p := sampleParticipant()
	raw, _ := json.Marshal(p)
	var got roster.Participant
	if err := decodeValue(keyOf(&p), raw, &got); err != nil {
		t.Fatalf("decodeValue(JSON) = %v", err)
	}
	if !got.UpdatedAt.Equal(p.UpdatedAt) || got.UserID != p.UserID || got.LastImport.Row != p.LastImport.Row {
		t.Errorf("decodeValue(JSON) = %+v, want %+v", got, p)
	}
}

// TestCodecFallsBackToJSON: an answer of another type is kept as JSON keeps it.
func TestCodecFallsBackToJSON(t *testing.T) {
	p := roster.Participant{UserID: "u1", Profile: roster.Profile{"n": 1.5}}
	raw, err := encodeValue(&p)
	if err != nil || raw[0] != '{' {
		t.Fatalf("encodeValue = %q, %v; want JSON", raw, err)
	}
}

// TestCodecKnowsEveryField fails when User or Participant gains a field:
// the codec must then write it too, or the field would be lost on save.
func TestCodecKnowsEveryField(t *testing.T) {
	for typ, n := range map[reflect.Type]int{reflect.TypeFor[roster.User](): 8, reflect.TypeFor[roster.Participant](): 14,
		reflect.TypeFor[roster.ImportMark](): 4} {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, the codec writes %d: update appendUser/appendParticipant and their readers", typ, typ.NumField(), n)
		}
	}
}

// FuzzDecodeValue: no input makes the reader panic, and what it reads
// reads back the same once written again.
func FuzzDecodeValue(f *testing.F) {
	u, _ := encodeValue(&roster.User{ID: "u1", Email: "a@example.com"})
	p := sampleParticipant()
	praw, _ := encodeValue(&p)
	f.Add(u)
	f.Add(praw)
	f.Add([]byte{tagParticipant, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, v := range []any{&roster.User{}, &roster.Participant{}} {
			if len(raw) == 0 || raw[0] == '{' || decodeValue(key("t1", "p1", "u1"), raw, v) != nil {
				continue
			}
			again, err := encodeValue(v)
			if err != nil {
				t.Fatalf("encodeValue(%+v) = %v", v, err)
			}
			back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := decodeValue(keyOf(v), again, back); err != nil {
				t.Fatalf("decodeValue(encodeValue(%+v)) = %v", v, err)
			}
			if diff := cmp.Diff(v, back); diff != "" {
				t.Errorf("%x read, written and read again differs:\n%s", raw, diff)
			}
		}
	})
}
