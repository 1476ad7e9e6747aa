# edgeshelf — the common jobs. `make run` and `make test` install what they
# lack: libvips-dev through apt (root, or sudo) and pinned Go tools into ./bin.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)

GOLANGCI_LINT_VERSION := v2.15.0
VERSITYGW_VERSION := v1.8.0
GOVULNCHECK_VERSION := v1.1.4
# The Go vulnerability database, pinned: its OSV files come as a module and
# are indexed locally, so the check needs no other service and gives the
# same answer until this version is bumped.
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
# Builds use this Go release (downloaded once through the module proxy when
# the machine's own is older): govulncheck holds the standard library to it.
export GOTOOLCHAIN := go1.26.11+auto
FUZZTIME ?= 30s
# libvips-tools: the vips CLI, which the golden tests use as a reference.
APT_PACKAGES := libvips-dev libvips-tools pkg-config
CHROMIUM_PACKAGES := chromium chromium-driver
# nginx: the regional HTTP cache the bench harness runs in its regional layouts
# (bench/harness/nginx.go; the harness starts it itself, not the system service).
NGINX_PACKAGES := nginx
# The tests run this versitygw; point it at a missing file to check that CI
# fails, rather than skips, without one (CHROMIUM_BIN does the same for chromium).
VERSITYGW_BIN ?= $(BIN)/versitygw
CONSOLE_MODULES := console/web/node_modules/.package-lock.json

.PHONY: all run test lint vulncheck bench fuzz tools vips build clean demo config-table k8s-check bench-report console console-deps chromium screenshots soak soak-flap bench-sim bench-regional nginx

all: lint test

## run: serve the demo catalog on http://127.0.0.1:8080
# The demo's inventory snapshots are dated (demo/README.md, "Stock"): a long
# skip-after keeps its hubs eligible; their badges use the stale wording.
run: vips
	$(GO) run ./cmd/edgeshelf serve --store ./demo --log-format text --routing-skip-after 87600h

## build: the binary in ./bin/edgeshelf
build: vips
	$(GO) build -trimpath -o $(BIN)/edgeshelf ./cmd/edgeshelf

## test: the whole suite with the race detector (real libvips, real S3 via versitygw,
## the console checked against a rebuild from source and driven in headless chromium)
# console-deps, not console: the test rebuilds into a temporary directory and
# fails when the committed console/dist differs, which a rebuild in place
# would hide.
test: vips $(BIN)/versitygw console-deps chromium nginx
	VERSITYGW_BIN=$(VERSITYGW_BIN) $(GO) test -race -count=1 -timeout 30m ./...

## lint: gofmt, go vet, golangci-lint and govulncheck (pinned)
lint: vips $(BIN)/golangci-lint vulncheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/golangci-lint run ./...

## vulncheck: govulncheck against the pinned vulnerability database
vulncheck: $(BIN)/govulncheck $(BIN)/vulndb/index/db.json
	$(BIN)/govulncheck -db file://$(BIN)/vulndb ./...

## bench: render, pipeline, cache and harness benchmarks (ratios to baselines in the same run)
bench: vips
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./transform/ ./cache/ ./origin/... ./bench/...

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
tools: $(BIN)/versitygw $(BIN)/golangci-lint $(BIN)/govulncheck

$(BIN)/versitygw:
	GOBIN=$(BIN) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

$(BIN)/golangci-lint:
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

$(BIN)/govulncheck:
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

$(BIN)/vulndb/index/db.json:
	$(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION)
	rm -rf $(BIN)/vulndb.tmp
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) \
	  -vulns "$$($(GO) env GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION)/data/osv" -out $(BIN)/vulndb.tmp
	rm -rf $(BIN)/vulndb && mv $(BIN)/vulndb.tmp $(BIN)/vulndb

## console: build the operator console (console/web, TypeScript + Vite) into console/dist,
## which the binary embeds. dist is committed, so `make run` and `go build` need no Node.js.
# Without Node.js 20.19+ and npm it says so and keeps the committed build.
console: console-deps
	@if [ ! -f $(CONSOLE_MODULES) ]; then \
	  echo "console: Node.js >= 20.19 with npm not found; using the committed console/dist"; \
	else \
	  cd console/web && npm run build; \
	fi

