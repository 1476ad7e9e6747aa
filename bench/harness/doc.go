// Package harness is the library behind `go run ./bench`, the end-to-end
// cache-latency benchmark: it starts a real S3 server (versitygw), builds a
// demo or generated catalog in it, starts an in-process origin with a chosen
// cache-tier layout over a store that injects S3 latency, drives it with an
// open-loop Zipf workload and writes results.json, results.csv, report.md and
// PNG plots.
//
// Layouts (what operators choose between):
//
//	none         no cache: every request renders
//	regional     a real regional HTTP cache (nginx, nginx.go) in front of an origin without L1 or L2
//	l1           the in-process memory LRU only
//	l1+l2        L1 and the results tier (L2) in S3
//	regional+l1  nginx in the region in front of an origin with L1
//	l2           the results tier (L2) in S3 only, reached over the slow link
//
// WAN links between the edge (load generator), the region and the origin
// are DelayProxy TCP proxies (topology.go). The page-views scenario
// (pageview.go, pageload.go, pagescenario.go) sends product-page views,
// warms each layout to a steady hit ratio, and prices the origin's cost
// per million page views (cost.go) into a recommendation (pagereport.go).
//
// Latency injection: DelayBlob wraps the store.Blob the origin is given and
// sleeps latency±jitter (uniform) before each S3 call — the in-process
// equivalent of a toxiproxy "latency" toxic between origin and S3. It also
// counts the calls, so S3 GETs per 1,000 requests need no S3 access logs.
package harness
