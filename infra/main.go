// Command infra is the CDK app of Roster's AWS stack (DESIGN §1–§3). It
// synthesizes with the CDK CLI (`npx cdk synth`, `cdk deploy`, `cdklocal
// deploy`) or on its own (`go run .`), which writes cdk.out/ for SAM and the
// end-to-end test.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	if err := synth(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func synth() error {
	app, err := newApp(os.Getenv("CDK_OUTDIR"))
	if err != nil {
		return err
	}
	settings, err := settingsFrom(app.Node())
	if err != nil {
		return err
	}
	if _, err := NewRosterStack(app, settings.StackName, settings, &awscdk.StackProps{
		Description: jsii.String("Roster: bulk import of program participants"),
		// Account and region come from the CLI's profile at deploy time; the
		// template stays environment-agnostic.
	}); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}

// newApp returns the app with cdk.json's context. The CLI passes that
// context itself; a plain `go run .` (and the tests) must read it, so that
// the feature flags are the same either way. Asset and path metadata are on,
// as the CLI's defaults: SAM finds each function's code through them.
func newApp(outdir string) (awscdk.App, error) {
	ctx, err := cdkContext("cdk.json")
	if err != nil {
		return nil, err
	}
	ctx["aws:cdk:enable-asset-metadata"] = true
	ctx["aws:cdk:enable-path-metadata"] = true
	props := &awscdk.AppProps{Context: &ctx}
	if outdir != "" {
		props.Outdir = jsii.String(outdir)
	}
	return awscdk.NewApp(props), nil
}

// cdkContext reads the "context" object of a cdk.json file.
func cdkContext(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cdk context: %w", err)
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read cdk context %s: %w", path, err)
	}
	if doc.Context == nil {
		doc.Context = map[string]any{}
	}
	return doc.Context, nil
}
