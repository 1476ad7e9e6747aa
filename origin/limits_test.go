package origin_test

import (
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestClientInflightCap: one client over its in-flight cap gets 429 with
// Retry-After; a different client (by the trusted CDN header) is unaffected.
func TestClientInflightCap(t *testing.T) {
	h := origintest.Start(t, origintest.Options{NoL1: true, NoL2: true, Configure: func(c *config.Config) {
		c.Origin.ClientMaxInflight = 2
		c.Origin.ClientIPHeader = "CF-Connecting-IP"
	}})
	var wg sync.WaitGroup
	statuses := make(chan int, 12)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Distinct zoom renders keep each request busy for a while.
			sku := []string{"amber-oud-50ml", "vetiver-noir-50ml", "rose-absolute-30ml"}[i%3]
			view := []string{"front", "side", "box", "front"}[i%4]
			resp, _ := h.Get(t, "/img/"+sku+"/"+view+"/zoom.avif", "CF-Connecting-IP", "203.0.113.7")
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	var ok, limited int
	for s := range statuses {
		switch s {
		case 200:
			ok++
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Errorf("status %d", s)
		}
	}
	if ok < 2 || limited == 0 {
		t.Fatalf("%d served, %d limited; want at least 2 served and some limited", ok, limited)
	}
	if resp, _ := h.Get(t, "/img/label-mug/front/thumb.jpg", "CF-Connecting-IP", "198.51.100.1"); resp.StatusCode != 200 {
		t.Errorf("another client: %d", resp.StatusCode)
	}
}

// TestAdminListener: with ADMIN_LISTEN set, /admin answers only there.
func TestAdminListener(t *testing.T) {
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Configure: func(c *config.Config) {
		c.Origin.AdminTokenFile = tokens
		c.Origin.AdminListen = "127.0.0.1:0"
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = h.Server.ServeAdmin(ln) }()
	time.Sleep(50 * time.Millisecond)
	admin := &origintest.Harness{URL: "http://" + ln.Addr().String()}
	if resp, _ := h.Do(t, http.MethodGet, "/admin/reports/colour", "", "Authorization", "Bearer "+origintest.AdminToken); resp.StatusCode != http.StatusNotFound {
		t.Errorf("admin on the public listener: %d, want 404", resp.StatusCode)
	}
	if resp, _ := admin.Do(t, http.MethodGet, "/admin/reports/colour", "", "Authorization", "Bearer "+origintest.AdminToken); resp.StatusCode != http.StatusOK {
		t.Errorf("admin on the admin listener: %d, want 200", resp.StatusCode)
	}
	if resp, _ := admin.Do(t, http.MethodGet, "/admin/reports/colour", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("admin listener without a token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := h.Get(t, "/img/label-mug/front/thumb.jpg"); resp.StatusCode != 200 {
		t.Errorf("public variants: %d", resp.StatusCode)
	}
}
