//go:build !unix

package main

import "time"

// processCPU is not measured here: the benchmark's cpu-us/pop reads 0.
func processCPU() time.Duration { return 0 }
