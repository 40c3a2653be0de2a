package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strconv"

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
// returns it with the next version; otherwise roster.ErrConflict. It is an
// UpdateItem, so the applied batches that RecordBatch adds stay.
func (s *Store) PutImport(ctx context.Context, im roster.Import) (roster.Import, error) {
	cond, vals := versionCondition(im.Version)
	next := im
	next.Version++
	stored := next
	stored.AppliedSet = nil
	doc, err := encode(stored)
	if err != nil {
		return im, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	if vals == nil {
		vals = map[string]types.AttributeValue{}
	}
	vals[":doc"], vals[":next"], vals[":st"] = doc, nv(next.Version), sv(string(im.Status))
	vals[":g1pk"], vals[":g1sk"] = sv(importsPK(im.Tenant, im.ProgramID)), sv(importSK(im.CreatedAt, im.ID))
	var out *dynamodb.UpdateItemOutput
	err = s.call(ctx, func() (err error) {
		out, err = s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 &s.table,
			Key:                       key(importPK(im.Tenant, im.ID), skImport),
			UpdateExpression:          new("SET " + attrDoc + " = :doc, " + attrVersion + " = :next, " + attrStatus + " = :st, " + attrGSI1PK + " = :g1pk, " + attrGSI1SK + " = :g1sk"),
			ConditionExpression:       &cond,
			ExpressionAttributeValues: vals,
			ReturnValues:              types.ReturnValueAllNew,
		})
		return err
	})
	if conflict(err) {
		return im, fmt.Errorf("put import %s version %d: %w", im.ID, im.Version, roster.ErrConflict)
	}
	if err != nil {
		return im, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	appliedOf(out.Attributes, &next)
	return next, nil
}

// RecordBatch adds batch to the import's applied set with ADD: atomic, and
// a batch recorded twice counts once (defect 13).
func (s *Store) RecordBatch(ctx context.Context, tenant, id string, batch int) error {
	err := s.call(ctx, func() error {
		_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 &s.table,
			Key:                       key(importPK(tenant, id), skImport),
			UpdateExpression:          new("ADD " + attrApplied + " :b"),
			ConditionExpression:       new("attribute_exists(" + attrPK + ")"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":b": &types.AttributeValueMemberNS{Value: []string{strconv.Itoa(batch)}}},
		})
		return err
	})
	if conflict(err) {
		return fmt.Errorf("record batch %d of import %s: %w", batch, id, roster.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("record batch %d of import %s: %w", batch, id, err)
	}
	return nil
}

// appliedOf reads an import item's applied batches into im.
func appliedOf(item map[string]types.AttributeValue, im *roster.Import) {
	im.AppliedSet = nil
	if ns, ok := item[attrApplied].(*types.AttributeValueMemberNS); ok {
		for _, v := range ns.Value {
			if n, err := strconv.Atoi(v); err == nil {
				im.AppliedSet = append(im.AppliedSet, n)
			}
		}
		slices.Sort(im.AppliedSet)
	}
	im.Applied = max(im.Applied, len(im.AppliedSet))
}

func decodeImport(item map[string]types.AttributeValue) (roster.Import, error) {
	var im roster.Import
	v, err := decode(item, &im)
	im.Version = v
	appliedOf(item, &im)
	return im, err
}

// GetImport returns roster.ErrNotFound when there is no such import.
func (s *Store) GetImport(ctx context.Context, tenant, id string) (roster.Import, error) {
	item, err := s.getItem(ctx, importPK(tenant, id), skImport)
	if err != nil {
		return roster.Import{}, fmt.Errorf("get import %s: %w", id, err)
	}
	if item == nil {
		return roster.Import{}, fmt.Errorf("get import %s: %w", id, roster.ErrNotFound)
	}
	im, err := decodeImport(item)
	if err != nil {
		return im, fmt.Errorf("get import %s: %w", id, err)
	}
	return im, nil
}

// RunningImports scans the table for the tenant's running and interrupted
// imports: it runs once when a server starts, not per request.
func (s *Store) RunningImports(ctx context.Context, tenant string) ([]roster.Import, error) {
	var out []roster.Import
	var start map[string]types.AttributeValue
	for {
		var page *dynamodb.ScanOutput
		err := s.call(ctx, func() (err error) {
			page, err = s.api.Scan(ctx, &dynamodb.ScanInput{
				TableName:        &s.table,
				FilterExpression: new("begins_with(" + attrPK + ", :pre) AND " + attrSK + " = :sk AND (" + attrStatus + " = :run OR " + attrStatus + " = :int)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pre": sv(importPK(tenant, "")), ":sk": sv(skImport),
					":run": sv(string(roster.ImportRunning)), ":int": sv(string(roster.ImportInterrupted)),
				},
				ExclusiveStartKey: start,
			})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list running imports: %w", err)
		}
		for _, item := range page.Items {
			im, err := decodeImport(item)
			if err != nil {
				return nil, fmt.Errorf("list running imports: %w", err)
			}
			if im.Tenant == tenant {
				out = append(out, im)
			}
		}
		if start = page.LastEvaluatedKey; len(start) == 0 {
			break
		}
	}
	slices.SortFunc(out, func(a, b roster.Import) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
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
		im, err := decodeImport(item)
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
