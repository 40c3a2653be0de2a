package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/rosterhq/roster/shared/roster"
)

// Start starts the run of a mapped import (the admin's "Continue"). Started
// again after a failed or interrupted run, it finishes that run (A11).
func (s *Service) Start(ctx context.Context, tenant, id string) (roster.Import, error) {
	return s.launch(ctx, tenant, id, false)
}

// Cancel cancels an import that has not started.
func (s *Service) Cancel(ctx context.Context, tenant, id string) (roster.Import, error) {
	return s.updateImport(ctx, tenant, id, func(im *roster.Import) error {
		return im.Move(roster.ImportCancelled)
	})
}

func (s *Service) importAndProgram(ctx context.Context, tenant, id string) (roster.Import, roster.Program, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return im, roster.Program{}, err
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	return im, prog, err
}

func (s *Service) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := s.cfg.Blobs.Put(ctx, key, bytes.NewReader(b)); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

func (s *Service) getJSON(ctx context.Context, key string, v any) error {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}
