package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableAPI is the part of the DynamoDB client CreateTable uses.
type TableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// CreateTable creates the store's table (on-demand, with the byProgram
// index and the TTL attribute), waits until it is active, turns TTL on and
// marks it with the current layout (layout.go).
// The deployed stack creates the same table with CDK; this is for tests and
// the local stack.
func CreateTable(ctx context.Context, client TableAPI, table string) error {
	str := types.ScalarAttributeTypeS
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   &table,
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: new(attrPK), AttributeType: str},
			{AttributeName: new(attrSK), AttributeType: str},
			{AttributeName: new(attrGSI1PK), AttributeType: str},
			{AttributeName: new(attrGSI1SK), AttributeType: str},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: new(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: new(attrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: new(indexByProgram),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: new(attrGSI1PK), KeyType: types.KeyTypeHash},
				{AttributeName: new(attrGSI1SK), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	created := err == nil
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 2*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &table}, 5*time.Minute); err != nil {
		return fmt.Errorf("wait for table %s: %w", table, err)
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               &table,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: new(attrExpires), Enabled: new(true)},
	})
	// A second call on a table that has TTL on is refused; it is on.
	if err != nil && !isTTLAlreadyOn(err) {
		return fmt.Errorf("enable TTL on table %s: %w", table, err)
	}
	if created {
		return markNew(ctx, client, table)
	}
	// A table that was there keeps what it holds; the store reads its
	// layout on first use.
	return nil
}

func isTTLAlreadyOn(err error) bool {
	var ve interface{ ErrorMessage() string }
	return errors.As(err, &ve) && ve.ErrorMessage() == "TimeToLive is already enabled"
}
