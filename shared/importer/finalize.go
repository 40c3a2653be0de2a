package importer

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/rosterhq/roster/shared/roster"
)

// Finalize links associations (A9), adds up the counts, writes the report
// (A13), ends a pushed file's sync (finishSync), completes the import and
// emails the admin (A12).
func (s *Service) Finalize(ctx context.Context, tenant, id string) (roster.Import, error) {
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil || im.Status == roster.ImportCompleted {
		return im, err // a retried finalize: done once
	}
	var man Manifest
	if err := s.getJSON(ctx, ManifestKey(tenant, id), &man); err != nil {
		return im, err
	}
	var entries []Entry
	if err := s.getJSON(ctx, workKey(tenant, id, "prepare.json"), &entries); err != nil {
		return im, err
	}
	counts := man.Counts
	var suspend []string // held back for the safety valve (finishSync)
	rejected := map[[2]any]bool{}
	memos := make([]*batchMemo, 0, len(man.Batches))
	for n := range man.Batches {
		var br BatchResult
		if err := s.getJSON(ctx, resultKey(tenant, id, n+1), &br); err != nil {
			return im, fmt.Errorf("batch %d has no result: %w", n+1, err)
		}
		counts = counts.Plus(br.Counts)
		suspend = append(suspend, br.Suspend...)
		memos = append(memos, br.Memo)
		for _, e := range br.Entries {
			if e.Action == roster.ActionReject {
				rejected[[2]any{e.Sheet, e.Row}] = true
			}
		}
		entries = append(entries, br.Entries...)
	}
	links, err := s.linkAssociations(ctx, im, prog, man, rejected)
	if err != nil {
		return im, err
	}
	entries = mergeEntries(entries, links)
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Sheet != entries[j].Sheet {
			return sheetIndex(im, entries[i].Sheet) < sheetIndex(im, entries[j].Sheet)
		}
		return entries[i].Row < entries[j].Row
	})
	keys, err := s.writeReport(ctx, im, counts, entries)
	if err != nil {
		return im, err
	}
	if err := s.finishSync(ctx, im, prog, counts, entries, keys, suspend); err != nil {
		return im, err
	}
	im, err = s.putOr(ctx, im, func(im *roster.Import) error {
		if err := im.Move(roster.ImportCompleted); err != nil {
			return err
		}
		im.Counts = counts
		im.ReportKeys = keys
		im.Applied = im.Batches
		s.ended(im)
		return nil
	})
	if err != nil {
		return im, err
	}
	s.recordMemo(ctx, im, man, memos)
	dropErr := s.dropWorkFiles(ctx, tenant, id, len(man.Batches))
	if im.Admin == "" {
		return im, dropErr
	}
	if err := s.cfg.Mailer.Send(ctx, completion(prog, im, s.cfg.ReportURL(tenant, id, keys[0]))); err != nil {
		return im, errors.Join(fmt.Errorf("send completion email: %w", err), dropErr)
	}
	return im, dropErr
}

// dropWorkFiles deletes what only a run in progress reads: the batches,
// their results and prepare's entries, now in the report. The manifest
// (progress), the file's structure (the rows view), sync.json and held.txt
// (sync approve and reject) stay.
func (s *Service) dropWorkFiles(ctx context.Context, tenant, id string, batches int) error {
	if s.cfg.KeepWorkFiles {
		return nil
	}
	keys := []string{workKey(tenant, id, "prepare.json"), memoRowsKey(tenant, id), memoKnownKey(tenant, id)}
	for n := 1; n <= batches; n++ {
		keys = append(keys, batchKey(tenant, id, n), resultKey(tenant, id, n))
	}
	for _, k := range keys {
		if err := s.cfg.Blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("import %s completed; drop its work files: %w", id, err)
		}
	}
	return nil
}

// mergeEntries adds the link warnings of rows already in entries to those
// entries, so that the report lists each row once (A13).
func mergeEntries(entries, links []Entry) []Entry {
	at := make(map[[2]any]int, len(entries))
	for i, e := range entries {
		at[[2]any{e.Sheet, e.Row}] = i
	}
	for _, l := range links {
		if i, ok := at[[2]any{l.Sheet, l.Row}]; ok {
			entries[i].Flags = append(entries[i].Flags, l.Flags...)
			continue
		}
		entries = append(entries, l)
	}
	return entries
}

func sheetIndex(im roster.Import, name string) int {
	for i, p := range im.Sheets {
		if p.Name == name {
			return i
		}
	}
	return len(im.Sheets)
}

// Fail marks an import failed, forgets a pushed file's claim (releaseSync)
// and emails the admin why and what was written (A12, X4). It returns cause.
func (s *Service) Fail(ctx context.Context, tenant, id string, cause error) error {
	var counts roster.Counts
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return errors.Join(cause, err)
	}
	applied := len(im.AppliedSet)
	for _, n := range im.AppliedSet {
		var br BatchResult
		if s.getJSON(ctx, resultKey(tenant, id, n), &br) == nil {
			counts = counts.Plus(br.Counts)
		}
	}
	im, err = s.putOr(ctx, im, func(im *roster.Import) error {
		if im.Status != roster.ImportFailed {
			if err := im.Move(roster.ImportFailed); err != nil {
				return err
			}
		}
		im.Error = cause.Error()
		im.Counts = counts
		s.ended(im)
		return nil
	})
	if err != nil {
		return errors.Join(cause, err)
	}
	if err := s.releaseSync(ctx, im); err != nil {
		return errors.Join(cause, err)
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	if err != nil {
		return errors.Join(cause, err)
	}
	if err := s.tellSyncFailed(ctx, im, prog, applied); err != nil {
		return errors.Join(cause, err)
	}
	if im.Admin == "" {
		return cause
	}
	if err := s.cfg.Mailer.Send(ctx, failure(prog, im, applied)); err != nil {
		return errors.Join(cause, fmt.Errorf("send failure email: %w", err))
	}
	return cause
}
