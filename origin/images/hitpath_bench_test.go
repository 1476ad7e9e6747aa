package images_test

import (
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// The L1 hit path's must-show, in one run: requests/s of an L1 hit through
// the whole stack against a bare fiber handler sending the same bytes, the
// shipped policy (s3fifo) against the old LRU, and the hit p99 at half of
// saturation (open loop, latency counted from each request's scheduled
// time, so a stall is not hidden by the client waiting it out), beside the
// bare handler's at the same rate (the floor of this machine and client). The three
// servers are measured in interleaved rounds, so drift on a shared machine
// hits each alike:
//
//	go test ./origin/images/ -run '^$' -bench L1HitPath -benchtime 1x
const (
	hitPathRounds  = 5
	hitPathRound   = 3 * time.Second
	hitPathOpen    = 10 * time.Second
	hitPathClients = 4
)

func BenchmarkL1HitPath(b *testing.B) {
	const path = "/img/label-mug/front/card.webp"
	origins := map[string]*origintest.Harness{}
	for _, policy := range []string{"s3fifo", "lru"} {
		origins[policy] = origintest.Start(b, origintest.Options{Configure: func(c *config.Config) { c.Cache.Policy = policy }})
	}
	resp, body := origins["s3fifo"].Get(b, path)
	if resp.StatusCode != 200 {
		b.Fatal(resp.StatusCode)
	}
	if resp, _ := origins["lru"].Get(b, path); resp.StatusCode != 200 {
		b.Fatal(resp.StatusCode)
	}
	urls := map[string]string{
		"origin-s3fifo": origins["s3fifo"].URL + path,
		"origin-lru":    origins["lru"].URL + path,
		"bare-fiber":    bareFiber(b, body) + path,
		// The same response, headers included: what the origin's own work
		// costs, without the client's parsing of its dozen headers.
		"bare-same-headers": bareFiber(b, body, resp.Header) + path,
	}
	names := []string{"origin-s3fifo", "origin-lru", "bare-fiber", "bare-same-headers"}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	b.Cleanup(client.CloseIdleConnections) // before the servers stop: no goroutine outlives them
	for range b.N {
		done := map[string]int{}
		for range hitPathRounds {
			for _, name := range names {
				done[name] += closedLoop(b, client, urls[name], hitPathRound)
			}
		}
		rate := func(name string) float64 { return float64(done[name]) / (hitPathRounds * hitPathRound).Seconds() }
		for _, name := range names {
			b.ReportMetric(rate(name), name+"-req/s")
		}
		b.ReportMetric(rate("origin-s3fifo")/rate("bare-fiber"), "origin/bare")
		b.ReportMetric(rate("origin-s3fifo")/rate("bare-same-headers"), "origin/bare-same-headers")
		b.ReportMetric(rate("origin-s3fifo")/rate("origin-lru"), "s3fifo/lru")
		// The same open loop against the bare handler is the floor the
		// machine and the client put under any p99 at that rate.
		half := rate("origin-s3fifo") / 2
		p50, p99 := openLoop(b, client, urls["origin-s3fifo"], half, hitPathOpen)
		bareP50, bareP99 := openLoop(b, client, urls["bare-fiber"], half, hitPathOpen)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms@half")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms@half")
		b.ReportMetric(float64(bareP50.Microseconds())/1000, "bare-p50-ms@half")
		b.ReportMetric(float64(bareP99.Microseconds())/1000, "bare-p99-ms@half")
	}
}

// bareFiber serves body as a bare fiber handler would, with the given
// response headers (Content-Type alone when none), and returns its URL.
func bareFiber(b *testing.B, body []byte, headers ...http.Header) string {
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/img/:sku/:view/:file", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "image/webp")
		for _, h := range headers {
			for name, values := range h {
				if name != "Content-Length" && name != "Date" && name != "Content-Type" {
					c.Set(name, values[0])
				}
			}
		}
		return c.Send(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = bare.Listener(ln) }()
	b.Cleanup(func() { _ = bare.ShutdownWithTimeout(time.Second) })
	return "http://" + ln.Addr().String()
}

// closedLoop runs hitPathClients clients back to back for d and returns
// the 200s they got.
func closedLoop(b *testing.B, client *http.Client, url string, d time.Duration) int {
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for range hitPathClients {
		wg.Go(func() {
			ok := 0
			for time.Now().Before(deadline) {
				if getOK(client, url) {
					ok++
				}
			}
			mu.Lock()
			n += ok
			mu.Unlock()
		})
	}
	wg.Wait()
	if n == 0 {
		b.Fatalf("%s: no request succeeded", url)
	}
	return n
}

// openLoop sends rate requests/s for d on a fixed schedule, whether or not
// earlier ones have answered: tickets are issued on time (checked every
// millisecond) to a pool of senders, and each latency counts from its
// ticket's time, so time spent waiting for a free sender is not hidden. It
// returns the p50 and p99; a failed request fails the benchmark.
func openLoop(b *testing.B, client *http.Client, url string, rate float64, d time.Duration) (p50, p99 time.Duration) {
	const senders = 32
	tickets := make(chan time.Time, int(rate*d.Seconds())+1)
	lat := make([][]time.Duration, senders)
	failed := make([]int, senders)
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			for at := range tickets {
				if !getOK(client, url) {
					failed[i]++
				}
				lat[i] = append(lat[i], time.Since(at))
			}
		})
	}
	start := time.Now()
	for sent := 0; time.Since(start) < d; time.Sleep(time.Millisecond) {
		for due := int(time.Since(start).Seconds() * rate); sent < due; sent++ {
			tickets <- start.Add(time.Duration(float64(sent) / rate * float64(time.Second)))
		}
	}
	close(tickets)
	wg.Wait()
	var all []time.Duration
	for i := range senders {
		if failed[i] > 0 {
			b.Fatalf("open loop at %.0f/s: %d requests failed", rate, failed[i])
		}
		all = append(all, lat[i]...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return all[len(all)/2], all[len(all)*99/100]
}

func getOK(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
