package config

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sfnapi "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/rosterhq/roster/shared/blob/s3blob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/sesmail"
	"github.com/rosterhq/roster/shared/store/dynamo"
	"github.com/rosterhq/roster/shared/workflow/sfn"
)

// Backend is the AWS adapters and the importer service over them.
type Backend struct {
	Config   Config
	Store    *dynamo.Store
	Blobs    *s3blob.Blobs
	Mailer   *sesmail.Mailer
	Workflow *sfn.Workflow // nil without a state machine ARN
	Service  *importer.Service
}

// NewBackend builds the clients and adapters from an SDK config (from
// awsconfig.LoadDefaultConfig, which reads the AWS_ENDPOINT_URL_* overrides
// itself). It does no I/O, so main calls it once per cold start.
func NewBackend(c Config, awsCfg aws.Config) *Backend {
	pathStyle := func(o *s3.Options) {
		if c.S3PathStyle {
			o.UsePathStyle = true
		}
	}
	store := dynamo.New(dynamodb.NewFromConfig(awsCfg), c.Table)
	blobs := s3blob.New(s3blob.NewClient(awsCfg, pathStyle), c.Bucket)
	mailer := sesmail.New(ses.NewFromConfig(awsCfg), c.MailFrom, sesmail.Options{
		Rate:             c.SendRate,
		Claim:            store.ClaimMessage,
		Release:          store.ReleaseMessage,
		ConfigurationSet: c.ConfigurationSet,
	})
	b := &Backend{Config: c, Store: store, Blobs: blobs, Mailer: mailer}
	ic := importer.Config{
		Store:     store,
		Blobs:     blobs,
		Mailer:    mailer,
		Limits:    c.Limits,
		BatchSize: c.BatchSize,
		ReportURL: c.ReportURL,
		PageURL:   c.PageURL(),
		From:      c.MailFrom,
		// The bucket's lifecycle rule expires work files; the functions
		// have no delete right.
		KeepWorkFiles: true,
	}
	if c.StateMachineARN != "" {
		b.Workflow = sfn.New(sfnapi.NewFromConfig(awsCfg), c.StateMachineARN)
		ic.Workflow = b.Workflow
	}
	b.Service = importer.New(ic)
	return b
}

// MaxFileBytesOrDefault is the upload limit in force: ROSTER_MAX_FILE_SIZE or the default
// of F8.
func (c Config) MaxFileBytesOrDefault() int64 {
	return c.Limits.WithDefaults().MaxFileSize
}

// LoadBackend loads the SDK's default config (region, credentials and
// endpoint overrides from the environment) and builds the backend on it.
func LoadBackend(ctx context.Context, c Config) (*Backend, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return NewBackend(c, awsCfg), nil
}
