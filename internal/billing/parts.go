package billing

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zipMagic  = []byte("PK\x03\x04")
)

// eachCSV calls fn with every CSV in a report object's body: the body
// itself, its gunzipped content, or each file member of a zip archive.
//
// archive/zip needs random access, so a zip body that is not already a file
// is spooled to a temporary file in spoolDir (checkpoint_dir: Splunk's own
// disk, not /tmp) and removed afterwards. Everything else is streamed.
func eachCSV(ctx context.Context, name string, body io.Reader, spoolDir string, fn func(member string, r io.Reader) error) error {
	br := bufio.NewReaderSize(body, 256<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, zipMagic) || strings.HasSuffix(name, ".zip") && len(head) == 0:
		return eachZipMember(ctx, name, br, body, spoolDir, fn)
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		return fn("", &ctxReader{ctx: ctx, r: zr})
	default:
		return fn("", &ctxReader{ctx: ctx, r: br})
	}
}

func eachZipMember(ctx context.Context, name string, br *bufio.Reader, body io.Reader, spoolDir string, fn func(string, io.Reader) error) error {
	var (
		ra   io.ReaderAt
		size int64
	)
	if f, ok := body.(*os.File); ok { // replay of a local file: no copy
		st, err := f.Stat()
		if err != nil {
			return err
		}
		ra, size = f, st.Size()
	} else {
		tmp, err := os.CreateTemp(spoolDir, spoolPrefix+"*.zip")
		if err != nil {
			return fmt.Errorf("spool the zip archive to %s: %w", spoolDir, err)
		}
		defer func() {
			tmp.Close()
			os.Remove(tmp.Name())
		}()
		n, err := io.Copy(tmp, &ctxReader{ctx: ctx, r: br})
		if err != nil {
			return fmt.Errorf("spool the zip archive to %s: %w", tmp.Name(), err)
		}
		ra, size = tmp, n
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return fmt.Errorf("open the zip archive: %w", err)
	}
	found := false
	for _, m := range zr.File {
		if m.FileInfo().IsDir() || strings.HasPrefix(m.Name, "__MACOSX/") || strings.HasPrefix(path.Base(m.Name), ".") {
			continue
		}
		found = true
		rc, err := m.Open()
		if err != nil {
			return fmt.Errorf("zip member %s: %w", m.Name, err)
		}
		err = fn(m.Name, &ctxReader{ctx: ctx, r: rc})
		rc.Close()
		if err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("the zip archive %s holds no file", name)
	}
	return nil
}

// spoolPrefix starts the names of spooled archives; a run removes the ones
// a killed run left behind.
const spoolPrefix = "billing_spool_"

// ctxReader stops a long read when the run is stopped.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
