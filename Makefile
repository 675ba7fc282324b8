GO      ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
BIN     := bin/supermin-compile
INIT    := boot/initrd/bin/supermin-init

.PHONY: all build init run test deps bench libcompare clean

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

# The libraries we do not use, measured against our code (README: Dependencies).
libcompare: deps
	cd tools/libcompare && $(GO) vet ./... && $(GO) test -count=1 -v . \
		&& $(GO) test -run '^$$' -bench . -benchtime 10x -count 3 .

clean:
	rm -rf bin $(INIT)

# Packaging and installation. PREFIX and DESTDIR as usual; DEB_DIR is where
# `make deb` writes the .deb (see scripts/mkdeb.sh).
PREFIX  ?= /usr/local
DEB_DIR ?= bin

.PHONY: deb install man

deb: build
	scripts/mkdeb.sh $(BIN) $(VERSION) $(DEB_DIR)

install: build
	install -D -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/supermin-compile
	install -D -m 644 doc/supermin-compile.1 $(DESTDIR)$(PREFIX)/share/man/man1/supermin-compile.1
	install -D -m 644 doc/completion/supermin-compile.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/supermin-compile
	install -D -m 644 doc/completion/_supermin-compile \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_supermin-compile

# Regenerates doc/supermin-compile.1 from the --help texts.
man:
	$(GO) test ./cmd/supermin-compile -run TestManPageIsCurrent -count=1 -update-man
