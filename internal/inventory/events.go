package inventory

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Sourcetypes of the events (app/default/props.conf).
const (
	SourcetypeInstance    = "aws:ec2:instance"
	SourcetypeReservation = "aws:ec2:reserved_instance"
	SourcetypeUsage       = "aws:ec2:usage"
)

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func round4(f float64) float64 {
	if f < 0 {
		return -round4(-f)
	}
	return float64(int64(f*10000+0.5)) / 10000
}

// instanceEventJSON renders the aws:ec2:instance event of in, whose compact
// form is i. Optional fields are left out when empty.
func instanceEventJSON(i *Instance, in *types.Instance) []byte {
	o := newJSONObject(640)
	o.str("account_id", i.AccountID)
	o.str("account_name", i.AccountName)
	o.str("region", i.Region)
	o.str("availability_zone", i.AZ)
	o.opt("availability_zone_id", i.AZID)
	o.str("instance_id", i.ID)
	o.str("instance_type", i.Type)
	o.str("state", i.State)
	o.str("lifecycle", i.Lifecycle)
	o.str("platform", i.Platform)
	o.str("tenancy", i.Tenancy)
	o.opt("architecture", string(in.Architecture))
	o.opt("launch_time", i.LaunchTime())
	o.opt("vpc_id", i.VPCID)
	o.opt("subnet_id", i.SubnetID)
	o.opt("private_ip", i.PrivateIP)
	o.opt("public_ip", i.PublicIP)
	o.opt("private_dns_name", aws.ToString(in.PrivateDnsName))
	o.opt("public_dns_name", aws.ToString(in.PublicDnsName))
	o.opt("image_id", aws.ToString(in.ImageId))
	o.opt("key_name", aws.ToString(in.KeyName))
	if in.IamInstanceProfile != nil {
		o.opt("iam_instance_profile", aws.ToString(in.IamInstanceProfile.Arn))
	}
	if len(in.SecurityGroups) > 0 {
		groups := make([]string, len(in.SecurityGroups))
		for k, g := range in.SecurityGroups {
			groups[k] = aws.ToString(g.GroupId)
		}
		o.strs("security_groups", groups)
	}
	o.opt("name", i.Name)
	o.raw("tags", i.Tags)
	return o.bytes()
}

// usageEvent renders the aws:ec2:usage event of a running instance. The
// first six fields are the legacy get_instances.py fields with its
// meanings: region is the availability zone and subaccount the account
// name. The rest is new: coverage is the share of the instance a
// reservation pays for, match how (zonal, regional, size-flexible).
func (i *Instance) usageEvent(m instanceMatch) []byte {
	o := newJSONObject(384)
	o.str("instancetype", i.Type)
	o.str("region", i.AZ)
	o.str("subaccount", i.AccountName)
	o.str("instanceid", i.ID)
	o.str("running", "Y")
	o.str("reserved", yn(m.Reserved()))
	o.str("account_id", i.AccountID)
	o.str("aws_region", i.Region)
	o.str("platform", i.Platform)
	o.str("tenancy", i.Tenancy)
	o.str("lifecycle", i.Lifecycle)
	o.num("coverage", m.Coverage)
	o.opt("match", m.Kind)
	o.opt("reservation_id", m.ReservationID)
	o.raw("tags", i.Tags)
	return o.bytes()
}

// unusedEvent is the legacy line of one unused reserved instance:
// instanceid=reserved running=N reserved=Y, region the reservation's zone
// (its region when it is regional), subaccount its owner.
func (r *Reservation) unusedEvent() []byte {
	where := r.AZ
	if !r.Zonal() || where == "" {
		where = r.Region
	}
	o := newJSONObject(320)
	o.str("instancetype", r.Type)
	o.str("region", where)
	o.str("subaccount", r.AccountName)
	o.str("instanceid", "reserved")
	o.str("running", "N")
	o.str("reserved", "Y")
	o.str("account_id", r.AccountID)
	o.str("aws_region", r.Region)
	o.str("platform", r.Platform)
	o.str("tenancy", r.Tenancy)
	o.str("scope", r.Scope)
	o.str("reservation_id", r.ID)
	return o.bytes()
}

// event renders the aws:ec2:reserved_instance event, with what matching
// made of it: used_count instances of its size (fractional with size
// flexibility), unused_count whole instances left.
func (r *Reservation) event(m reservationMatch, factor float64) []byte {
	o := newJSONObject(640)
	o.str("account_id", r.AccountID)
	o.str("account_name", r.AccountName)
	o.str("region", r.Region)
	o.str("reserved_instances_id", r.ID)
	o.str("instance_type", r.Type)
	o.int("instance_count", int64(r.Count))
	o.str("scope", r.Scope)
	o.opt("availability_zone", r.AZ)
	o.opt("availability_zone_id", r.AZID)
	o.str("product_description", r.Product)
	o.str("instance_tenancy", r.Tenancy)
	o.opt("offering_type", r.OfferingType)
	o.opt("offering_class", r.OfferingClass)
	o.str("state", r.State)
	o.opt("start", formatTime(r.Start))
	o.opt("end", formatTime(r.End))
	if r.Duration != 0 {
		o.int("duration", r.Duration)
	}
	o.num("fixed_price", r.FixedPrice)
	o.num("usage_price", r.UsagePrice)
	o.opt("currency_code", r.Currency)
	if factor > 0 {
		o.num("normalization_factor", factor)
	}
	o.num("used_count", m.Used)
	o.int("unused_count", int64(m.Unused))
	o.raw("tags", r.Tags)
	return o.bytes()
}
