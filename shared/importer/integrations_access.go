package importer

import (
	"context"
	"errors"

	"github.com/rosterhq/roster/shared/roster"
)

// loadIntegration returns an integration of the caller's tenant that an
// admin of its program may manage (X1).
func (se *Session) loadIntegration(ctx context.Context, id string) (roster.Integration, error) {
	if err := roster.CheckCaller(se.c); err != nil {
		return roster.Integration{}, err
	}
	if !se.c.IsAdmin() {
		return roster.Integration{}, forbidden("only an admin may manage integrations; you are signed in as a %s", se.c.Kind)
	}
	in, err := se.s.GetIntegration(ctx, se.c.Tenant, id)
	if err != nil {
		return in, err
	}
	if !se.c.CanAccess(in.Program) {
		return roster.Integration{}, forbidden("you are not granted the program of integration %s", id)
	}
	return in, nil
}

// ListIntegrations lists the integrations of the programs the admin is
// granted (I1).
func (se *Session) ListIntegrations(ctx context.Context) ([]roster.Integration, error) {
	if err := roster.CheckCaller(se.c); err != nil {
		return nil, err
	}
	if !se.c.IsAdmin() {
		return nil, forbidden("only an admin may list integrations; you are signed in as a %s", se.c.Kind)
	}
	ins, err := se.s.ListIntegrations(ctx, se.c.Tenant)
	if err != nil {
		return nil, err
	}
	granted := []roster.Integration{}
	for _, in := range ins {
		if se.c.CanAccess(in.Program) {
			granted = append(granted, in)
		}
	}
	return granted, nil
}

// GetIntegration returns one integration.
func (se *Session) GetIntegration(ctx context.Context, id string) (roster.Integration, error) {
	return se.loadIntegration(ctx, id)
}

// PutIntegration creates or replaces an integration. Replacing one that
// belongs to another program needs that program granted too.
func (se *Session) PutIntegration(ctx context.Context, in roster.Integration) (roster.Integration, error) {
	if err := se.admin(in.Program); err != nil {
		return roster.Integration{}, err
	}
	if _, err := se.loadIntegration(ctx, in.ID); err != nil && !errors.Is(err, roster.ErrNotFound) {
		return roster.Integration{}, err
	}
	return se.s.PutIntegration(ctx, se.c.Tenant, in)
}

// DeleteIntegration deletes an integration.
func (se *Session) DeleteIntegration(ctx context.Context, id string) error {
	if _, err := se.loadIntegration(ctx, id); err != nil {
		return err
	}
	return se.s.DeleteIntegration(ctx, se.c.Tenant, id)
}

// SetLive leaves test mode (live) or re-enters it (I7).
func (se *Session) SetLive(ctx context.Context, id string, live bool) (roster.Integration, error) {
	if _, err := se.loadIntegration(ctx, id); err != nil {
		return roster.Integration{}, err
	}
	return se.s.SetLive(ctx, se.c.Tenant, id, live)
}
