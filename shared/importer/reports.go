package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
)

// writeReport writes the report as CSV and XLSX (A13) and returns their keys.
func (s *Service) writeReport(ctx context.Context, im roster.Import, counts roster.Counts, entries []Entry) ([]string, error) {
	headers := map[string][]string{}
	for _, p := range im.Sheets {
		headers[p.Name] = p.Headers
	}
	var csvBuf, xlsxBuf bytes.Buffer
	cw := report.NewCSV(&csvBuf)
	xw := report.NewXLSX(&xlsxBuf)
	xw.SetSummary(counts, im.ID, im.FileName)
	for _, e := range entries {
		re := report.Entry{Sheet: e.Sheet, Row: e.Row, Headers: headers[e.Sheet], Values: e.Values, Flags: e.Flags}
		if err := cw.Write(re); err != nil {
			return nil, err
		}
		if err := xw.Write(re); err != nil {
			return nil, err
		}
	}
	if err := cw.Close(); err != nil {
		return nil, err
	}
	if err := xw.Close(); err != nil {
		return nil, err
	}
	if err := s.putJSON(ctx, reportKey(im.Tenant, im.ID, "json"), entries); err != nil {
		return nil, err
	}
	keys := []string{reportKey(im.Tenant, im.ID, "csv"), reportKey(im.Tenant, im.ID, "xlsx")}
	for i, buf := range []*bytes.Buffer{&csvBuf, &xlsxBuf} {
		if err := s.cfg.Blobs.Put(ctx, keys[i], buf); err != nil {
			return nil, fmt.Errorf("write report %s: %w", keys[i], err)
		}
	}
	return keys, nil
}

// Report returns the flagged rows of a completed import (A13).
func (s *Service) Report(ctx context.Context, tenant, id string) ([]Entry, error) {
	if _, err := s.GetImport(ctx, tenant, id); err != nil {
		return nil, err
	}
	entries := []Entry{}
	err := s.getJSON(ctx, reportKey(tenant, id, "json"), &entries)
	if errors.Is(err, roster.ErrNotFound) {
		return nil, roster.Errorf(roster.ErrNotFound, "import %s has no report yet", id)
	}
	return entries, err
}

// ReportFile opens the report of an import as "csv" or "xlsx" (A13).
func (s *Service) ReportFile(ctx context.Context, tenant, id, format string) (io.ReadCloser, error) {
	if format != "csv" && format != "xlsx" {
		return nil, roster.Errorf(roster.ErrInvalid, "report format %q must be csv or xlsx", format)
	}
	if _, err := s.GetImport(ctx, tenant, id); err != nil {
		return nil, err
	}
	rc, err := s.cfg.Blobs.Get(ctx, reportKey(tenant, id, format))
	if errors.Is(err, roster.ErrNotFound) {
		return nil, roster.Errorf(roster.ErrNotFound, "import %s has no report yet", id)
	}
	return rc, err
}
