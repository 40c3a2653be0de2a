package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/roster"
)

// PutProgram writes a program, replacing the stored one.
func (s *Store) PutProgram(ctx context.Context, p roster.Program) error {
	doc, err := encode(p)
	if err != nil {
		return fmt.Errorf("put program %s: %w", p.ID, err)
	}
	item := key(programPK(p.Tenant, p.ID), skProgram)
	item[attrDoc] = doc
	if err := s.putItem(ctx, &dynamodb.PutItemInput{Item: item}); err != nil {
		return fmt.Errorf("put program %s: %w", p.ID, err)
	}
	return nil
}

// GetProgram returns roster.ErrNotFound when there is no such program.
func (s *Store) GetProgram(ctx context.Context, tenant, id string) (roster.Program, error) {
	var p roster.Program
	item, err := s.getItem(ctx, programPK(tenant, id), skProgram)
	if err != nil {
		return p, fmt.Errorf("get program %s: %w", id, err)
	}
	if item == nil {
		return p, fmt.Errorf("get program %s: %w", id, roster.ErrNotFound)
	}
	if _, err := decode(item, &p); err != nil {
		return p, fmt.Errorf("get program %s: %w", id, err)
	}
	return p, nil
}

// PutImport writes im when its Version is the stored one (0: new) and
// returns it with the next version; otherwise roster.ErrConflict.
func (s *Store) PutImport(ctx context.Context, im roster.Import) (roster.Import, error) {
	cond, vals := versionCondition(im.Version)
	next := im
	next.Version++
	doc, err := encode(next)
	if err != nil {
		return im, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	item := key(importPK(im.Tenant, im.ID), skImport)
	item[attrDoc] = doc
	item[attrVersion] = nv(next.Version)
	item[attrGSI1PK] = sv(importsPK(im.Tenant, im.ProgramID))
	item[attrGSI1SK] = sv(importSK(im.CreatedAt, im.ID))
	err = s.putItem(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: &cond, ExpressionAttributeValues: vals})
	if conflict(err) {
		return im, fmt.Errorf("put import %s version %d: %w", im.ID, im.Version, roster.ErrConflict)
	}
	if err != nil {
		return im, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	return next, nil
}

// GetImport returns roster.ErrNotFound when there is no such import.
func (s *Store) GetImport(ctx context.Context, tenant, id string) (roster.Import, error) {
	var im roster.Import
	item, err := s.getItem(ctx, importPK(tenant, id), skImport)
	if err != nil {
		return im, fmt.Errorf("get import %s: %w", id, err)
	}
	if item == nil {
		return im, fmt.Errorf("get import %s: %w", id, roster.ErrNotFound)
	}
	v, err := decode(item, &im)
	if err != nil {
		return im, fmt.Errorf("get import %s: %w", id, err)
	}
	im.Version = v
	return im, nil
}

// ListImports returns a program's imports, newest first. It reads the
// byProgram index, which on DynamoDB lags writes by a moment.
func (s *Store) ListImports(ctx context.Context, tenant, programID string) ([]roster.Import, error) {
	out := []roster.Import{}
	err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 new(indexByProgram),
		KeyConditionExpression:    new(attrGSI1PK + " = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sv(importsPK(tenant, programID))},
		ScanIndexForward:          new(false),
	}, func(item map[string]types.AttributeValue) error {
		var im roster.Import
		v, err := decode(item, &im)
		im.Version = v
		out = append(out, im)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list imports of program %s: %w", programID, err)
	}
	return out, nil
}

// PutMapping remembers a confirmed mapping (M4).
func (s *Store) PutMapping(ctx context.Context, tenant, programID, role, signature string, m roster.Mapping) error {
	doc, err := encode(m)
	if err != nil {
		return fmt.Errorf("put mapping %s/%s: %w", programID, role, err)
	}
	item := key(programPK(tenant, programID), mappingSK(role, signature))
	item[attrDoc] = doc
	if err := s.putItem(ctx, &dynamodb.PutItemInput{Item: item}); err != nil {
		return fmt.Errorf("put mapping %s/%s: %w", programID, role, err)
	}
	return nil
}

// GetMapping returns roster.ErrNotFound when none is remembered.
func (s *Store) GetMapping(ctx context.Context, tenant, programID, role, signature string) (roster.Mapping, error) {
	item, err := s.getItem(ctx, programPK(tenant, programID), mappingSK(role, signature))
	if err != nil {
		return nil, fmt.Errorf("get mapping %s/%s: %w", programID, role, err)
	}
	if item == nil {
		return nil, fmt.Errorf("get mapping %s/%s: %w", programID, role, roster.ErrNotFound)
	}
	var m roster.Mapping
	if _, err := decode(item, &m); err != nil {
		return nil, fmt.Errorf("get mapping %s/%s: %w", programID, role, err)
	}
	return m, nil
}
