package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3notifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The Lambdas, by their folder under functions/ (DESIGN §2): the same name
// is their construct id, their events/ folder and their dist/ folder.
const (
	fnAPI      = "api"
	fnParse    = "parse"
	fnPrepare  = "prepare"
	fnApply    = "apply"
	fnFinalize = "finalize"
	fnWatchdog = "watchdog"
)

// Environment variables of the functions (shared/config).
const (
	envTable        = "TABLE_NAME"
	envBucket       = "BUCKET_NAME"
	envStateMachine = "STATE_MACHINE_ARN"
	envMailFrom     = "MAIL_FROM"
	envPublicURL    = "PUBLIC_URL"
	envBatchSize    = "BATCH_SIZE"
)

// The DynamoDB table's schema, as shared/store/dynamo creates it.
const (
	tableKeyPK     = "pk"
	tableKeySK     = "sk"
	indexByProgram = "byProgram"
	indexKeyPK     = "gsi1pk"
	indexKeySK     = "gsi1sk"
	tableTTL       = "expiresAt"
)

// Key prefixes of the bucket (shared/importer).
const (
	prefixUploads = "uploads/" // files sent from the page
	prefixInbound = "inbound/" // files sent by integrations
	prefixWork    = "work/"    // structure, batches, results
)

// function is how one Lambda is sized and what it may touch.
type function struct {
	name    string
	memory  float64 // MB
	timeout awscdk.Duration
	purpose string
	// startsRuns: the api function starts the state machine for an upload,
	// parse for a live integration's pushed file (I2).
	startsRuns bool
	// sendsMail: apply sends invitations (A10), finalize the completion and
	// failure emails, parse and finalize a pushed file's email to the
	// integration's contacts.
	sendsMail bool
	// noFiles: the function reads and writes no file of the bucket.
	noFiles bool
}

func functions() []function {
	return []function{
		// API Gateway gives up on an integration after 30 s.
		{name: fnAPI, memory: 512, timeout: awscdk.Duration_Seconds(jsii.Number(29)), purpose: "HTTP API", startsRuns: true},
		// Parsing streams, but .xlsx unzips: memory is also CPU.
		{name: fnParse, memory: 1024, timeout: awscdk.Duration_Minutes(jsii.Number(5)), purpose: "parse an uploaded file; sync an inbound one", startsRuns: true, sendsMail: true},
		{name: fnPrepare, memory: 1024, timeout: awscdk.Duration_Minutes(jsii.Number(15)), purpose: "read the file once and write batches"},
		{name: fnApply, memory: 512, timeout: awscdk.Duration_Minutes(jsii.Number(5)), purpose: "apply one batch", sendsMail: true},
		{name: fnFinalize, memory: 1024, timeout: awscdk.Duration_Minutes(jsii.Number(15)), purpose: "associations, counts, report, status", sendsMail: true},
		// The watchdog also moves a table of an older layout on, for what
		// its run has left (dynamo.MigrateLayout).
		{name: fnWatchdog, memory: 256, timeout: awscdk.Duration_Minutes(jsii.Number(10)), purpose: "email the contacts of overdue integrations (I6); move the table to its current layout", sendsMail: true, noFiles: true},
	}
}

// RosterStack is the deployed product.
type RosterStack struct {
	awscdk.Stack
	Bucket       awss3.Bucket
	Table        awsdynamodb.Table
	Functions    map[string]awslambda.Function
	StateMachine *Workflow
	// ParseFailures holds the S3 events parse could not handle.
	ParseFailures awssqs.Queue
	API           awsapigatewayv2.HttpApi
	UserPool      awscognito.UserPool
	// IntegrationUsers may each put files under one inbound prefix (I8).
	IntegrationUsers map[IntegrationRef]awsiam.User
	// SFTP is nil unless the sftp context flag is on.
	SFTP *SFTP
}

