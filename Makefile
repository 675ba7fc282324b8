GO      ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN     := bin/supermin-compile

.PHONY: all build run test deps bench clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/supermin-compile

# The main job: plan the minimal example appliance from this host.
run: build
	./$(BIN) list examples/minimal.toml

deps:
	scripts/install-deps.sh

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Whole-process comparisons against the real tools, as ratios (medians).
bench: deps build
	$(GO) test -run '^$$' -bench . -benchtime 5x ./...
	scripts/bench-glob.sh

clean:
	rm -rf bin