## console-deps: the console's npm packages (npm ci), for `make console` and the test that
## checks console/dist against a rebuild (offline once installed)
console-deps: $(CONSOLE_MODULES)

# npm ci writes node_modules/.package-lock.json: newer than the lockfile
# means the packages are installed as locked.
$(CONSOLE_MODULES): console/web/package.json console/web/package-lock.json
	@if ! command -v npm >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; then \
	  echo "console-deps: Node.js >= 20.19 with npm not found; the console/dist check fails under CI and is skipped otherwise"; \
	else \
	  cd console/web && npm ci --no-audit --no-fund; \
	fi

## screenshots: regenerate docs/img/console-*.png from the browser test
screenshots: vips chromium
	UPDATE_SCREENSHOTS=1 $(GO) test -count=1 -run 'TestConsoleInBrowser|TestStockingPanelInBrowser' ./console/

## chromium: install Debian's chromium and chromium-driver when missing (browser tests)
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "chromium not found: installing it with apt"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(CHROMIUM_PACKAGES); \
	fi

## nginx: install Debian's nginx when missing (the bench's regional cache)
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  echo "nginx not found: installing $(NGINX_PACKAGES) with apt"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(NGINX_PACKAGES); \
	fi

## vips: install libvips-dev and the vips CLI (libvips-tools) with apt when either is missing
vips:
	@if ! pkg-config --exists vips 2>/dev/null || ! command -v vips >/dev/null; then \
	  echo "libvips-dev or the vips CLI not found: installing $(APT_PACKAGES) with apt"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

clean:
	rm -rf $(BIN) demo/results

## k8s-check: build every kustomize overlay and check it against the binary's config (offline)
k8s-check: vips
	$(GO) test -count=1 ./k8s/...

.PHONY: sigkill
## sigkill: kill the built binary 20 times during orders and L2 writes; no acknowledged
## decision lost or doubled, no partial store object (cmd/edgeshelf/sigkill_test.go)
sigkill: vips
	$(GO) test -count=1 -run TestSIGKILLLosesNoAcknowledgedDecision -v ./cmd/edgeshelf

## bench-report: the cache-tier report (bench/README.md) into bench/results/<timestamp>/
# ~90 s on 2 cores: four layouts (+ restarts) over 6,840 variants at 15 req/s, S3 at 20 ms ± 5 ms.
BENCH_FLAGS ?= --scenario tiers --catalog generated --skus 300 --rate 15 --duration 10s --warmup 2s --s3-latency 20ms --s3-jitter 5ms --zipf-s 1.0
bench-report: vips $(BIN)/versitygw
	VERSITYGW_BIN=$(VERSITYGW_BIN) $(GO) run ./bench $(BENCH_FLAGS)

## bench-regional: the product-page report (issue #19, bench/README.md "Regional cache") into
## bench/results/<timestamp>/: layouts none, regional (nginx), l1, l1+l2, regional+l1, each warmed
## to a steady hit ratio then 20,000 measured requests at up to 70 % of its probed capacity (after warm-up) or at
## REGIONAL_RATES (pinned, the probe still runs); page-complete
## p50/p99, cost per million page views and a recommendation. The run prints its expected wall time first.
# The committed report: REGIONAL_SKUS=1000 and 10000, run twice on a quiet machine.
REGIONAL_SKUS ?= 1000
# The measured phase's load, pinned per catalog size so that every run of the command offers the
# same pages/s whatever its probe says (probes moved by up to 30 % between runs): 1,000 SKUs probed
# 7.3–9.5 pages/s without a cache and 19–23 with one, so 5 and 12 stay under 70 % of every probe.
REGIONAL_RATES_1000 := none=5,regional=12,l1=12,l1+l2=12,regional+l1=12
REGIONAL_RATES ?= $(REGIONAL_RATES_$(REGIONAL_SKUS))
REGIONAL_FLAGS ?= --scenario page-views --skus $(REGIONAL_SKUS) --s3-latency 20ms --s3-jitter 5ms --region-latency 15ms --region-jitter 3ms --origin-latency 30ms --origin-jitter 5ms --page-requests 20000 $(if $(REGIONAL_RATES),--page-rates $(REGIONAL_RATES))
bench-regional: vips nginx $(BIN)/versitygw
	VERSITYGW_BIN=$(VERSITYGW_BIN) $(GO) run ./bench $(REGIONAL_FLAGS)