// NewRosterStack builds the stack. It fails, before building anything, when
// a function's bootstrap is missing from s.DistDir (run `make build`).
func NewRosterStack(scope constructs.Construct, id string, s Settings, props *awscdk.StackProps) (*RosterStack, error) {
	if err := checkAssets(s.DistDir); err != nil {
		return nil, err
	}
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	r := &RosterStack{Stack: stack, Functions: map[string]awslambda.Function{}}

	mailFrom := awscdk.NewCfnParameter(stack, jsii.String("MailFrom"), &awscdk.CfnParameterProps{
		Type:                  jsii.String("String"),
		Description:           jsii.String("Sender address of Roster's emails; SES must verify it (an email identity is created)"),
		AllowedPattern:        jsii.String(`^[^@\s]+@[^@\s]+$`),
		ConstraintDescription: jsii.String("an email address"),
	})
	if s.MailFrom != "" {
		mailFrom.SetDefault(jsii.String(s.MailFrom))
	}
	identity := awsses.NewEmailIdentity(stack, jsii.String("MailIdentity"), &awsses.EmailIdentityProps{
		Identity: awsses.Identity_Email(mailFrom.ValueAsString()),
	})

	r.Bucket = newBucket(stack, s)
	r.Table = newTable(stack, s)
	r.UserPool, r.API = newAPI(stack, s)
	publicURL := r.API.ApiEndpoint()
	if s.PublicURL != "" {
		publicURL = jsii.String(s.PublicURL)
	}

	for _, f := range functions() {
		fn := newFunction(stack, f, s)
		fn.AddEnvironment(jsii.String(envTable), r.Table.TableName(), nil)
		fn.AddEnvironment(jsii.String(envBucket), r.Bucket.BucketName(), nil)
		fn.AddEnvironment(jsii.String(envMailFrom), mailFrom.ValueAsString(), nil)
		fn.AddEnvironment(jsii.String(envPublicURL), publicURL, nil)
		// Least privilege: the store's table and the bucket's objects (read
		// and put; nothing deletes), and mail only where it is sent.
		r.Table.GrantReadWriteData(fn)
		if !f.noFiles {
			r.Bucket.GrantRead(fn, nil)
			r.Bucket.GrantPut(fn, nil)
		}
		if f.sendsMail {
			identity.GrantSendEmail(fn)
		}
		r.Functions[f.name] = fn
	}
	r.Functions[fnPrepare].AddEnvironment(jsii.String(envBatchSize), jsii.String(fmt.Sprint(s.BatchSize)), nil)

	// S3 invokes parse asynchronously: a parse that fails on an
	// infrastructure fault after Lambda's retries lands its event here,
	// and ParseFailures alarms, rather than leaving an upload CREATED
	// unnoticed (X4). Bad files are not failures: parse marks them FAILED.
	r.ParseFailures = awssqs.NewQueue(stack, jsii.String("ParseFailures"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	r.Functions[fnParse].ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(2),
		OnFailure:     awslambdadestinations.NewSqsDestination(r.ParseFailures),
	})

	// Every new file runs parse (DESIGN §1).
	for _, prefix := range []string{prefixUploads, prefixInbound} {
		r.Bucket.AddEventNotification(awss3.EventType_OBJECT_CREATED,
			awss3notifications.NewLambdaDestination(r.Functions[fnParse]),
			&awss3.NotificationKeyFilter{Prefix: jsii.String(prefix)})
	}

	r.StateMachine = newWorkflow(stack, r.Functions, s)
	for _, f := range functions() {
		if f.startsRuns {
			r.StateMachine.StateMachine.GrantStartExecution(r.Functions[f.name])
			r.Functions[f.name].AddEnvironment(jsii.String(envStateMachine), r.StateMachine.StateMachine.StateMachineArn(), nil)
		}
	}

	r.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path: jsii.String("/v1/{proxy+}"),
		// Not ANY: an OPTIONS route would take CORS preflights to the
		// authorizer; without one, API Gateway answers them (CorsPreflight).
		Methods: &[]awsapigatewayv2.HttpMethod{
			awsapigatewayv2.HttpMethod_GET, awsapigatewayv2.HttpMethod_POST, awsapigatewayv2.HttpMethod_PUT,
			awsapigatewayv2.HttpMethod_PATCH, awsapigatewayv2.HttpMethod_DELETE,
		},
		Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("apiIntegration"), r.Functions[fnAPI], nil),
	})

	newWatchdogSchedule(stack, r.Functions[fnWatchdog])
	r.IntegrationUsers = newIntegrationUsers(stack, r.Bucket, s.Integrations)
	if s.SFTP {
		r.SFTP = newSFTP(stack, r.Bucket, s.Integrations)
	}
	addPageRoutes(r, r.Functions[fnAPI])

	newAlarms(stack, r, s)

	out := func(id string, value *string, desc string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(desc)})
	}
	out("ApiUrl", r.API.ApiEndpoint(), "HTTP API base URL (routes under /v1)")
	out("BucketName", r.Bucket.BucketName(), "bucket of uploads, work files and reports")
	out("TableName", r.Table.TableName(), "DynamoDB table of the store")
	out("StateMachineArn", r.StateMachine.StateMachine.StateMachineArn(), "import state machine")
	out("UserPoolId", r.UserPool.UserPoolId(), "Cognito user pool of admins")
	if r.SFTP != nil {
		out("SftpServerId", r.SFTP.Server.AttrServerId(), "SFTP server of integrations (host <id>.server.transfer.<region>.amazonaws.com, users tenant.integration)")
	}
	return r, nil
}

