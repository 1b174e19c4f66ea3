// Package gen writes synthetic billing reports of every format for tests,
// benchmarks and the memory check: deterministic for a seed, shaped like
// the real files (quoting, empty cells, total rows, note line, scientific
// notation), and fast enough to write gigabytes.
package gen
