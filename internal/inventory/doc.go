// Package inventory is the aws_ingest_inventory input: the EC2 instances and
// reserved instances of every AWS account and region, reservations matched
// to running instances, and three lookups kept current. It replaces the
// legacy app's get_instances.py and its hand-maintained instancetype.csv.
//
// # A pass
//
// Each run makes one collection pass and exits; splunkd runs it again after
// interval (3600 s by default). A pass:
//
//  1. works out the accounts (see discovery.accounts: aws.conf [keys]
//     accounts with keys, [account:<name>] stanzas, the AWS Organization
//     with organization_role_name, or else the input's own credentials) and
//     merges their names into accountNames.csv, whose names (a person's
//     corrections included) the events then use;
//  2. opens every account (its keys, or one AssumeRole) and, with
//     regions = all, asks it for its enabled regions, at most
//     max_concurrency accounts at once;
//  3. collects every account × region, at most max_concurrency at once:
//     DescribeInstances (1000 per page; an aws:ec2:instance event per
//     instance goes out page by page), DescribeReservedInstances (active
//     ones), and DescribeInstanceTypes when the region's cached answer in
//     checkpoint_dir is older than a day (TypeCache);
//  4. matches reservations to running instances (match) and writes the
//     aws:ec2:usage and aws:ec2:reserved_instance events;
//  5. replaces ec2_instances.csv and instancetype.csv atomically.
//
// # Failures
//
// A failing account or account × region (AccessDenied, an opt-in region
// that is not enabled, throttling after the SDK's retries, an API the
// endpoint does not implement) is one WARN line naming the account, the
// region and the API, with a hint, and the pass goes on. When
// DescribeInstances failed, that account/region's rows of the previous
// ec2_instances.csv are kept and their stale_since column says since when;
// when only DescribeReservedInstances failed, the instances are fresh and
// the reservations are missing from matching. An account whose credentials
// fail everywhere is one WARN; credentials failing for every account are the
// pass's single ERROR (exit status 1), and nothing is written. A pass that
// is stopped (SIGTERM) or collects nothing leaves the lookups as they were.
//
// # Check
//
// Preflight is the input's part of the check subcommand
// (internal/preflight). It goes through a pass's own set-up (locate,
// loadConf, newDiscovery, discovery.accounts, newConnector) and, without
// changing anything, records a row for aws.conf, lookup_dir (a temporary
// file is created and removed; a missing folder is left uncreated), the
// input's own credentials (sts:GetCallerIdentity), the accounts found
// (with what a pass would leave out: an Organization it cannot list, an
// [account:<name>] stanza without role_arn) and every account: opened as a
// pass opens it, then ec2:DescribeRegions (regions = all) and the
// per-region EC2 calls tried with DryRun in one region.
//
// # Lookups
//
// ec2_instances.csv (InstancesHeader) is the current snapshot, sorted by
// account, region and instance id. instancetype.csv (TypesHeader) is
// generated from DescribeInstanceTypes; rows and columns a person added are
// kept, and types seen in instances or reservations but unknown to the API
// get a row with what their name tells. accountNames.csv is merged with
// lookup.MergeAccountNames, which never drops or renames a person's rows.
//
// # Events
//
// All events are JSON with <time> set to the collection time.
//
//   - aws:ec2:instance, source <account>:<region>:ec2_instances, one per
//     instance: account_id, account_name, region, availability_zone(_id),
//     instance_id, instance_type, state, lifecycle (on-demand, spot,
//     scheduled, capacity-block), platform (PlatformDetails), tenancy,
//     architecture, launch_time, vpc_id, subnet_id, private_ip, public_ip,
//     DNS names, image_id, key_name, iam_instance_profile, security_groups,
//     name and tags (an object).
//   - aws:ec2:reserved_instance, source <account>:<region>:ec2_reserved_instances,
//     one per active reservation, with used_count and unused_count from
//     matching.
//   - aws:ec2:usage, source ec2_usage: the legacy get_instances.py lines
//     (instancetype, region = the zone, subaccount, instanceid,
//     running=Y|N, reserved=Y|N) for every running instance and one line
//     instanceid=reserved running=N reserved=Y per unused reserved
//     instance, so the legacy dashboards' searches keep working; plus
//     account_id, aws_region, platform, tenancy, lifecycle, coverage,
//     match and reservation_id.
//
// A source set on the stanza replaces the sources above.
//
// # Memory and speed
//
// Instance events are streamed; what a pass keeps per instance is about 250
// bytes (Instance, with a shared Profile per account, region, zone, type
// and subnet). BenchmarkPass measures a pass over 50 accounts × 20 regions
// × 200 instances with every call taking 50 ms.
package inventory
