package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/appdir"
	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/awsx"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/lookup"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// Run is the aws_ingest_inventory source: one collection pass over every
// account and region, then it returns (splunkd runs it again after
// interval).
func Run(ctx context.Context, job *cli.Job) error {
	start := time.Now()
	files, err := locate(job)
	if err != nil {
		return err
	}
	conf, err := loadConf(files)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(files.lookupDir, 0o755); err != nil {
		return fmt.Errorf("lookup_dir: %w", err)
	}

	d, opts, err := newDiscovery(job, conf)
	if err != nil {
		return err
	}
	base, err := awsx.Load(ctx, opts)
	if err != nil {
		return err
	}
	d.useBase(base, job.Params.String(schemes.STSEndpointURL))

	accounts, how, names, err := d.accounts(ctx)
	if err != nil {
		return err
	}
	if err := regionless(accounts); err != nil {
		return err
	}
	// Names a person put in accountNames.csv win over those of aws.conf and
	// the Organization.
	merged, err := lookup.MergeAccountNames(filepath.Join(files.lookupDir, AccountNamesLookup), names)
	if err != nil {
		job.Log.Warn("accountNames.csv could not be merged; events use the names of aws.conf: " + err.Error())
	}
	for i := range accounts {
		if n := merged[accounts[i].ID]; n != "" {
			accounts[i].Name = n
		}
	}

	c := &Collector{
		Connector:      newConnector(job, base, how),
		Events:         job.Events,
		Log:            job.Log,
		MaxConcurrency: int(job.Params.Int(schemes.MaxConcurrency)),
		Stanza:         job.Stanza,
		Source:         job.Splunk.Source,
		LookupDir:      files.lookupDir,
		Types:          &TypeCache{Dir: job.Server.CheckpointDir},
	}
	regions := 0
	for _, a := range accounts {
		regions += len(a.Regions)
	}
	job.Log.Info("pass starting", "accounts", len(accounts), "account_regions", regions, "all_regions", d.all,
		"max_concurrency", c.MaxConcurrency, "lookup_dir", files.lookupDir)
	sum, err := c.Run(ctx, accounts)
	if err != nil {
		return err
	}
	if err := job.Events.Sync(ctx); err != nil {
		return err
	}
	job.Log.Info("pass complete", "accounts", sum.Accounts, "account_regions", sum.Targets, "collected", sum.Collected,
		"failures", sum.Failures, "instances", sum.Instances, "running", sum.Running, "reservations", sum.Reservations,
		"events", sum.Events, "duration_seconds", time.Since(start).Round(time.Millisecond).Seconds())
	return nil
}

// Check is the live part of --validate-arguments: aws.conf must parse. It
// makes no AWS call.
func Check(_ context.Context, job *cli.Job) error {
	awsConf := job.Params.String(schemes.AWSConf)
	app, err := appdir.Current()
	switch {
	case err == nil:
	case awsConf == "":
		return nil // not installed as an app (a test, a dry run): no aws.conf to check
	case !filepath.IsAbs(awsConf):
		return fmt.Errorf("aws_conf %q is relative, and %w", awsConf, err)
	}
	_, err = loadConf(files{appDir: app, awsConf: awsConf})
	return err
}

// newDiscovery is the discovery of a pass over job's stanza and aws.conf
// (conf, nil without one), and the options of the input's own AWS
// configuration, which the caller loads and gives it with useBase. Run and
// Preflight both start here, so that the check finds the accounts a pass
// would.
func newDiscovery(job *cli.Job, conf *awsconf.Config) (*discovery, awsx.Options, error) {
	d := &discovery{conf: conf, orgRole: job.Params.String(schemes.OrganizationRoleName), log: job.Log}
	if rs := job.Params.List(schemes.Regions); slices.Equal(rs, []string{"all"}) {
		d.all = true
	} else {
		d.regions = rs
	}
	opts, err := awsx.StanzaOptions(job.Params, job.Server, job.Log)
	if err != nil {
		return nil, opts, err
	}
	opts.Region = seedRegion(d)
	if opts.Region == "" && d.all && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		opts.Region = "us-east-1" // only DescribeRegions and STS use it
	}
	return d, opts, nil
}

// useBase gives d the input's own AWS configuration: its region is the
// fallback, and STS (sts_endpoint_url honoured) and Organizations use its
// credentials.
func (d *discovery) useBase(base aws.Config, stsEndpoint string) {
	d.fallbackRegion = base.Region
	d.sts = sts.NewFromConfig(base, func(o *sts.Options) {
		if stsEndpoint != "" {
			o.BaseEndpoint = aws.String(stsEndpoint)
		}
	})
	d.org = organizations.NewFromConfig(base)
}

// newConnector opens the accounts' sessions as job's stanza says: how
// holds each account's keys or role, from discovery.
func newConnector(job *cli.Job, base aws.Config, how map[string]access) *awsConnector {
	return &awsConnector{
		base:        base,
		ec2Endpoint: job.Params.String(schemes.EC2EndpointURL),
		stsEndpoint: job.Params.String(schemes.STSEndpointURL),
		sessionName: job.Params.String(schemes.RoleSessionName),
		access:      how,
	}
}

// regionless fails when an account has no region to poll: a pass would
// skip it without a word otherwise.
func regionless(accounts []Account) error {
	for _, a := range accounts {
		if len(a.Regions) == 0 && !a.AllRegions {
			return fmt.Errorf("no region to poll for account %s (%s): set regions on the input, [regions] in aws.conf, or AWS_REGION for splunkd", a.ID, a.Origin)
		}
	}
	return nil
}

// files are where aws.conf and the lookups are.
type files struct {
	appDir    string // "" when not found and not needed
	awsConf   string // aws_conf, "" for the app's layered aws.conf
	lookupDir string
}

func locate(job *cli.Job) (files, error) {
	f := files{awsConf: job.Params.String(schemes.AWSConf), lookupDir: job.Params.String(schemes.LookupDir)}
	app, err := appdir.Current()
	needApp := f.lookupDir == "" || (f.awsConf != "" && !filepath.IsAbs(f.awsConf))
	switch {
	case err == nil:
		f.appDir = app
	case needApp:
		return f, err
	}
	if f.lookupDir == "" {
		f.lookupDir = filepath.Join(f.appDir, "lookups")
	}
	return f, nil
}

// loadConf reads aws.conf. Every problem in it stops the input: polling
// with half a configuration would drop accounts silently.
func loadConf(f files) (*awsconf.Config, error) {
	if f.appDir == "" && f.awsConf == "" {
		return nil, nil
	}
	conf, err := awsconf.Load(f.appDir, f.awsConf)
	if err != nil {
		return nil, fmt.Errorf("aws.conf has problems; fix them and the next run picks them up:\n%w", err)
	}
	return conf, nil
}

// seedRegion is the region of the input's own AWS configuration: the first
// configured region, else the SDK's (AWS_REGION).
func seedRegion(d *discovery) string {
	switch {
	case len(d.regions) > 0:
		return d.regions[0]
	case d.conf != nil && len(d.conf.Regions) > 0:
		return d.conf.Regions[0]
	}
	return ""
}
