package billing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aws-ingest/aws-ingest/internal/awsconf"
	"github.com/aws-ingest/aws-ingest/internal/billing/report"
)

// Config is one stanza's settings, resolved against aws.conf.
type Config struct {
	Stanza string
	Bucket string
	// Payer restricts the legacy reports to this payer's; "" reads any.
	Payer      string
	Prefix     string
	ReportName string
	// Kinds are the formats read; all of them for report_type = auto.
	Kinds  []report.Kind
	Months int // the current month and Months-1 before it
	// CheckpointDir holds the checkpoint and spooled archives.
	CheckpointDir string
	// LookupDir is where subaccounts.csv and accountNames.csv are kept;
	// "" writes no lookups.
	LookupDir string
	// Accounts are aws.conf's accounts: names and monthly limits.
	Accounts []awsconf.Account
}

// Collector runs one collection pass of a stanza.
type Collector struct {
	Config
	S3     Bucket
	Events EventWriter
	Log    *slog.Logger
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// ProgressEvery is how often a long ingestion records how far it got
	// (default 10 s).
	ProgressEvery time.Duration
}

// object is a report found in the bucket.
type object struct {
	report.Object
	ETag         string
	LastModified time.Time
	Size         int64
}

func (o object) id(bucket string) string { return "s3://" + bucket + "/" + o.Key }

// Run reads every report of the last Months months that changed since the
// last run, then writes the summary events and lookups. A report that fails
// is logged with what to do and retried next run; the others go on. The
// checkpoint of a report is written only after its events are synced, and
// the lookups only when every report was read.
func (c *Collector) Run(ctx context.Context) error {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = 10 * time.Second
	}
	if c.Months < 1 {
		c.Months = 1
	}
	start := c.Now()
	current := report.PeriodOf(start)
	oldest := current.AddMonths(-(c.Months - 1))
	if err := os.MkdirAll(c.CheckpointDir, 0o700); err != nil {
		return fmt.Errorf("checkpoint_dir: %w", err)
	}
	c.removeStaleSpools()
	cp, err := loadCheckpoint(stanzaFile(c.CheckpointDir, c.Stanza, ".json"))
	if err != nil {
		return err
	}
	objs, err := c.discover(ctx, oldest)
	if err != nil {
		return err
	}
	em := newEmitter(c.Events)
	var errs []error
	ingested := 0
	for _, o := range objs {
		done, err := c.ingestObject(ctx, cp, em, o)
		if errors.Is(err, errStopped) {
			return err
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.Log.Error(err.Error(), "report", o.id(c.Bucket))
			errs = append(errs, err)
			continue
		}
		if done {
			ingested++
		}
	}
	if len(errs) == 0 {
		if c.LookupDir != "" {
			if err := os.MkdirAll(c.LookupDir, 0o755); err != nil {
				return fmt.Errorf("lookup_dir: %w", err)
			}
		}
		if err := c.summarize(ctx, cp, em, current); err != nil {
			errs = append(errs, err)
		}
	} else {
		c.Log.Warn("some reports could not be read: the summary events and lookups are left as they were until a run reads every report")
	}
	cp.prune(oldest)
	if err := cp.save(); err != nil {
		errs = append(errs, err)
	}
	c.Log.Info("collection pass done", "reports", len(objs), "ingested", ingested, "failed", len(errs),
		"events", em.events, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d reports failed; the next run retries them: %w", len(errs), len(objs), errors.Join(errs...))
	}
	return nil
}

// removeStaleSpools deletes archives a killed run left in checkpoint_dir.
// A day is far longer than any run; a younger file may belong to a run
// still going on.
func (c *Collector) removeStaleSpools() {
	matches, _ := filepath.Glob(filepath.Join(c.CheckpointDir, spoolPrefix+"*"))
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && c.Now().Sub(st.ModTime()) > 24*time.Hour {
			_ = os.Remove(m)
		}
	}
}

// listPrefix narrows the listing when the stanza says where the reports
// are: <prefix>/<report name>/ for one CUR or export, <prefix><payer>-aws-
// for the legacy reports of one payer.
func (c *Collector) listPrefix() string {
	legacyOnly := !slices.ContainsFunc(c.Kinds, report.Kind.Manifested)
	curOnly := !slices.ContainsFunc(c.Kinds, func(k report.Kind) bool { return !k.Manifested() })
	switch {
	case curOnly && c.ReportName != "":
		if c.Prefix == "" {
			return c.ReportName + "/"
		}
		return strings.TrimSuffix(c.Prefix, "/") + "/" + c.ReportName + "/"
	case legacyOnly && c.Payer != "":
		if c.Prefix == "" || strings.HasSuffix(c.Prefix, "/") {
			return c.Prefix + c.Payer + "-aws-"
		}
		return c.Prefix + "/" + c.Payer + "-aws-"
	default:
		return c.Prefix
	}
}

