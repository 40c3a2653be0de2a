package bolt

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/roster"
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
	for _, v := range []any{
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
		got := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := decodeValue(raw, got); err != nil {
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

// TestCodecReadsJSON: values written as JSON by earlier versions stay readable.
func TestCodecReadsJSON(t *testing.T) {
	p := sampleParticipant()
	raw, _ := json.Marshal(p)
	var got roster.Participant
	if err := decodeValue(raw, &got); err != nil {
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
			if len(raw) == 0 || raw[0] == '{' || decodeValue(raw, v) != nil {
				continue
			}
			again, err := encodeValue(v)
			if err != nil {
				t.Fatalf("encodeValue(%+v) = %v", v, err)
			}
			back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := decodeValue(again, back); err != nil {
				t.Fatalf("decodeValue(encodeValue(%+v)) = %v", v, err)
			}
			if diff := cmp.Diff(v, back); diff != "" {
				t.Errorf("%x read, written and read again differs:\n%s", raw, diff)
			}
		}
	})
}
