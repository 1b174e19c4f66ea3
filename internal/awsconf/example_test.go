package awsconf_test

import (
	"fmt"
	"strings"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
)

func ExampleParse() {
	const conf = `
[keys]
# <accountno> = <name> <access-key> <secret> <monthly-limit>
012345678901 = payer AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY 200000
123456789012 = web '' '' 100000

[regions]
rgn2 = us-west-2
rgn1 = us-east-1

[account:prod]
account_id = 345678901234
role_arn = arn:aws:iam::345678901234:role/SplunkReadOnly
regions = eu-west-1
`
	cfg, err := awsconf.Parse("aws.conf", strings.NewReader(conf))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range cfg.Accounts {
		fmt.Printf("%s %s keys=%t secret=%s limit=%g regions=%v\n", a.ID, a.Name, a.HasKeys(), a.SecretKey, a.MonthlyLimit, a.Regions)
	}

	_, err = awsconf.Parse("aws.conf", strings.NewReader("[keys]\n123456789012 = web AKIAIOSFODNN7EXAMPLE\n"))
	fmt.Println(err)
	// Output:
	// 012345678901 payer keys=true secret=*** limit=200000 regions=[us-east-1 us-west-2]
	// 123456789012 web keys=false secret=*** limit=100000 regions=[us-east-1 us-west-2]
	// 345678901234 prod keys=false secret=*** limit=0 regions=[eu-west-1]
	// aws.conf:2 [keys] 123456789012: want "<name> <access-key> <secret> <monthly-limit>", got 2 fields
}
