GO      ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN     := bin/supermin-compile
INIT    := boot/initrd/bin/supermin-init

.PHONY: all build init run test deps bench clean

all: build

# The mini initrd's /init: static, embedded into supermin-compile.
init:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(INIT) ./cmd/supermin-init

build: init
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/supermin-compile

# The main job: build the minimal example appliance from this host, after
# installing a kernel (as root on Debian) if the host has none.
run: build
	scripts/install-deps.sh run
	./$(BIN) build examples/minimal.toml

deps:
	scripts/install-deps.sh

test: deps init
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 45m ./...

# Whole-process comparisons against the real tools, as ratios (medians).
bench: deps build
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...
	scripts/bench-glob.sh

clean:
	rm -rf bin $(INIT)
