// Package report writes the spreadsheets Roster hands to admins: an
// import's report (A13), a program's import template (F6) and its export
// (F7). It writes only to the io.Writer it is given.
//
// # Report layout (A13)
//
// Every rejected or warned row is one line: Sheet, Row (as in the file),
// Severity (error when any flag of the row is an error, else warning),
// Problems, then the row's original values under the sheet's own headers
// (cells past the headers, or under an empty header, are named "Column X"
// as in F4). Problems lists every flag as
//
//	Column: reason ("value") [rule]
//
// leaving out the parts a flag does not have; a warning in a row with
// errors ends with "(warning)". Flags are joined with "; " in CSV (one line
// per record, for scripts) and with line breaks in XLSX (a wrapped cell).
//
// Sheets of one import have different headers. The values are spread over
// their own columns rather than packed into one JSON column, because an
// admin fixes a row by reading it next to the headers it came with, and can
// filter and copy columns in Excel:
//   - CSV: a header line starts the file and is written again whenever the
//     sheet (or its headers) changes. A header line is recognized by its
//     Row column, which reads "Row" instead of a number. The file starts
//     with a UTF-8 byte order mark so that Excel reads accents right. It has
//     no summary rows, so that every line is a header or an entry; the
//     counts are in the import and its completion email (A12). A report
//     with no entries holds the fixed header line only.
//   - XLSX: the first tab, Summary, holds the import ID, file name and
//     counts (SetSummary), then the errors and warnings of each sheet and the
//     tab holding them. Then one tab per import sheet, named after it (at
//     most 31 characters, []:*?/\ replaced by "_", made unique with " (2)"),
//     with a frozen, filterable header row.
//
// Formula injection: every cell whose text starts with =, +, -, @, a tab or
// a carriage return gets a leading single quote (Neutralize), in both
// formats, and XLSX cells are written as strings, never formulas. A value
// such as -2 therefore reads '-2 in the report.
//
// Both writers stream, so memory does not grow with the number of entries:
// CSV keeps one record in memory; XLSX uses excelize's stream writers, which
// hold up to 16 MB of each tab in memory (a buffer of up to twice that) and
// spill the rest to temporary files, and writes the workbook at Close.
//
// # Template and export layout (F6, F7)
//
// One tab per role, in the program's order, named after the role. Row 1 is
// the header row (TemplateHeaders): Email, User ID, User Status, then the
// labels of the role's questions; TemplateMapping gives the matching
// mapping targets, so an import of a filled template needs no suggestion.
// Row 2 is a note row, italic and grey, with a hint under each column (the
// comma separator of multiple choices, the YYYY-MM-DD date format, the
// status values). Its first cell starts with NoteRowPrefix: an importer
// reading a template skips that row (IsNoteRow). Data starts on row 3.
// User Status, single choices and booleans have drop-downs; multiple
// choices, which a drop-down cannot fill with several values, and dates
// have an input message instead. Date columns are formatted YYYY-MM-DD, so
// that a date typed in the user's local form reads back as an ISO date.
// Options that cannot go in an in-cell list (over 255 characters in all, or
// with a comma or double quote) are listed on a hidden tab, Lists, created
// only then.
package report
