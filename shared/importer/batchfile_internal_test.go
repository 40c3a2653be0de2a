package importer

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/roster"
)

func sampleBatch() []batchRow {
	return []batchRow{
		{Record: roster.Record{Sheet: "Mentees", Row: 2, Role: "mentee", Email: "ann@example.com", UserIDMapped: true, UserID: "E-1",
			Username: "ann", Status: roster.StatusSuspended,
			Answers: roster.Answers{"city": "Lyon", "years": json.Number("3.50"), "remote": true, "skills": []string{"Go", "Design"},
				"cleared": nil, "none": []string{}},
			Assoc:  map[string][]string{"mentor": {"bob@example.com"}, "buddy": {}},
			Values: []string{"ann@example.com", "", "Lyon, \"France\"\n", "é€"}},
			Flags: []roster.Flag{{Sheet: "Mentees", Row: 2, Column: "Notes", Value: "x", Reason: "why", Severity: roster.SeverityWarning, Rule: "A9"}}},
		{Record: roster.Record{Row: 1_000_001}},
		{Record: roster.Record{Answers: roster.Answers{}, Assoc: map[string][]string{}, Values: []string{}}, Flags: []roster.Flag{}},
		// A type outside ParseAnswer's: the answers go as JSON, as they read back from JSON.
		{Record: roster.Record{Sheet: "S", Row: 3, Answers: roster.Answers{"odd": map[string]any{"a": json.Number("1")}, "n": json.Number("2")}}},
	}
}

// TestBatchFileRoundTrip: a batch file reads back the rows written, nil and
// empty apart, whatever bytes their cells hold.
func TestBatchFileRoundTrip(t *testing.T) {
	var w batchWriter
	rows := sampleBatch()
	for _, r := range rows {
		if err := w.add(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := decodeBatch(w.bytes())
	if err != nil {
		t.Fatalf("decodeBatch = %v", err)
	}
	want := sampleBatch()
	raw, _ := json.Marshal(want[3].Record.Answers)
	want[3].Record.Answers = nil
	if err := json.Unmarshal(raw, &want[3].Record.Answers); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch read back differs (-written +read):\n%s", diff)
	}
	// The writer starts the next batch afresh.
	w.reset()
	if err := w.add(rows[1]); err != nil {
		t.Fatal(err)
	}
	if got, err := decodeBatch(w.bytes()); err != nil || len(got) != 1 || got[0].Record.Row != 1_000_001 {
		t.Fatalf("second batch = %+v, %v; want its one row", got, err)
	}
}

// TestBatchFileTorn: a batch cut anywhere, or with any byte changed, is
// refused whole: no row of it is applied.
func TestBatchFileTorn(t *testing.T) {
	var w batchWriter
	for _, r := range sampleBatch() {
		if err := w.add(r); err != nil {
			t.Fatal(err)
		}
	}
	whole := w.bytes()
	for n := range len(whole) {
		if rows, err := decodeBatch(whole[:n]); err == nil {
			t.Fatalf("decodeBatch of the first %d of %d bytes = %d rows, want an error", n, len(whole), len(rows))
		}
	}
	for i := range whole {
		bad := append([]byte(nil), whole...)
		bad[i] ^= 0x20
		if rows, err := decodeBatch(bad); err == nil {
			t.Fatalf("decodeBatch with byte %d changed = %d rows, want an error", i, len(rows))
		}
	}
}

// FuzzDecodeBatch: no input makes the batch reader panic.
func FuzzDecodeBatch(f *testing.F) {
	var w batchWriter
	for _, r := range sampleBatch() {
		if err := w.add(r); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(w.bytes())
	f.Add([]byte(batchMagic))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rows, err := decodeBatch(raw)
		if err != nil {
			return
		}
		var again batchWriter
		again.reset()
		for _, r := range rows {
			if err := again.add(r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := decodeBatch(again.bytes()); err != nil {
			t.Fatalf("a batch read and written again does not read: %v", err)
		}
	})
}