// checkAssets reports every function whose bootstrap is missing.
func checkAssets(dist string) error {
	var errs []error
	for _, f := range functions() {
		p := filepath.Join(dist, f.name, "bootstrap")
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			errs = append(errs, fmt.Errorf("missing %s", p))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("function code not built (run `make build` at the repository root): %w", errors.Join(errs...))
	}
	return nil
}

func newBucket(stack awscdk.Stack, s Settings) awss3.Bucket {
	days := func(n int) awscdk.Duration { return awscdk.Duration_Days(jsii.Number(n)) }
	rules := []*awss3.LifecycleRule{
		{Id: jsii.String("uploads"), Prefix: jsii.String(prefixUploads), Expiration: days(s.UploadRetentionDays)},
		{Id: jsii.String("inbound"), Prefix: jsii.String(prefixInbound), Expiration: days(s.UploadRetentionDays)},
		{Id: jsii.String("work"), Prefix: jsii.String(prefixWork), Expiration: days(s.WorkRetentionDays)},
		// A multipart upload that never completes still costs its parts.
		{Id: jsii.String("incomplete-multipart"), AbortIncompleteMultipartUploadAfter: days(1)},
	}
	return awss3.NewBucket(stack, jsii.String("Bucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules:    &rules,
		// The page sends files with a presigned POST (X2) and downloads
		// reports through the API.
		Cors: &[]*awss3.CorsRule{{
			AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_POST},
			AllowedOrigins: jsii.Strings(s.AllowedOrigins...),
			AllowedHeaders: jsii.Strings("*"),
			ExposedHeaders: jsii.Strings("ETag", "Location"),
			MaxAge:         jsii.Number(3000),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
}

func newTable(stack awscdk.Stack, s Settings) awsdynamodb.Table {
	str := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}
	t := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: str(tableKeyPK),
		SortKey:      str(tableKeySK),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		TimeToLiveAttribute: jsii.String(tableTTL),
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		DeletionProtection:  jsii.Bool(true),
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
		WarmThroughput:      warmThroughput(s),
	})
	t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(indexByProgram),
		PartitionKey:   str(indexKeyPK),
		SortKey:        str(indexKeySK),
		ProjectionType: awsdynamodb.ProjectionType_ALL,
		// Every participant write is an index write: an index left cold
		// would throttle the warmed table's writes (back-pressure).
		WarmThroughput: warmThroughput(s),
	})
	return t
}

// warmThroughput is the table's and index's pre-warming from the settings;
// nil (DynamoDB's own) when neither is set.
func warmThroughput(s Settings) *awsdynamodb.WarmThroughput {
	if s.WarmWrites == 0 && s.WarmReads == 0 {
		return nil
	}
	w := &awsdynamodb.WarmThroughput{}
	if s.WarmWrites > 0 {
		w.WriteUnitsPerSecond = jsii.Number(s.WarmWrites)
	}
	if s.WarmReads > 0 {
		w.ReadUnitsPerSecond = jsii.Number(s.WarmReads)
	}
	return w
}

