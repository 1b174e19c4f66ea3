// Package checkpoint remembers, per S3 object, what the CloudTrail input
// has already sent to Splunk, so that a redelivered SQS message (after a
// crash, a kill -9, a lost delete, an expired visibility timeout) does not
// send it again: a Done object is skipped, an object in progress resumes
// after the records already flushed.
//
// One Store serves one input stanza, in its own folder under splunkd's
// checkpoint_dir, written by one process. Inputs on other hosts have their
// own stores; SQS visibility, not this store, keeps them from reading the
// same object at the same time.
//
// # Use
//
//	store, err := checkpoint.Open(dir, checkpoint.Options{Logger: log})
//	defer store.Close()
//	st, _ := store.Get(id)        // st.Done: skip; else skip st.Records records
//	store.Progress(id, flushed)   // after each flush of a long object
//	store.Done(id, total, sum)    // then delete the SQS message
//
// # Guarantees
//
//   - Done: when it returns nil the update is fsynced and survives a crash
//     of the process or of the machine; the SQS message may be deleted.
//   - Progress: when it returns nil the update is written to the file (one
//     write(2)) and survives the process being killed; a machine crash or
//     power loss may lose it until the next Done or Close syncs the file
//     (or at once with Options.SyncProgress). Losing a Progress only means
//     that a few records are sent again.
//   - Group commit: concurrent Done calls share fsyncs. Whoever finds the
//     file free writes everything queued with one write and one fsync while
//     new updates queue for the next round; every caller returns once its
//     own update is synced. Throughput grows with the number of concurrent
//     callers; one caller alone is bound by the disk's fsync latency.
//   - Get sees every update whose call has returned, and nothing that might
//     not survive a crash of the process. It never waits for I/O.
//   - Merging only moves an object forward: Done is final (a later Progress
//     is ignored), Progress keeps the highest count, a second Done replaces
//     the count and keeps the SHA-256 unless it brings one. So a lost record
//     can only make an object look less ingested (duplicates), never more
//     (a skipped object).
//   - A failed write or fsync stops the store: every later update returns
//     the same error (after a failed fsync the kernel may have dropped the
//     data, so retrying cannot be trusted). Close it and Open it again.
//   - Entries not updated for Options.Retention (14 days, the longest SQS
//     keeps a message) are dropped at Open and by compactions; a compaction
//     runs for that when the oldest entry expires, at most daily.
//   - Open takes an flock on checkpoint.lock (not on Windows): a second
//     process, or a second Open in the same process, fails with a message
//     naming the owner's process id.
//
// # Files
//
// In the store's folder (created with mode 0700 if missing):
//
//	checkpoint.log              the log (0600)
//	checkpoint.lock             the lock; holds the owner's process id
//	.checkpoint.log.tmp-*       a compaction in progress; removed by Open
//
// # Log format
//
// All integers are little-endian; CRC-32C is the Castagnoli CRC.
//
//	header, 48 bytes:
//	  0   8  magic "AWSICKPT"
//	  8   4  format version, 1
//	  12 32  salt: random, chosen when the log is created, kept by compactions
//	  44  4  CRC-32C of bytes 0-43
//
//	record, 35 bytes, or 67 with a SHA-256:
//	  0   4  CRC-32C of bytes 4 to the end of the record
//	  4   2  payload length: 29, or 61 with a SHA-256
//	  6   1  kind: 1 Progress, 2 Done, 3 Done with SHA-256
//	  7  16  object key: the first 16 bytes of SHA-256(salt ‖ uvarint(len(bucket)) ‖ bucket ‖
//	         uvarint(len(key)) ‖ key ‖ uvarint(len(version)) ‖ version), version without
//	         surrounding double quotes
//	  23  4  last update, Unix seconds
//	  27  8  record count: flushed so far (Progress) or in total (Done)
//	  35 32  SHA-256 of the object's content (kind 3 only)
//
// The log is append-only. Its state is the replay of its records in order,
// merged as above. A compaction writes the same format: a header with the
// same salt and one record per live entry, carrying the entry's last update
// time so that retention still counts from the real update.
//
// # Torn writes and damage
//
// Open checks every record's length, kind and checksum. Where a record is
// not valid it tries each following byte offset until a valid record
// starts:
//
//   - if none does, the rest is a torn tail (a crash in the middle of a
//     write, or zeros where the file system grew the file but lost the data)
//     and is cut off; Stats.TruncatedBytes counts it;
//   - if one does, the stretch before it is damage in the middle of the log
//     (bit rot): it is skipped, the valid records after it are kept, a
//     warning names its offset and length, Stats.CorruptRegions and
//     CorruptBytes count it, and the log is rewritten at once without it.
//
// A damaged stretch loses only the updates in it, and by the merge rule
// that can only cause duplicates. A false resynchronisation (garbage that
// passes the length, kind and CRC-32C checks, about 1 in 4·10⁹ per offset)
// would create an entry under a random key that no object hashes to.
// Errors that leave no way on (a header that is not ours, damaged, or of a
// newer format) name the file and say to remove it to start over.
//
// # Keys and collisions
//
// Entries are keyed by 16 bytes of salted SHA-256, not by bucket and key.
// A collision would make a new object look Done and skip it, so it must
// be negligible: for n entries the chance of any collision is about
// n²/2¹²⁹, 1.5·10⁻²⁷ for a million entries and 10⁻²¹ for a billion, far
// below the chance of an undetected disk error. The random salt means that
// someone able to name objects in the bucket cannot search for colliding
// names offline: they would need the salt, which never leaves the folder.
//
// # Size
//
// Memory: a hash table of its own (see table.go), 32 bytes per slot plus a
// control byte, kept 75-90% full: 37 to 44 bytes per entry, plus about 35
// for an entry with a SHA-256. Disk after a compaction: 35 bytes per entry,
// 67 with a SHA-256. A compaction starts, in the background, when the log
// is more than twice its live size and holds at least 1 MiB of superseded
// records. It holds writers only while it copies the table in memory and
// while it appends the records written meanwhile and switches files; Get is
// never held (see Store.compact).
//
// # Figures
//
// Measured on a shared 2-vCPU AMD EPYC VM (load average 3 to 7 from other
// work) with an ext4 virtual disk whose fsync took 0.3 to 4 ms from one run
// to the next, hence the ranges:
//
//	go test -run '^$' -bench Done -benchtime 5000x ./internal/checkpoint/
//	go test -run '^$' -bench '1M|Get' -benchtime 5x ./internal/checkpoint/
//
//	Done, 1 writer                  260 to 3,400/s   (one fsync each)
//	Done, 16 writers              5,100 to 21,000/s  (8.5 updates per fsync)
//	Get                             0.9 to 3 µs, no allocation (mostly the SHA-256 of the name)
//	Open, 1,000,000 entries         0.15 to 0.4 s,   43 heap bytes/entry, 35 disk bytes/entry
//	  with a SHA-256 each           0.45 to 0.8 s,   78 heap bytes/entry, 67 disk bytes/entry
//	Compaction, 1,000,000 entries   0.2 to 0.8 s; a Done meanwhile waited at most 0.1 to 0.5 s
package checkpoint
