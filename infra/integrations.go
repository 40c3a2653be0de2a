package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awstransfer"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// watchdogEvery is how often the watchdog Lambda runs (I6). A window is
// told once however often it runs; every 15 minutes the email follows a
// deadline by at most that, for about 3,000 short invocations a month.
const watchdogEvery = 15

// integrationUsersPath is the IAM path of the integrations' principals:
// `aws iam list-users --path-prefix /roster/integrations/` lists them.
const integrationUsersPath = "/roster/integrations/"

// inboundPrefix is an integration's prefix (shared/roster.InboundPrefix).
func inboundPrefix(ref IntegrationRef) string {
	return prefixInbound + ref.Tenant + "/" + ref.ID + "/"
}

// newWatchdogSchedule invokes the watchdog on a fixed rate. The scheduled
// event's time is the watchdog's now; a failed run is retried, which the
// once-per-window record makes harmless.
func newWatchdogSchedule(stack awscdk.Stack, fn awslambda.IFunction) awsevents.Rule {
	return awsevents.NewRule(stack, jsii.String("WatchdogSchedule"), &awsevents.RuleProps{
		Description: jsii.String("Roster watchdog: email the contacts of integrations whose file is overdue (I6)"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(watchdogEvery))),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
			MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
		})},
	})
}

// putOnly is the one permission of an integration's pushing system (I8):
// put objects under its prefix. No read, no list, no delete.
func putOnly(bucket awss3.IBucket, ref IntegrationRef) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Effect:    awsiam.Effect_ALLOW,
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: jsii.Strings(*bucket.ArnForObjects(jsii.String(inboundPrefix(ref) + "*"))),
	})
}

// newIntegrationUsers creates, per integration, an IAM user that may only
// put files under its prefix (I8). No access key is in the template: an
// operator creates one (`aws iam create-access-key`) and hands it over.
func newIntegrationUsers(stack awscdk.Stack, bucket awss3.IBucket, refs []IntegrationRef) map[IntegrationRef]awsiam.User {
	users := map[IntegrationRef]awsiam.User{}
	if len(refs) == 0 {
		return users
	}
	scopeOf := tenantScopes(constructs.NewConstruct(stack, jsii.String("Integrations")))
	for _, ref := range refs {
		scope := scopeOf(ref.Tenant)
		u := awsiam.NewUser(scope, jsii.String(ref.ID), &awsiam.UserProps{Path: jsii.String(integrationUsersPath)})
		u.AddToPolicy(putOnly(bucket, ref))
		awscdk.Tags_Of(u).Add(jsii.String("roster:tenant"), jsii.String(ref.Tenant), nil)
		awscdk.Tags_Of(u).Add(jsii.String("roster:integration"), jsii.String(ref.ID), nil)
		users[ref] = u
	}
	return users
}

// SFTP is the optional AWS Transfer Family server (I8).
type SFTP struct {
	Server awstransfer.CfnServer
	Users  map[IntegrationRef]awstransfer.CfnUser
}

// sftpUserName is an integration's SFTP login: tenant.integration (IDs hold
// no dot, so the name is unambiguous).
func sftpUserName(ref IntegrationRef) string { return ref.Tenant + "." + ref.ID }

// newSFTP is a public SFTP endpoint over the bucket with Transfer
// Family's own users, one per integration, each chrooted (a LOGICAL home
// directory) to its inbound prefix and allowed only to put files there.
// SSH keys are not in the template: an operator imports the customer's
// (`aws transfer import-ssh-public-key`).
func newSFTP(stack awscdk.Stack, bucket awss3.IBucket, refs []IntegrationRef) *SFTP {
	transfer := awsiam.NewServicePrincipal(jsii.String("transfer.amazonaws.com"), nil)
	logging := awsiam.NewRole(stack, jsii.String("SftpLogging"), &awsiam.RoleProps{
		AssumedBy:   transfer,
		Description: jsii.String("Roster SFTP: Transfer Family writes its logs"),
	})
	logging.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Effect:  awsiam.Effect_ALLOW,
		Actions: jsii.Strings("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"),
		Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String("/aws/transfer/*"),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})),
	}))
	server := awstransfer.NewCfnServer(stack, jsii.String("Sftp"), &awstransfer.CfnServerProps{
		Domain:               jsii.String("S3"),
		EndpointType:         jsii.String("PUBLIC"),
		IdentityProviderType: jsii.String("SERVICE_MANAGED"),
		Protocols:            jsii.Strings("SFTP"),
		LoggingRole:          logging.RoleArn(),
		SecurityPolicyName:   jsii.String("TransferSecurityPolicy-2024-01"),
		// Clients that set a file's times or mode after an upload would
		// fail on S3; the server ignores that instead.
		ProtocolDetails: &awstransfer.CfnServer_ProtocolDetailsProperty{SetStatOption: jsii.String("ENABLE_NO_OP")},
	})
	out := &SFTP{Server: server, Users: map[IntegrationRef]awstransfer.CfnUser{}}
	if len(refs) == 0 {
		return out
	}
	scopeOf := tenantScopes(constructs.NewConstruct(stack, jsii.String("SftpUsers")))
	for _, ref := range refs {
		scope := scopeOf(ref.Tenant)
		role := awsiam.NewRole(scope, jsii.String(ref.ID+"Role"), &awsiam.RoleProps{
			AssumedBy:   transfer,
			Description: jsii.String("Roster SFTP user " + sftpUserName(ref) + ": put files under its inbound prefix only"),
		})
		role.AddToPolicy(putOnly(bucket, ref))
		out.Users[ref] = awstransfer.NewCfnUser(scope, jsii.String(ref.ID), &awstransfer.CfnUserProps{
			ServerId:          server.AttrServerId(),
			UserName:          jsii.String(sftpUserName(ref)),
			Role:              role.RoleArn(),
			HomeDirectoryType: jsii.String("LOGICAL"),
			HomeDirectoryMappings: &[]*awstransfer.CfnUser_HomeDirectoryMapEntryProperty{{
				Entry:  jsii.String("/"),
				Target: jsii.String("/" + *bucket.BucketName() + "/" + inboundPrefix(ref)[:len(inboundPrefix(ref))-1]),
			}},
		})
	}
	return out
}

// tenantScopes gives one construct per tenant under root, made on first
// use, so that integration IDs need only be unique within their tenant.
func tenantScopes(root constructs.Construct) func(tenant string) constructs.Construct {
	scopes := map[string]constructs.Construct{}
	return func(tenant string) constructs.Construct {
		scope, ok := scopes[tenant]
		if !ok {
			scope = constructs.NewConstruct(root, jsii.String(tenant))
			scopes[tenant] = scope
		}
		return scope
	}
}