// logRetention maps days to CloudWatch's allowed retentions (rounding up).
func logRetention(days int) awslogs.RetentionDays {
	steps := []struct {
		days int
		r    awslogs.RetentionDays
	}{
		{1, awslogs.RetentionDays_ONE_DAY}, {3, awslogs.RetentionDays_THREE_DAYS}, {5, awslogs.RetentionDays_FIVE_DAYS},
		{7, awslogs.RetentionDays_ONE_WEEK}, {14, awslogs.RetentionDays_TWO_WEEKS}, {30, awslogs.RetentionDays_ONE_MONTH},
		{60, awslogs.RetentionDays_TWO_MONTHS}, {90, awslogs.RetentionDays_THREE_MONTHS}, {180, awslogs.RetentionDays_SIX_MONTHS},
		{365, awslogs.RetentionDays_ONE_YEAR}, {730, awslogs.RetentionDays_TWO_YEARS}, {1827, awslogs.RetentionDays_FIVE_YEARS},
	}
	for _, st := range steps {
		if days <= st.days {
			return st.r
		}
	}
	return awslogs.RetentionDays_TEN_YEARS
}

func newFunction(stack awscdk.Stack, f function, s Settings) awslambda.Function {
	logs := awslogs.NewLogGroup(stack, jsii.String(f.name+"Logs"), &awslogs.LogGroupProps{
		Retention:     logRetention(s.LogRetentionDays),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	return awslambda.NewFunction(stack, jsii.String(f.name), &awslambda.FunctionProps{
		Description:  jsii.String("Roster " + f.name + ": " + f.purpose),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(s.DistDir, f.name)), nil),
		MemorySize:   jsii.Number(f.memory),
		Timeout:      f.timeout,
		Tracing:      awslambda.Tracing_ACTIVE,
		// slog's JSON through lambdacontext.NewLogger follows these (STYLE).
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		LogGroup:              logs,
	})
}

