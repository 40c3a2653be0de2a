package dynamo_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/store/dynamo"
	"github.com/rosterhq/roster/shared/store/storetest"
	"github.com/rosterhq/roster/shared/testenv/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

var tables atomic.Int64

// newClient returns a client of the test process's DynamoDB Local.
func newClient(t testing.TB) *dynamodb.Client {
	t.Helper()
	ep := awstest.DynamoDB(t)
	return dynamodb.NewFromConfig(awstest.Config(), func(o *dynamodb.Options) { o.BaseEndpoint = &ep })
}

// newTable creates a fresh table and returns its name.
func newTable(t testing.TB, client *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("roster-test-%d", tables.Add(1))
	if err := dynamo.CreateTable(context.Background(), client, name); err != nil {
		t.Fatalf("CreateTable(%s): %v", name, err)
	}
	return name
}

func newStore(t testing.TB) *dynamo.Store {
	t.Helper()
	c := newClient(t)
	return dynamo.New(c, newTable(t, c))
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) importer.Store { return newStore(t) })
}
