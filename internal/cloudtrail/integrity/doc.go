// Package integrity checks CloudTrail log file integrity validation: the
// hourly digest files CloudTrail signs, and the log files they list.
//
// A digest (…/CloudTrail-Digest/<region>/YYYY/MM/DD/…_<YYYYMMDDTHHMMSSZ>.json.gz)
// is one JSON object listing the log files delivered in its hour with the
// SHA-256 of their decompressed bytes, and pointing at the previous digest.
// Its signature is not in the file but in the object's S3 user metadata
// ("signature", hex, and "signature-algorithm", SHA256withRSA); the same
// signature is copied into the next digest's previousDigestSignature, so a
// chain walked newest to oldest needs the metadata of its head only.
//
// The signed string is
//
//	digestEndTime "\n" digestS3Bucket "/" digestS3Object "\n" hex(SHA-256(decompressed digest)) "\n" previousDigestSignature
//
// with the literal "null" for a starting digest, no trailing newline, and the
// signature is RSASSA-PKCS1-v1_5 over its SHA-256. Keys come from
// cloudtrail:ListPublicKeys in the digest's region and are chosen by
// fingerprint, the lowercase hex MD5 of the key's DER bytes (PKCS#1 or
// SubjectPublicKeyInfo; both are seen).
//
// The pieces are usable on their own: ParseDigest and Digest.StringToSign,
// VerifyDigest (one digest: location, key, signature), HashLogFile (the
// SHA-256 of a log file's first gzip member; trailing data is a failure),
// CompareLogFiles (a digest's list against what an input recorded while
// ingesting) and Walk (the digest chains of one account and region over a
// time window, like aws cloudtrail validate-logs, with gaps and backfill
// digests).
package integrity