## bench-sim: the cache trace simulator (bench/README.md, "Trace simulator") into
## bench/results/<timestamp>-sim/: policies × budgets on Zipf, product-page, churn and scan
## traces with the offline bounds, PASS/FAIL lines for issue #17, and the same traffic
## through a real origin (libvips). Replay your own: SIM_FLAGS='--trace access.trace'
# ~15 min on 2 busy cores: 6 traces of 1 M requests, the scan experiment, and
# 2 policies × 2 budgets of 4,000 product-page requests rendered by the origin.
SIM_FLAGS ?= --vs-origin --vs-trace product-page --vs-skus 100 --vs-requests 4000
bench-sim: vips
	$(GO) run ./bench/sim/cmd $(SIM_FLAGS)

.PHONY: bench-replicas
## bench-replicas: issue #18's figures with three origin processes on one versitygw: renders per
## 1,000 Zipf requests with 3 replicas vs 1, and peer-hit latency at half load (L1 hits beside)
# ~2 min on 2 cores; figures are only meaningful on an otherwise idle machine.
bench-replicas: vips $(BIN)/versitygw
	PEERBENCH=1 VERSITYGW_BIN=$(VERSITYGW_BIN) $(GO) test -count=1 -run TestPeersBench -v ./cmd/edgeshelf

.PHONY: bench-peers
## bench-peers: edgeshelf vs imgproxy side by side (issue #16) into bench/results/<timestamp>-peers/:
## 64 generated 6 MP originals, caches off, q80 / WebP effort 4 / AVIF speed 8 on both, -c8,
## rounds alternating the servers; steady state, product-page and cold-original workloads.
## IMGPROXY_BIN=path uses an imgproxy you have; otherwise it is built into bin/peers/ with
## $(PEERS_DIR)/build-imgproxy.sh (cold ~10-12 min on 2 cores, once).
# ~16 min with the defaults; PEERS_FLAGS='--rounds 2 --duration 8s' for a quicker look.
# PEERS_FLAGS='--source heic' (or avif) serves the originals as phones' photos (transcoded once: ~1 min AVIF, ~9 min HEIC).
PEERS_DIR ?= $(CURDIR)/../shared/peers
IMGPROXY_BIN ?= $(BIN)/peers/imgproxy
PEERS_FLAGS ?=
bench-peers: build $(IMGPROXY_BIN)
	$(GO) run ./bench/peers/cmd --edgeshelf-bin $(BIN)/edgeshelf --imgproxy-bin $(IMGPROXY_BIN) $(PEERS_FLAGS)

$(IMGPROXY_BIN):
	@test -x $(PEERS_DIR)/build-imgproxy.sh || { echo "no $(PEERS_DIR)/build-imgproxy.sh: set IMGPROXY_BIN to an imgproxy binary or PEERS_DIR to the peers directory" >&2; exit 1; }
	$(PEERS_DIR)/build-imgproxy.sh $(dir $@)

## soak: the built binary under mixed traffic for ~8 min over versitygw; fails when RSS or
## goroutines grow ≥ 5 % after the 4 min warm-up or RSS tops the L1 budget + 300 MiB (bench/soak)
SOAK_FLAGS ?= --duration 8m --warmup 4m --interval 10s
soak: build $(BIN)/versitygw
	VERSITYGW_BIN=$(VERSITYGW_BIN) $(GO) run ./bench/soak --binary $(BIN)/edgeshelf $(SOAK_FLAGS)

## soak-flap: the soak for 30 min (after a 10 min warm-up: RSS settles over the first ~12 min
## of flapping) with S3 taken down and up again every minute (refused, then black-holed
## connections); also fails when an answer takes past the request deadline + 2 s
SOAK_FLAP_FLAGS ?= --duration 30m --warmup 10m --interval 30s --s3-flap 1m
soak-flap: build $(BIN)/versitygw
	VERSITYGW_BIN=$(VERSITYGW_BIN) $(GO) run ./bench/soak --binary $(BIN)/edgeshelf $(SOAK_FLAP_FLAGS)
