package inventory

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/aws-ingest/aws-ingest/internal/atomicfile"
)

// TypesMaxAge is how long a region's DescribeInstanceTypes answer is used
// before it is asked again.
const TypesMaxAge = 24 * time.Hour

// typesAttempts bounds how many accounts try DescribeInstanceTypes in one
// region during one pass when it fails (one may lack the permission).
const typesAttempts = 3

// TypeCache keeps every region's DescribeInstanceTypes answer in
// <Dir>/instance_types/<region>.json and asks AWS again only when the
// answer is older than TypesMaxAge: a call lists about 1000 types and takes
// seconds. Safe for concurrent use.
type TypeCache struct {
	// Dir is the checkpoint folder; "" keeps answers in memory only, so
	// every pass asks again.
	Dir string
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu      sync.Mutex
	regions map[string]*regionTypes
}

type regionTypes struct {
	loaded    bool // the cache file was read
	fetchedAt time.Time
	types     []InstanceType
	busy      bool // a collector is asking AWS right now
	tries     int  // failed attempts this pass
}

// typesFile is the cache file's content.
type typesFile struct {
	Region        string         `json:"region"`
	FetchedAt     time.Time      `json:"fetched_at"`
	InstanceTypes []InstanceType `json:"instance_types"`
}

func (c *TypeCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *TypeCache) path(region string) string {
	return filepath.Join(c.Dir, "instance_types", region+".json")
}

// state returns the region's entry, reading its cache file the first time.
// c.mu is held.
func (c *TypeCache) state(region string, log *slog.Logger) *regionTypes {
	if c.regions == nil {
		c.regions = map[string]*regionTypes{}
	}
	s := c.regions[region]
	if s == nil {
		s = &regionTypes{}
		c.regions[region] = s
	}
	if !s.loaded && c.Dir != "" {
		s.loaded = true
		f, err := readTypesFile(c.path(region))
		switch {
		case err == nil && f.Region == region:
			s.fetchedAt, s.types = f.FetchedAt, f.InstanceTypes
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			log.Warn(fmt.Sprintf("instance-type cache %s is unreadable and will be replaced: %v", c.path(region), err), "region", region)
		}
	}
	return s
}

// Refresh asks client for the region's instance types unless the cached
// answer is fresh, another collector is already asking, or the call failed
// too often this pass. It does not wait for another collector: the answer
// is needed only once the pass ends.
func (c *TypeCache) Refresh(ctx context.Context, region string, client EC2, acct *Account, log *slog.Logger) {
	c.mu.Lock()
	s := c.state(region, log)
	if (len(s.types) > 0 && c.now().Sub(s.fetchedAt) < TypesMaxAge) || s.busy || s.tries >= typesAttempts {
		c.mu.Unlock()
		return
	}
	s.busy = true
	c.mu.Unlock()

	types, err := fetchTypes(ctx, client)
	fetchedAt := c.now()

	c.mu.Lock()
	defer c.mu.Unlock()
	s.busy = false
	if err != nil {
		s.tries++
		if ctx.Err() == nil {
			f := failure{Account: acct, Region: region, API: "DescribeInstanceTypes", Err: err,
				Effect: "instancetype.csv keeps what is cached for the region; another account will try"}
			if s.tries >= typesAttempts {
				f.Effect = "instancetype.csv keeps what is cached for the region until the next pass"
			}
			log.Warn(f.message(), f.attrs()...)
		}
		return
	}
	s.types, s.fetchedAt = types, fetchedAt
	if c.Dir != "" {
		if err := writeTypesFile(c.path(region), typesFile{Region: region, FetchedAt: fetchedAt, InstanceTypes: types}); err != nil {
			log.Warn("cannot cache instance types; they will be asked again next pass: "+err.Error(), "region", region)
		}
	}
}

func fetchTypes(ctx context.Context, client EC2) ([]InstanceType, error) {
	var out []InstanceType
	pages := ec2.NewDescribeInstanceTypesPaginator(client, &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range page.InstanceTypes {
			out = append(out, newInstanceType(&page.InstanceTypes[i]))
		}
	}
	slices.SortFunc(out, func(a, b InstanceType) int { return cmp.Compare(a.Type, b.Type) })
	return slices.CompactFunc(out, func(a, b InstanceType) bool { return a.Type == b.Type }), nil
}

// All returns the instance types of every region seen so far (fresh or
// cached), each type once, sorted.
func (c *TypeCache) All() []InstanceType {
	c.mu.Lock()
	defer c.mu.Unlock()
	regions := make([]string, 0, len(c.regions))
	for r := range c.regions {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	seen := map[string]bool{}
	var out []InstanceType
	for _, r := range regions {
		for _, t := range c.regions[r].types {
			if !seen[t.Type] {
				seen[t.Type] = true
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b InstanceType) int { return cmp.Compare(a.Type, b.Type) })
	return out
}

func readTypesFile(path string) (typesFile, error) {
	var f typesFile
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, err
	}
	return f, nil
}

func writeTypesFile(path string, f typesFile) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		return enc.Encode(f)
	})
}
