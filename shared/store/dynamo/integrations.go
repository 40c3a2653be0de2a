package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Sync's items (pk / sk), beside those of store.go:
//
//	integration    T#<t>#INTEGRATIONS   / I#<id>            doc
//	file claim     T#<t>#INTEG#<id>     / FILE#<sha256>     (nothing else: its existence is the claim)
//	sync state     T#<t>#INTEG#<id>     / SYNC              doc, ver
//	watch copy     #ALL#INTEGRATIONS    / <t>#<id>          doc
//
// A tenant's integrations share one partition, so that listing them is one
// query; a tenant has a handful. The watch copy, written and deleted in the
// same transaction, lets the watchdog list every tenant's integrations with
// one query and no scan (I6).

var _ importer.Integrations = (*Store)(nil)

const (
	skSyncState    = "SYNC"
	prefixIntegSK  = "I#"
	prefixClaimSK  = "FILE#"
	integrationsPK = "#INTEGRATIONS"
	allIntegPK     = "#ALL#INTEGRATIONS"
)

func allIntegSK(tenant, id string) string { return tenant + "#" + id }

func tenantIntegrationsPK(tenant string) string { return tenantKey(tenant) + integrationsPK }
func integrationPK(tenant, id string) string    { return tenantKey(tenant) + "#INTEG#" + id }
func integrationSK(id string) string            { return prefixIntegSK + id }
func fileClaimSK(sha256 string) string          { return prefixClaimSK + sha256 }
func integrationKey(tenant, id string) (string, string) {
	return tenantIntegrationsPK(tenant), integrationSK(id)
}

// PutIntegration implements importer.Integrations.
func (s *Store) PutIntegration(ctx context.Context, in roster.Integration) error {
	doc, err := encode(in)
	if err != nil {
		return fmt.Errorf("put integration %s: %w", in.ID, err)
	}
	pk, sk := integrationKey(in.Tenant, in.ID)
	err = s.call(ctx, func() error {
		_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: &s.table, Item: map[string]types.AttributeValue{attrPK: sv(pk), attrSK: sv(sk), attrDoc: doc}}},
			{Put: &types.Put{TableName: &s.table, Item: map[string]types.AttributeValue{attrPK: sv(allIntegPK), attrSK: sv(allIntegSK(in.Tenant, in.ID)), attrDoc: doc}}},
		}})
		return err
	})
	if err != nil {
		return fmt.Errorf("put integration %s: %w", in.ID, err)
	}
	return nil
}

// GetIntegration implements importer.Integrations.
func (s *Store) GetIntegration(ctx context.Context, tenant, id string) (roster.Integration, error) {
	pk, sk := integrationKey(tenant, id)
	item, err := s.getItem(ctx, pk, sk)
	if err == nil && item == nil {
		err = roster.ErrNotFound
	}
	var in roster.Integration
	if err == nil {
		_, err = decode(item, &in)
	}
	if err != nil {
		return roster.Integration{}, fmt.Errorf("get integration %s: %w", id, err)
	}
	return in, nil
}

// ListIntegrations implements importer.Integrations.
func (s *Store) ListIntegrations(ctx context.Context, tenant string) ([]roster.Integration, error) {
	ins, err := s.queryIntegrations(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: new(attrPK + " = :pk AND begins_with(" + attrSK + ", :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sv(tenantIntegrationsPK(tenant)), ":sk": sv(prefixIntegSK),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	return ins, nil
}

// ListAllIntegrations implements importer.Integrations from the watch
// copies.
func (s *Store) ListAllIntegrations(ctx context.Context) ([]roster.Integration, error) {
	ins, err := s.queryIntegrations(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    new(attrPK + " = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sv(allIntegPK)},
	})
	if err != nil {
		return nil, fmt.Errorf("list all integrations: %w", err)
	}
	return ins, nil
}

// queryIntegrations reads every integration item the query finds,
// consistently: a just-saved integration is listed.
func (s *Store) queryIntegrations(ctx context.Context, q *dynamodb.QueryInput) ([]roster.Integration, error) {
	q.ConsistentRead = new(true)
	var ins []roster.Integration
	err := s.query(ctx, q, func(item map[string]types.AttributeValue) error {
		var in roster.Integration
		if _, err := decode(item, &in); err != nil {
			return err
		}
		ins = append(ins, in)
		return nil
	})
	return ins, err
}

// DeleteIntegration implements importer.Integrations.
func (s *Store) DeleteIntegration(ctx context.Context, tenant, id string) error {
	pk, sk := integrationKey(tenant, id)
	err := s.call(ctx, func() error {
		_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Delete: &types.Delete{TableName: &s.table, Key: key(pk, sk)}},
			{Delete: &types.Delete{TableName: &s.table, Key: key(allIntegPK, allIntegSK(tenant, id))}},
		}})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete integration %s: %w", id, err)
	}
	return nil
}

// ClaimFile implements importer.Integrations with a conditional put: of
// concurrent claims, DynamoDB lets exactly one create the item.
func (s *Store) ClaimFile(ctx context.Context, tenant, integrationID, sha256 string) (bool, error) {
	item := map[string]types.AttributeValue{attrPK: sv(integrationPK(tenant, integrationID)), attrSK: sv(fileClaimSK(sha256))}
	err := s.putItem(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: new("attribute_not_exists(" + attrPK + ")")})
	if conflict(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim file %s of integration %s: %w", sha256, integrationID, err)
	}
	return true, nil
}

// ReleaseFile implements importer.Integrations.
func (s *Store) ReleaseFile(ctx context.Context, tenant, integrationID, sha256 string) error {
	if err := s.deleteItem(ctx, integrationPK(tenant, integrationID), fileClaimSK(sha256)); err != nil {
		return fmt.Errorf("release file %s of integration %s: %w", sha256, integrationID, err)
	}
	return nil
}

// GetSyncState implements importer.Integrations.
func (s *Store) GetSyncState(ctx context.Context, tenant, integrationID string) (roster.SyncState, error) {
	st := roster.SyncState{Tenant: tenant, IntegrationID: integrationID}
	item, err := s.getItem(ctx, integrationPK(tenant, integrationID), skSyncState)
	if err == nil && item != nil {
		st.Version, err = decode(item, &st)
	}
	if err != nil {
		return roster.SyncState{}, fmt.Errorf("get sync state of integration %s: %w", integrationID, err)
	}
	return st, nil
}

// PutSyncState implements importer.Integrations.
func (s *Store) PutSyncState(ctx context.Context, st roster.SyncState) (roster.SyncState, error) {
	cond, vals := versionCondition(st.Version)
	next := st
	next.Version++
	doc, err := encode(next)
	if err != nil {
		return roster.SyncState{}, fmt.Errorf("put sync state of integration %s: %w", st.IntegrationID, err)
	}
	item := map[string]types.AttributeValue{
		attrPK: sv(integrationPK(st.Tenant, st.IntegrationID)), attrSK: sv(skSyncState),
		attrDoc: doc, attrVersion: nv(next.Version),
	}
	err = s.putItem(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: &cond, ExpressionAttributeValues: vals})
	if conflict(err) {
		err = fmt.Errorf("version %d is not the stored one: %w", st.Version, roster.ErrConflict)
	}
	if err != nil {
		return roster.SyncState{}, fmt.Errorf("put sync state of integration %s: %w", st.IntegrationID, err)
	}
	return next, nil
}

func (s *Store) deleteItem(ctx context.Context, pk, sk string) error {
	return s.call(ctx, func() error {
		_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(pk, sk)})
		return err
	})
}
