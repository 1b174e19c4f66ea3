// Package s3fake serves an in-memory S3 for unit tests: rclone/gofakes3 with
// its s3mem backend behind an httptest.Server, and an *s3.Client configured
// for it.
//
// Why it exists: every package that reads from S3 (CloudTrail objects,
// billing reports) needs the same three things to test against real SDK
// behaviour (streaming bodies, typed errors, pagination) without moto: a
// server, a client with path-style addressing and a hermetic config (see
// package testkit for why not config.LoadDefaultConfig), and a way to seed
// objects. rclone/gofakes3 v0.0.12 was chosen over johannesboyne/gofakes3
// because it also passes the SDK's TLS and multipart checks; it runs at
// about 2 GB/s for large GETs, so S3 benchmarks belong here, not on moto.
//
// Differences from S3 worth knowing: buckets are created on demand by Put
// (S3 would need CreateBucket), the fake does not check signatures, and
// objects carry no checksums unless the client sent them.
package s3fake
