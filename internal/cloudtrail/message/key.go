package message

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// KeyKind says what a CloudTrail bucket object is, from its key alone.
type KeyKind int

const (
	// Other is anything that is not a CloudTrail file: folder markers
	// ("AWSLogs/…/"), AWS Config snapshots and history, other services'
	// logs, files with another extension. It is the zero value, so that a
	// Key nobody classified is never taken for a log file.
	Other KeyKind = iota
	// LogFile is a CloudTrail log file: {"Records":[...]}.
	LogFile
	// Digest is a log file integrity digest: one JSON object, no Records.
	Digest
	// Insight is a CloudTrail Insights file: {"Records":[...]} of
	// AwsCloudTrailInsight records.
	Insight
)

func (k KeyKind) String() string {
	switch k {
	case LogFile:
		return "log"
	case Digest:
		return "digest"
	case Insight:
		return "insight"
	case Other:
		return "other"
	}
	return "KeyKind(" + strconv.Itoa(int(k)) + ")"
}

// Key is what a CloudTrail object key says about the object. For Kind Other
// every other field is zero.
type Key struct {
	Kind KeyKind
	// Prefix is the trail's S3 key prefix (what comes before "/AWSLogs/",
	// possibly with slashes of its own), "" when none.
	Prefix string
	// OrgID is the organization id ("o-…") of an organization trail.
	OrgID     string
	AccountID string
	Region    string
	// Year, Month and Day are the delivery date (UTC) in the key's path.
	Year, Month, Day int
	// Backfill marks a digest written to fill a gap in the digest chain
	// ("…_backfill.json.gz"); only for Kind Digest.
	Backfill bool
}

// keyPattern is the key layout of CloudTrail files (reference §1.f):
//
//	[prefix/]AWSLogs/[o-orgid/]account/CloudTrail[-Digest|-Insight]/region/YYYY/MM/DD/file
//
// Anchoring on "AWSLogs/" from the right keeps prefixes that contain slashes
// (Control Tower and custom setups) working, and the optional o-… segment
// accepts organization trails, whose layout broke several peers' parsers.
// Account ids are always 12 digits, which is what tells an org id segment
// apart from an account segment.
var keyPattern = regexp.MustCompile(`^(?:(.*)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/([^/]+)$`)

// ClassifyKey says whether key names a CloudTrail log, digest or Insights
// file, and what its path says. Files must end in ".json.gz" (what CloudTrail
// writes) or ".json" (the same file stored uncompressed by a copy job); dates
// must exist. Anything else is Other, for the caller to skip and count.
func ClassifyKey(key string) Key {
	m := keyPattern.FindStringSubmatch(key)
	if m == nil {
		return Key{}
	}
	file := m[9]
	base, ok := strings.CutSuffix(file, ".json.gz")
	if !ok {
		base, ok = strings.CutSuffix(file, ".json")
	}
	if !ok || base == "" {
		return Key{}
	}
	year, _ := strconv.Atoi(m[6])
	month, _ := strconv.Atoi(m[7])
	day, _ := strconv.Atoi(m[8])
	if month < 1 || month > 12 || day < 1 ||
		time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return Key{}
	}
	k := Key{
		Prefix:    m[1],
		OrgID:     m[2],
		AccountID: m[3],
		Region:    m[5],
		Year:      year,
		Month:     month,
		Day:       day,
	}
	switch m[4] {
	case "CloudTrail":
		k.Kind = LogFile
	case "CloudTrail-Digest":
		k.Kind = Digest
		// aws-cli's validate-logs tells backfill digests by this suffix.
		k.Backfill = strings.HasSuffix(base, "_backfill")
	case "CloudTrail-Insight":
		k.Kind = Insight
	}
	return k
}
