# edgeshelf — the common jobs. `make run` and `make test` install what they
# lack: libvips-dev through apt (root, or sudo) and pinned Go tools into ./bin.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
VERSITYGW_VERSION := v1.8.0
FUZZTIME ?= 30s
APT_PACKAGES := libvips-dev pkg-config

.PHONY: all run test lint bench fuzz tools vips build clean demo config-table k8s-check bench-report

all: lint test

## run: serve the demo catalog on http://127.0.0.1:8080
# The demo's inventory snapshots are dated (demo/README.md, "Stock"): a long
# skip-after keeps its hubs eligible; their badges use the stale wording.
run: vips
	$(GO) run ./cmd/edgeshelf serve --store ./demo --log-format text --routing-skip-after 87600h

## build: the binary in ./bin/edgeshelf
build: vips
	$(GO) build -trimpath -o $(BIN)/edgeshelf ./cmd/edgeshelf

## test: the whole suite with the race detector (real libvips, real S3 via versitygw)
test: vips $(BIN)/versitygw
	VERSITYGW_BIN=$(BIN)/versitygw $(GO) test -race -count=1 -timeout 30m ./...

## lint: gofmt, go vet and golangci-lint (pinned)
lint: vips $(BIN)/golangci-lint
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/golangci-lint run ./...

## bench: render, pipeline and cache benchmarks (ratios to baselines in the same run)
bench: vips
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./transform/ ./cache/ ./origin/

## fuzz: each fuzz target for FUZZTIME (default 30s)
fuzz: vips
	@for spec in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs grep -ho '^func Fuzz[A-Za-z0-9_]*' | sort -u | sed 's/func //'); do \
	  pkg=$$(dirname $$(grep -rl --include='*_test.go' "^func $$spec(" . | head -1)); \
	  echo "== $$spec in $$pkg"; \
	  $(GO) test -run '^$$' -fuzz "^$$spec$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## demo: regenerate the demo's generated originals (needs fonts; output is committed)
demo: vips
	$(GO) run ./demo/gen

## config-table: print the configuration table for README.md
config-table:
	@$(GO) run ./cmd/edgeshelf config

## tools: pinned Go tools into ./bin
tools: $(BIN)/versitygw $(BIN)/golangci-lint

$(BIN)/versitygw:
	GOBIN=$(BIN) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

$(BIN)/golangci-lint:
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

## vips: install libvips-dev with apt when pkg-config cannot find it
vips:
	@if ! pkg-config --exists vips 2>/dev/null; then \
	  echo "libvips-dev not found: installing it with apt"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

clean:
	rm -rf $(BIN) demo/results

## k8s-check: build every kustomize overlay and check it against the binary's config (offline)
k8s-check: vips
	$(GO) test -count=1 ./k8s/...

## bench-report: the cache-tier report (bench/README.md) into bench/results/<timestamp>/
# ~90 s on 2 cores: four layouts (+ restarts) over 6,840 variants at 15 req/s, S3 at 20 ms ± 5 ms.
BENCH_FLAGS ?= --scenario tiers --catalog generated --skus 300 --rate 15 --duration 10s --warmup 2s --s3-latency 20ms --s3-jitter 5ms --zipf-s 1.0
bench-report: vips $(BIN)/versitygw
	VERSITYGW_BIN=$(BIN)/versitygw $(GO) run ./bench $(BENCH_FLAGS)
