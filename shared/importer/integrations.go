package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/rosterhq/roster/shared/roster"
)

// PutIntegration checks an integration (I1), on its own and against its
// program, and creates or replaces it in the tenant. The tenant is the
// caller's, never the integration file's (X1); createdAt is kept across
// replacements.
func (s *Service) PutIntegration(ctx context.Context, tenant string, in roster.Integration) (roster.Integration, error) {
	if in.Tenant != "" && in.Tenant != tenant {
		return roster.Integration{}, roster.Errorf(roster.ErrInvalid, "integration %s: the tenant comes from the caller; leave it out", in.ID)
	}
	in = in.WithDefaults()
	in.Tenant = tenant
	if err := in.Validate(); err != nil {
		return roster.Integration{}, err
	}
	p, err := s.cfg.Store.GetProgram(ctx, tenant, in.Program)
	if errors.Is(err, roster.ErrNotFound) {
		return roster.Integration{}, roster.Errorf(roster.ErrInvalid, "integration %s: program %s does not exist", in.ID, in.Program)
	}
	if err != nil {
		return roster.Integration{}, fmt.Errorf("integration %s: get program %s: %w", in.ID, in.Program, err)
	}
	if err := in.CheckProgram(p); err != nil {
		return roster.Integration{}, err
	}
	now := s.now()
	in.CreatedAt, in.UpdatedAt = now, now
	old, err := s.cfg.Store.GetIntegration(ctx, tenant, in.ID)
	switch {
	case err == nil:
		in.CreatedAt = old.CreatedAt
	case !errors.Is(err, roster.ErrNotFound):
		return roster.Integration{}, fmt.Errorf("integration %s: %w", in.ID, err)
	}
	if err := s.cfg.Store.PutIntegration(ctx, in); err != nil {
		return roster.Integration{}, err
	}
	return in, nil
}

// GetIntegration returns one of the tenant's integrations.
func (s *Service) GetIntegration(ctx context.Context, tenant, id string) (roster.Integration, error) {
	in, err := s.cfg.Store.GetIntegration(ctx, tenant, id)
	if errors.Is(err, roster.ErrNotFound) {
		return in, roster.Errorf(roster.ErrNotFound, "integration %s does not exist", id)
	}
	return in, err
}

// ListIntegrations returns the tenant's integrations in ID order.
func (s *Service) ListIntegrations(ctx context.Context, tenant string) ([]roster.Integration, error) {
	ins, err := s.cfg.Store.ListIntegrations(ctx, tenant)
	if ins == nil {
		ins = []roster.Integration{}
	}
	return ins, err
}

// SetLive switches an integration out of test mode (live) or back into it
// (I7).
func (s *Service) SetLive(ctx context.Context, tenant, id string, live bool) (roster.Integration, error) {
	in, err := s.GetIntegration(ctx, tenant, id)
	if err != nil {
		return in, err
	}
	if in.Live == live {
		return in, nil
	}
	in.Live, in.UpdatedAt = live, s.now()
	if err := s.cfg.Store.PutIntegration(ctx, in); err != nil {
		return roster.Integration{}, err
	}
	return in, nil
}

// DeleteIntegration removes one of the tenant's integrations; files
// arriving for it afterwards are ignored (I2).
func (s *Service) DeleteIntegration(ctx context.Context, tenant, id string) error {
	if _, err := s.GetIntegration(ctx, tenant, id); err != nil {
		return err
	}
	return s.cfg.Store.DeleteIntegration(ctx, tenant, id)
}
