# Conveniences over the go tool; CI runs .ci/run.
FUZZTIME ?= 1m

.PHONY: test fuzz ci

test:
	go test ./...

# Every fuzz target for FUZZTIME each: make fuzz FUZZTIME=10m
fuzz:
	FUZZTIME=$(FUZZTIME) .ci/fuzz

ci:
	.ci/run
