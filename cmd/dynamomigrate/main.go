// Command dynamomigrate moves a Roster table written in layout 1
// (participants under their user's partition, listed through the byProgram
// index) to the current layout, once, after deploying the store that reads
// it: the store refuses participant calls on a layout-1 table until then,
// naming this command. It is idempotent and resumable: run it again after
// a stop and it goes on from where it was. Credentials, region and endpoint
// come from the SDK's environment (AWS_ENDPOINT_URL_DYNAMODB for a local
// table).
//
//	go run ./cmd/dynamomigrate -table roster
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rosterhq/roster/shared/store/dynamo"
)

func main() {
	table := flag.String("table", os.Getenv("TABLE_NAME"), "the store's DynamoDB table (default $TABLE_NAME, as the Lambdas have it)")
	workers := flag.Int("workers", 16, "participants moved at once")
	flag.Parse()
	if *table == "" {
		fmt.Fprintln(os.Stderr, "dynamomigrate: -table is required")
		os.Exit(2)
	}
	if err := run(*table, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "dynamomigrate:", err)
		os.Exit(1)
	}
}

func run(table string, workers int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS config: %w", err)
	}
	rep, err := dynamo.Migrate(ctx, dynamodb.NewFromConfig(cfg), table, dynamo.MigrateOptions{
		Workers:  workers,
		Progress: func(r dynamo.MigrateReport) { fmt.Println(summary(r)) },
	})
	if err != nil {
		return fmt.Errorf("%w (%s; run again to go on)", err, summary(rep))
	}
	if rep.AlreadyCurrent {
		fmt.Printf("table %s is in the current layout already: nothing to do\n", table)
		return nil
	}
	fmt.Printf("table %s migrated: %s\n", table, summary(rep))
	return nil
}

func summary(r dynamo.MigrateReport) string {
	return fmt.Sprintf("%d items scanned, %d participants moved, %d already moved, %d old items removed", r.Scanned, r.Moved, r.Kept, r.Removed)
}
