package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
)

// EC2 is what the inventory calls in one account and region, with the SDK's
// exact signatures so that *ec2.Client satisfies it.
type EC2 interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeReservedInstances(ctx context.Context, in *ec2.DescribeReservedInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeReservedInstancesOutput, error)
	DescribeInstanceTypes(ctx context.Context, in *ec2.DescribeInstanceTypesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error)
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// STS finds out whose credentials the input runs with.
type STS interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Organizations lists the accounts of an AWS Organization.
type Organizations interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

var (
	_ EC2           = (*ec2.Client)(nil)
	_ STS           = (*sts.Client)(nil)
	_ Organizations = (*organizations.Client)(nil)
)

// Session is one account's way into AWS: its credentials are resolved (and
// its role assumed) once, and its EC2 clients share them.
type Session interface {
	EC2(region string) EC2
}

// Connector opens a Session for an account. An error means the account's
// credentials do not work (no keys, the role cannot be assumed): none of
// its regions can be collected.
type Connector interface {
	Connect(ctx context.Context, a Account) (Session, error)
}

// EventSink receives the events of a pass; *modinput.Writer satisfies it.
type EventSink interface {
	Write(ctx context.Context, events ...modinput.Event) error
}

var _ EventSink = (*modinput.Writer)(nil)