// newAPI is the HTTP API with its Cognito JWT authorizer (X1). Admins get
// two custom attributes, copied into the ID token as the claims tenant and
// programs that the handler reads (DESIGN §5, Auth).
func newAPI(stack awscdk.Stack, s Settings) (awscognito.UserPool, awsapigatewayv2.HttpApi) {
	pool := awscognito.NewUserPool(stack, jsii.String("Users"), &awscognito.UserPoolProps{
		// Admins are invited by a tenant's owner, never self-registered.
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			"tenant":   awscognito.NewStringAttribute(&awscognito.StringAttributeProps{Mutable: jsii.Bool(false), MinLen: jsii.Number(1), MaxLen: jsii.Number(64)}),
			"programs": awscognito.NewStringAttribute(&awscognito.StringAttributeProps{Mutable: jsii.Bool(true), MaxLen: jsii.Number(2048)}),
		},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength: jsii.Number(12), RequireDigits: jsii.Bool(true), RequireLowercase: jsii.Bool(true),
			RequireUppercase: jsii.Bool(true), RequireSymbols: jsii.Bool(false),
		},
		Mfa:             awscognito.Mfa_OPTIONAL,
		MfaSecondFactor: &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		AccountRecovery: awscognito.AccountRecovery_EMAIL_ONLY,
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	})
	pool.AddTrigger(awscognito.UserPoolOperation_PRE_TOKEN_GENERATION(), newClaimsTrigger(stack, s), awscognito.LambdaVersion_V1_0)
	// Members of this group are admins (the ID token's cognito:groups);
	// everyone else is a participant (DESIGN §5 Auth, X1).
	awscognito.NewCfnUserPoolGroup(stack, jsii.String("Admins"), &awscognito.CfnUserPoolGroupProps{
		UserPoolId:  pool.UserPoolId(),
		GroupName:   jsii.String(adminGroup),
		Description: jsii.String("Roster admins: manage programs, imports and participants"),
	})

	// Users may read but never write their tenant and programs: only an
	// administrator (AdminUpdateUserAttributes) sets them.
	std := &awscognito.StandardAttributesMask{Email: jsii.Bool(true), GivenName: jsii.Bool(true), FamilyName: jsii.Bool(true)}
	client := pool.AddClient(jsii.String("Page"), &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		ReadAttributes:             awscognito.NewClientAttributes().WithStandardAttributes(std).WithCustomAttributes(jsii.String("tenant"), jsii.String("programs")),
		WriteAttributes:            awscognito.NewClientAttributes().WithStandardAttributes(std),
		IdTokenValidity:            awscdk.Duration_Hours(jsii.Number(1)),
		PreventUserExistenceErrors: jsii.Bool(true),
	})
	awscdk.NewCfnOutput(stack, jsii.String("UserPoolClientId"), &awscdk.CfnOutputProps{
		Value: client.UserPoolClientId(), Description: jsii.String("Cognito app client of the admin page (send its ID token)"),
	})

	authorizer := awsapigatewayv2authorizers.NewHttpUserPoolAuthorizer(jsii.String("Jwt"), pool, &awsapigatewayv2authorizers.HttpUserPoolAuthorizerProps{
		UserPoolClients: &[]awscognito.IUserPoolClient{client},
	})
	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		Description:       jsii.String("Roster API (DESIGN §5)"),
		DefaultAuthorizer: authorizer,
		CorsPreflight: &awsapigatewayv2.CorsPreflightOptions{
			AllowOrigins: jsii.Strings(s.AllowedOrigins...),
			AllowHeaders: jsii.Strings("authorization", "content-type"),
			AllowMethods: &[]awsapigatewayv2.CorsHttpMethod{
				awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST, awsapigatewayv2.CorsHttpMethod_PUT,
				awsapigatewayv2.CorsHttpMethod_PATCH, awsapigatewayv2.CorsHttpMethod_DELETE,
			},
			ExposeHeaders: jsii.Strings("content-disposition"),
			MaxAge:        awscdk.Duration_Hours(jsii.Number(1)),
		},
	})
	sitePage(stack, pool, client, api)
	return pool, api
}

// adminGroup is the user pool group of admins; the API reads it from the
// token (httpapi.AdminGroup).
const adminGroup = "admin"

// sitePage lets the admin page sign in (W9): a hosted UI domain, the
// authorization code flow with PKCE on the page's client (no secret), with
// the page's URL as callback; the api function serves the page and its
// config (web.ConfigFromEnv) on routes without an authorizer (addPageRoutes).
func sitePage(stack awscdk.Stack, pool awscognito.UserPool, client awscognito.UserPoolClient, api awsapigatewayv2.HttpApi) {
	domain := pool.AddDomain(jsii.String("HostedUI"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{
			DomainPrefix: awscdk.Fn_Join(jsii.String("-"), &[]*string{jsii.String("roster"), stack.Account(), stack.Region()}),
		},
	})
	page := awscdk.Fn_Join(jsii.String(""), &[]*string{api.ApiEndpoint(), jsii.String("/")})
	cfn := client.Node().DefaultChild().(awscognito.CfnUserPoolClient)
	cfn.SetAllowedOAuthFlowsUserPoolClient(true)
	cfn.SetAllowedOAuthFlows(jsii.Strings("code"))
	cfn.SetAllowedOAuthScopes(jsii.Strings("openid", "email", "profile"))
	cfn.SetSupportedIdentityProviders(jsii.Strings("COGNITO"))
	cfn.SetCallbackUrLs(&[]*string{page})
	cfn.SetLogoutUrLs(&[]*string{page})
	awscdk.NewCfnOutput(stack, jsii.String("PageUrl"), &awscdk.CfnOutputProps{Value: page, Description: jsii.String("the admin page")})
	awscdk.NewCfnOutput(stack, jsii.String("HostedUiDomain"), &awscdk.CfnOutputProps{Value: domain.BaseUrl(nil), Description: jsii.String("Cognito hosted UI of the admin page")})
}

