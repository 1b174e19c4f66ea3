package integrity_test

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/aws-ingest/aws-ingest/internal/cloudtrail/integrity"
)

// How an ingesting input checks a digest it was notified of: it already has
// the object (body and S3 metadata) and the SHA-256 of every log file it
// ingested (records.Options.Hash, in the same pass that split the file).
func ExampleVerifyDigest() {
	ctx := context.Background()
	var (
		bucket, key string                           // the digest object
		body        []byte                           // GetObject's body
		metadata    map[string]string                // GetObject's Metadata
		keys        integrity.KeySource              // &integrity.APIKeys{API: cloudtrail.NewFromConfig(cfg)}, shared
		ingested    = map[string][sha256.Size]byte{} // from the checkpoint: log key -> sha256
	)
	res, err := integrity.VerifyDigest(ctx, integrity.Request{Bucket: bucket, Key: key, Body: body,
		Metadata: integrity.MetadataFrom(metadata), Backfill: false}, keys)
	if err != nil {
		return // no verdict (ListPublicKeys failed): retry later
	}
	for _, p := range res.Problems {
		fmt.Println(p.Line()) // one aws:cloudtrail:integrity event per problem
	}
	if res.Valid() {
		valid, problems := integrity.CompareLogFiles(res.Digest, integrity.HashMap(ingested))
		fmt.Println(valid, len(problems))
	}
}