// discover lists the bucket and returns the reports to consider, oldest
// month first.
func (c *Collector) discover(ctx context.Context, oldest report.Period) ([]object, error) {
	prefix := c.listPrefix()
	found, listed, err := c.listReports(ctx, prefix)
	if err != nil {
		return nil, err
	}
	objs := since(found, oldest)
	c.Log.Debug("bucket listed", "prefix", prefix, "keys", listed, "reports", len(objs))
	if len(objs) == 0 {
		c.Log.Warn("no billing report found", "bucket", c.Bucket, "prefix", prefix, "types", c.Kinds, "since", oldest.String(),
			"hint", "check s3_bucket, payer_account_id, report_prefix and report_name against the keys in the bucket")
	}
	return objs, nil
}

// listReports lists the bucket under prefix and returns the stanza's reports
// of any month, oldest month first, and how many keys were listed. The
// check subcommand shares it, so it sees the reports a run would.
func (c *Collector) listReports(ctx context.Context, prefix string) ([]object, int, error) {
	var objs []object
	p := s3.NewListObjectsV2Paginator(c.S3, &s3.ListObjectsV2Input{Bucket: aws.String(c.Bucket), Prefix: aws.String(prefix)})
	listed := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, listed, fmt.Errorf("list s3://%s/%s: %w; check s3_bucket, that the credentials may s3:ListBucket on it, and the bucket's region (s3_bucket_region)",
				c.Bucket, prefix, err)
		}
		for _, it := range page.Contents {
			listed++
			ro, ok := report.ClassifyKey(aws.ToString(it.Key))
			if !ok || !slices.Contains(c.Kinds, ro.Kind) {
				continue
			}
			if ro.Payer != "" && c.Payer != "" && ro.Payer != c.Payer {
				continue
			}
			if ro.Name != "" && c.ReportName != "" && ro.Name != c.ReportName {
				continue
			}
			objs = append(objs, object{Object: ro, ETag: strings.Trim(aws.ToString(it.ETag), `"`),
				LastModified: aws.ToTime(it.LastModified), Size: aws.ToInt64(it.Size)})
		}
	}
	objs = preferResourcesAndTags(objs)
	kindOrder := func(k report.Kind) int { return slices.Index(report.Kinds, k) }
	slices.SortFunc(objs, func(a, b object) int {
		return cmp.Or(cmp.Compare(a.Period.Year, b.Period.Year), cmp.Compare(a.Period.Month, b.Period.Month),
			cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), strings.Compare(a.Key, b.Key))
	})
	return objs, listed, nil
}

// since returns the reports of oldest and later months, in order; objs is
// left as it was.
func since(objs []object, oldest report.Period) []object {
	var out []object
	for _, o := range objs {
		if !o.Period.Before(oldest) {
			out = append(out, o)
		}
	}
	return out
}

// preferResourcesAndTags drops the plain detailed billing report of a month
// when the same payer also has the one with resources and tags: it holds the
// same line items plus ResourceId and tags, and reading both would count
// every cost twice.
func preferResourcesAndTags(objs []object) []object {
	rich := map[string]bool{}
	for _, o := range objs {
		if o.Kind == report.DBR && o.Variant == "with-resources-and-tags" {
			rich[o.Payer+o.Period.String()] = true
		}
	}
	return slices.DeleteFunc(objs, func(o object) bool {
		return o.Kind == report.DBR && o.Variant != "with-resources-and-tags" && rich[o.Payer+o.Period.String()]
	})
}

