package roster_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

func TestCheckMapping(t *testing.T) {
	headers := []string{"Email", "ID", "Dept", "Notes", "Parent"}
	tests := []struct {
		name    string
		role    string
		mapping roster.Mapping
		wantErr string // phrase of the message; "" = valid
	}{
		{name: "M1_every_target_kind", role: "mentee",
			mapping: roster.Mapping{"email", "userId", "field:dept", "status", "assoc:mentor"}},
		{name: "M1_ignore_and_unmapped_may_repeat", role: "mentee",
			mapping: roster.Mapping{"email", "ignore", "", "ignore", ""}},
		{name: "M1_short_mapping_ignores_the_rest", role: "mentee", mapping: roster.Mapping{"email"}},
		{name: "M1_target_used_twice_names_both_columns", role: "mentee",
			mapping: roster.Mapping{"email", "field:dept", "field:dept"}, wantErr: `columns "ID" and "Dept" both map to field:dept`},
		{name: "M1_email_used_twice", role: "mentee",
			mapping: roster.Mapping{"email", "email"}, wantErr: "each target may be used once"},
		{name: "M1_unnamed_column_named_by_letter", role: "mentee",
			mapping: roster.Mapping{"email", "", "", "", "", "status", "status"}, wantErr: "columns F and G"},
		{name: "M2_email_required", role: "mentee",
			mapping: roster.Mapping{"ignore", "userId", "field:dept"}, wantErr: "email must be mapped"},
		{name: "M2_empty_mapping_needs_email", role: "mentee", mapping: nil, wantErr: "email must be mapped"},
		{name: "M1_unknown_question", role: "mentee",
			mapping: roster.Mapping{"email", "field:shoe_size"}, wantErr: `unknown question "shoe_size"`},
		{name: "M1_question_of_other_role", role: "mentee",
			mapping: roster.Mapping{"email", "field:years"}, wantErr: "not part of the mentee profile form"},
		{name: "M1_question_of_own_role", role: "mentor", mapping: roster.Mapping{"email", "field:years"}},
		{name: "M1_unknown_association_role", role: "mentee",
			mapping: roster.Mapping{"email", "assoc:parent"}, wantErr: `role "parent"`},
		{name: "M1_unknown_target", role: "mentee",
			mapping: roster.Mapping{"email", "phone"}, wantErr: `unknown target "phone"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := roster.CheckMapping(mentoring(), tc.role, tc.mapping, headers)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("CheckMapping(%q) = %v, want nil", tc.mapping, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckMapping(%q) = %v, want an error containing %q", tc.mapping, err, tc.wantErr)
			}
			if !errors.Is(err, roster.ErrInvalid) {
				t.Errorf("CheckMapping(%q) = %v, want it to be ErrInvalid", tc.mapping, err)
			}
		})
	}
}

func TestMappingColumn(t *testing.T) {
	m := roster.Mapping{"email", "ignore", "field:dept"}
	for target, want := range map[string]int{"email": 0, "field:dept": 2, "userId": -1} {
		if got := m.Column(target); got != want {
			t.Errorf("Column(%q) = %d, want %d", target, got, want)
		}
		if got := m.Has(target); got != (want >= 0) {
			t.Errorf("Has(%q) = %v, want %v", target, got, want >= 0)
		}
	}
}

func TestColumnName(t *testing.T) {
	tests := []struct {
		i    int
		want string
	}{
		{0, "A"}, {1, "B"}, {25, "Z"}, {26, "AA"}, {27, "AB"}, {51, "AZ"}, {52, "BA"},
		{701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}, // XFD is Excel's last column
	}
	for _, tc := range tests {
		t.Run("F4_"+tc.want, func(t *testing.T) {
			if got := roster.ColumnName(tc.i); got != tc.want {
				t.Errorf("ColumnName(%d) = %q, want %q", tc.i, got, tc.want)
			}
		})
	}
}

func TestImportSettingsWithDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   roster.ImportSettings
		want roster.ImportSettings
	}{
		{"S2_default_separator_comma_and_dmy", roster.ImportSettings{},
			roster.ImportSettings{Separator: ",", DateOrder: roster.DMY}},
		{"S2_S3_S4_chosen_settings_kept",
			roster.ImportSettings{Separator: " / ", Overwrite: true, Notify: true, DateOrder: roster.MDY},
			roster.ImportSettings{Separator: " / ", Overwrite: true, Notify: true, DateOrder: roster.MDY}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.WithDefaults(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("WithDefaults(%+v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestImportEdit(t *testing.T) {
	im := roster.Import{Edits: []roster.CellEdit{
		{Sheet: "Mentees", Row: 4, Column: 0, Value: "first@example.org"},
		{Sheet: "Mentors", Row: 4, Column: 0, Value: "mentor@example.org"},
		{Sheet: "Mentees", Row: 4, Column: 0, Value: "second@example.org"},
	}}
	tests := []struct {
		name      string
		sheet     string
		row, col  int
		want      string
		wantFound bool
	}{
		{"V8_last_edit_of_a_cell_wins", "Mentees", 4, 0, "second@example.org", true},
		{"V8_edit_is_per_sheet", "Mentors", 4, 0, "mentor@example.org", true},
		{"V8_unedited_cell", "Mentees", 4, 1, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := im.Edit(tc.sheet, tc.row, tc.col)
			if got != tc.want || ok != tc.wantFound {
				t.Errorf("Edit(%s, %d, %d) = %q, %v, want %q, %v", tc.sheet, tc.row, tc.col, got, ok, tc.want, tc.wantFound)
			}
		})
	}
}

func TestImportStatusDone(t *testing.T) {
	for s, want := range map[roster.ImportStatus]bool{
		roster.ImportCreated: false, roster.ImportParsed: false, roster.ImportMapped: false, roster.ImportRunning: false,
		roster.ImportCompleted: true, roster.ImportFailed: true, roster.ImportCancelled: true,
	} {
		if got := s.Done(); got != want {
			t.Errorf("%s.Done() = %v, want %v", s, got, want)
		}
	}
}
