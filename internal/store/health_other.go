//go:build !unix

package store

// freeBytes cannot tell the free space here: the write probe alone decides.
func freeBytes(string) (uint64, bool) { return 0, false }