// ingestObject ingests one report if its version changed. It reports
// whether it sent a version.
func (c *Collector) ingestObject(ctx context.Context, cp *checkpoint, em *emitter, o object) (bool, error) {
	id := o.id(c.Bucket)
	st := cp.Reports[id]
	if st == nil {
		st = &reportState{Kind: o.Kind, Period: o.Period.String()}
	}
	log := c.Log.With("report", id)
	if st.ETag == o.ETag && st.Version != "" {
		log.Debug("unchanged since the last run", "version", st.Version)
		return false, nil
	}
	v := &version{Kind: o.Kind, ReportID: id, Period: o.Period, Previous: st.Version, LastModified: o.LastModified}
	if o.Kind.Manifested() {
		m, err := c.readManifest(ctx, o)
		if err != nil {
			return false, err
		}
		v.ID = m.Version
		if v.ID == "" {
			v.ID = o.ETag
		}
		if v.ID == st.Version { // manifest rewritten, same delivery
			st.ETag = o.ETag
			cp.Reports[id] = st
			return false, cp.save()
		}
		if !m.Period.IsZero() {
			v.Period = m.Period
		}
		bucket := cmp.Or(m.Bucket, c.Bucket)
		if bucket != c.Bucket {
			log.Warn("the manifest names another bucket than s3_bucket; reading its parts from s3_bucket", "manifest_bucket", bucket)
		}
		if len(m.Parts) == 0 && o.Kind == report.CUR2 {
			// A manifest without dataFiles: the data files are those of
			// the period's data folder.
			if m.Parts, err = c.listDataFiles(ctx, o); err != nil {
				return false, err
			}
		}
		if len(m.Parts) == 0 {
			log.Info("the manifest lists no data file yet; nothing to ingest", "version", v.ID)
		}
		for _, key := range m.Parts {
			v.Parts = append(v.Parts, c.part(key, ""))
		}
	} else {
		v.ID = o.ETag
		v.Parts = []partSource{c.part(o.Key, o.ETag)}
	}
	var resume *progress
	if st.Progress != nil && st.Progress.Version == v.ID {
		resume = st.Progress
		log.Info("going on with an interrupted ingestion", "version", v.ID, "part", resume.Part+1, "rows_sent", resume.Rows)
	}
	in := &ingester{stanza: c.Stanza, spoolDir: c.CheckpointDir, em: em, log: log, now: c.Now, every: c.ProgressEvery,
		onProgress: func(p progress) error {
			st.Progress = &p
			cp.Reports[id] = st
			return cp.save()
		}}
	began := time.Now()
	res, err := in.run(ctx, v, resume)
	if err != nil {
		return false, fmt.Errorf("%s (version %s): %w", id, v.ID, err)
	}
	*st = reportState{
		Kind: o.Kind, Period: res.Period.String(), ETag: o.ETag, Version: v.ID, Rows: res.Rows,
		LastModified: o.LastModified, Ingested: c.Now().UTC(), Payer: res.Payer, PayerName: res.PayerName,
	}
	if st.Period == "" {
		st.Period = o.Period.String()
	}
	for _, a := range sortedAccounts(res.Accounts) {
		st.Accounts = append(st.Accounts, accountState{ID: a.ID, Name: a.Name, Currency: cmp.Or(a.Currency, res.Currency), Amount: a.Amount()})
	}
	cp.Reports[id] = st
	if err := cp.save(); err != nil {
		return true, err
	}
	secs := time.Since(began).Seconds()
	log.Info("report version ingested", "version", v.ID, "previous_version", v.Previous, "rows", res.Rows, "rows_sent", res.Sent,
		"parts", len(v.Parts), "seconds", round(secs, 3), "rows_per_second", int64(float64(res.Sent)/max(secs, 1e-3)))
	if res.Bad > 0 {
		log.Warn("some cost cells are not numbers and are left out of the version's totals (the rows are sent as they are)", "cells", res.Bad)
	}
	return true, nil
}

// part reads one object. ifMatch (the listed ETag of a legacy report) makes
// S3 refuse the read if AWS rewrote the object since the listing, so rows
// are never labelled with a version they do not belong to.
func (c *Collector) part(key, ifMatch string) partSource {
	name := "s3://" + c.Bucket + "/" + key
	return partSource{Name: name, Open: func(ctx context.Context) (io.ReadCloser, error) {
		in := &s3.GetObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(key)}
		if ifMatch != "" {
			in.IfMatch = aws.String(`"` + ifMatch + `"`)
		}
		out, err := c.S3.GetObject(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w; check that the credentials may s3:GetObject on it (a rewritten report is read again next run)", name, err)
		}
		return out.Body, nil
	}}
}

func (c *Collector) readManifest(ctx context.Context, o object) (*report.Manifest, error) {
	name := "s3://" + c.Bucket + "/" + o.Key
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return nil, fmt.Errorf("get the manifest %s: %w; check that the credentials may s3:GetObject on it", name, err)
	}
	defer out.Body.Close()
	m, err := report.ParseManifest(out.Body)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", name, err)
	}
	return m, nil
}

// listDataFiles lists <export>/data/BILLING_PERIOD=YYYY-MM/ for a CUR 2.0
// manifest that does not list its files.
func (c *Collector) listDataFiles(ctx context.Context, o object) ([]string, error) {
	export := path.Dir(path.Dir(path.Dir(o.Key))) // <prefix>/<export>
	prefix := export + "/data/BILLING_PERIOD=" + o.Period.String() + "/"
	var keys []string
	p := s3.NewListObjectsV2Paginator(c.S3, &s3.ListObjectsV2Input{Bucket: aws.String(c.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", c.Bucket, prefix, err)
		}
		for _, it := range page.Contents {
			k := aws.ToString(it.Key)
			if strings.HasSuffix(k, ".csv.gz") || strings.HasSuffix(k, ".csv") || strings.HasSuffix(k, ".csv.zip") {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys, nil
}