// pagePaths are the admin page's routes (package web): public, since a
// browser loads the page before it can sign in. The API stays under /v1.
var pagePaths = []string{"/", "/config.json", "/assets/{proxy+}", "/vendor/{proxy+}"}

// addPageRoutes routes the page to the api function with no authorizer
// and gives the function the hosted UI's domain and client.
func addPageRoutes(r *RosterStack, fn awslambda.Function) {
	in := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("pageIntegration"), fn, nil)
	for _, p := range pagePaths {
		r.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(p),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_GET},
			Integration: in,
			Authorizer:  awsapigatewayv2.NewHttpNoneAuthorizer(),
		})
	}
	domain := r.UserPool.Node().FindChild(jsii.String("HostedUI")).(awscognito.UserPoolDomain)
	client := r.UserPool.Node().FindChild(jsii.String("Page")).(awscognito.UserPoolClient)
	fn.AddEnvironment(jsii.String("COGNITO_DOMAIN"), domain.BaseUrl(nil), nil)
	fn.AddEnvironment(jsii.String("COGNITO_CLIENT_ID"), client.UserPoolClientId(), nil)
	// The page POSTs files straight to the bucket (X2); its CSP allows that origin.
	// Presigned POSTs are path-style, to the regional S3 endpoint.
	fn.AddEnvironment(jsii.String("UPLOAD_ORIGIN"), awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://s3."), r.Stack.Region(), jsii.String("."), awscdk.Aws_URL_SUFFIX()}), nil)
}

// claimsScript copies the custom attributes into the ID token under the
// names the API reads. Cognito calls it; it sees no participant data.
const claimsScript = `exports.handler = async (event) => {
  const a = event.request.userAttributes || {};
  event.response = event.response || {};
  event.response.claimsOverrideDetails = {
    claimsToAddOrOverride: { tenant: a["custom:tenant"] || "", programs: a["custom:programs"] || "" },
  };
  return event;
};
`

func newClaimsTrigger(stack awscdk.Stack, s Settings) awslambda.Function {
	logs := awslogs.NewLogGroup(stack, jsii.String("claimsLogs"), &awslogs.LogGroupProps{
		Retention:     logRetention(s.LogRetentionDays),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	return awslambda.NewFunction(stack, jsii.String("claims"), &awslambda.FunctionProps{
		Description:           jsii.String("Roster claims: tenant and programs into the ID token"),
		Runtime:               awslambda.Runtime_NODEJS_22_X(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("index.handler"),
		Code:                  awslambda.Code_FromInline(jsii.String(claimsScript)),
		MemorySize:            jsii.Number(128),
		Timeout:               awscdk.Duration_Seconds(jsii.Number(5)),
		Tracing:               awslambda.Tracing_ACTIVE,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_WARN,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		LogGroup:              logs,
	})
}

// newAlarms alarms on any failed import run and any Lambda error, to a
// topic that alarmEmail (when set) subscribes to.
func newAlarms(stack awscdk.Stack, r *RosterStack, s Settings) {
	topic := awssns.NewTopic(stack, jsii.String("Alarms"), &awssns.TopicProps{
		DisplayName: jsii.String("Roster alarms"),
		EnforceSSL:  jsii.Bool(true),
	})
	if s.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(s.AlarmEmail), nil))
	}
	action := awscloudwatchactions.NewSnsAction(topic)
	alarm := func(id string, m awscloudwatch.IMetric, desc string) {
		a := awscloudwatch.NewAlarm(stack, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric:             m,
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(desc),
		})
		a.AddAlarmAction(action)
	}
	five := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}
	sm := r.StateMachine.StateMachine
	alarm("ImportsFailed", sm.MetricFailed(five), "an import run failed (its admin got the failure email)")
	alarm("ImportsTimedOut", sm.MetricTimedOut(five), "an import run timed out")
	alarm("ParseFailed", r.ParseFailures.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}),
		"an uploaded file could not be parsed after retries: its event is in the ParseFailures queue")
	names := make([]string, 0, len(r.Functions))
	for name := range r.Functions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		alarm(name+"Errors", r.Functions[name].MetricErrors(five), "the "+name+" function returned errors")
	}
}
