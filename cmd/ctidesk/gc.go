package main

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the garbage collector's target of the server: the heap
// may grow to three times what is live before a collection (Go's default is
// twice). A pop allocates about 100 KB that die with its request, and the
// collections were a tenth of its CPU: with 200, the CPU of a pop fell by
// 8 to 9 % (BenchmarkPopPage, docs/performance.md).
const serverGCPercent = 200

// serverMemoryLimit bounds Go's own memory softly (SQLite's page caches are
// not counted): under it the collector runs at serverGCPercent, near it as
// often as it must. At 200 clients popping at once the server's peak
// resident memory was 184 – 186 MB with Go's defaults, 209 – 213 MB with
// serverGCPercent alone, 201 – 204 MB with this limit (64 MiB: 170 MB,
// but pops slower than with the defaults, the collector running all the time).
const serverMemoryLimit = 96 << 20

// tuneGC sets the collector's target and memory limit for serving, unless
// GOGC or GOMEMLIMIT are set: the operator's word wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}
