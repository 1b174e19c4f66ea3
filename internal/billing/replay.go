package billing

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws-ingest/aws-ingest/internal/billing/report"
	"github.com/aws-ingest/aws-ingest/internal/cli"
	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
)

// ReplayCommand is "aws_ingest_billing replay": the events of local report
// files, as the input would send them, on stdout.
func ReplayCommand() cli.Command {
	return cli.Command{
		Name:    "replay",
		Summary: "print the events of local reports (csv, csv.gz, csv.zip, or a CUR manifest next to its parts)",
		Run:     replay,
	}
}

func replay(ctx context.Context, env *cli.Env, args []string) error {
	fs := cli.Flags(env, schemes.Billing.Name, "replay", "")
	format := fs.String("format", "xml", "xml: the modular-input event stream; json: one HTTP Event Collector event per line")
	versionID := fs.String("version", "", "billing_version of the events (default: the manifest's assemblyId or executionId, else file-<size>-<mtime>)")
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: aws_ingest_billing replay [--format xml|json] [--version V] FILE...\n\n"+
			"Reads monthly, cost allocation and detailed billing reports, Cost and Usage Report parts or manifests\n"+
			"(with their parts in the same folder) and CUR 2.0 files, detects each one's format from its header,\n"+
			"and prints its rows and version event as the input would send them.\n\n")
		fs.PrintDefaults()
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return cli.UsageError(env, fs, "no report file given")
	}
	var (
		w     EventWriter
		close func() error
	)
	switch *format {
	case "xml":
		mw := modinput.NewWriter(env.Stdout, modinput.WriterOptions{})
		w, close = mw, mw.Close
	case "json":
		jw := &jsonWriter{w: bufio.NewWriterSize(env.Stdout, 256<<10)}
		w, close = jw, jw.w.Flush
	default:
		return fmt.Errorf("--format %q: want xml or json", *format)
	}
	in := &ingester{spoolDir: os.TempDir(), em: newEmitter(w), log: env.Log, now: time.Now}
	var errs []error
	for _, file := range fs.Args() {
		v, err := localVersion(file, *versionID)
		if err == nil {
			var res *result
			res, err = in.run(ctx, v, nil)
			if err == nil {
				env.Log.Info("replayed", "file", file, "type", res.Kind, "period", res.Period.String(), "version", v.ID, "rows", res.Rows)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	if err := close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// localVersion describes a file (or a manifest and its parts) as a version.
func localVersion(file, id string) (*version, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	v := &version{ReportID: file, ID: id, LastModified: st.ModTime()}
	if id == "" {
		v.ID = fmt.Sprintf("file-%d-%d", st.Size(), st.ModTime().Unix())
	}
	if o, ok := report.ClassifyKey(filepath.Base(file)); ok {
		v.Kind, v.Period = o.Kind, o.Period
	}
	if !strings.HasSuffix(file, ".json") {
		v.Parts = []partSource{localPart(file)}
		return v, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := report.ParseManifest(f)
	if err != nil {
		return nil, err
	}
	if id == "" && m.Version != "" {
		v.ID = m.Version
	}
	if !m.Period.IsZero() {
		v.Period = m.Period
	}
	v.Kind = ""
	dir := filepath.Dir(file)
	for _, key := range m.Parts {
		p := filepath.Join(dir, path.Base(key))
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("the manifest lists %s, expected next to it as %s: %w", key, p, err)
		}
		v.Parts = append(v.Parts, localPart(p))
	}
	if len(v.Parts) == 0 {
		return nil, errors.New("the manifest lists no data file")
	}
	return v, nil
}

func localPart(file string) partSource {
	return partSource{Name: file, Open: func(context.Context) (io.ReadCloser, error) { return os.Open(file) }}
}

// jsonWriter writes events in the HTTP Event Collector's format, one per
// line, for tools other than splunkd (curl to HEC, jq).
type jsonWriter struct {
	mu  sync.Mutex
	w   *bufio.Writer
	buf []byte
}

func (j *jsonWriter) Write(_ context.Context, events ...modinput.Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, ev := range events {
		b := j.buf[:0]
		b = append(b, '{')
		if !ev.Time.IsZero() {
			b = append(b, `"time":`...)
			b = strconv.AppendFloat(b, float64(ev.Time.UnixMilli())/1000, 'f', 3, 64)
			b = append(b, ',')
		}
		b = append(b, `"source":`...)
		b = appendJSON(b, ev.Source)
		b = append(b, `,"sourcetype":`...)
		b = appendJSON(b, ev.Sourcetype)
		b = append(b, `,"event":`...)
		b = append(b, ev.Data...)
		b = append(b, "}\n"...)
		j.buf = b
		if _, err := j.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonWriter) Sync(context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.w.Flush()
}

func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
