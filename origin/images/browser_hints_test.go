package images_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/edgeshelf/edgeshelf/internal/chromiumtest"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/transform"
)

// The client-hint path a shop sets up, driven by a real headless Chromium:
// a product page on one origin opts in to the hints and delegates them to
// the image origin on another (a second loopback port), its <img sizes>
// loads an .auto preset, and a recorder in front of the image origin keeps
// the hints that arrived and the width of the image served.

// hintedRequest is one image request as the recorder saw it.
type hintedRequest struct {
	load                   string // the page load that asked
	dpr, width, viewport   string // the hints that arrived
	status, imageWidth     int
	bytes                  int
	cacheStatus, vary, err string
}

// recorder is a reverse proxy to the origin that notes each /img exchange.
type recorder struct {
	mu  sync.Mutex
	got []hintedRequest
}

func (r *recorder) start(t *testing.T, originURL string) *httptest.Server {
	t.Helper()
	target, err := url.Parse(originURL)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	proxy.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Request.URL.Path, "/img/") {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		s := hintedRequest{
			load: resp.Request.URL.Query().Get("load"), status: resp.StatusCode,
			dpr: resp.Request.Header.Get("Sec-CH-DPR"), width: resp.Request.Header.Get("Sec-CH-Width"),
			viewport:    resp.Request.Header.Get("Sec-CH-Viewport-Width"),
			cacheStatus: resp.Header.Get("Cache-Status"), vary: resp.Header.Get("Vary"), bytes: len(body),
		}
		if info, err := transform.Inspect(body, transform.Defaults()); err != nil {
			s.err = err.Error()
		} else {
			s.imageWidth = info.Width
		}
		r.mu.Lock()
		r.got = append(r.got, s)
		r.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv
}

// forLoad is what the recorder saw of one page load.
func (r *recorder) forLoad(load string) []hintedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hintedRequest
	for _, s := range r.got {
		if s.load == load {
			out = append(out, s)
		}
	}
	return out
}

// Ways a product page can opt in, as the README shows them.
const (
	optInHeaders = "headers"   // Accept-CH + Permissions-Policy response headers
	optInMeta    = "meta"      // <meta http-equiv="delegate-ch">, for shops that cannot set headers
	optInNone    = "accept-ch" // Accept-CH alone: hints stay on the page's own origin
)

// productPage serves the shop's product page (?optin= one of the above,
// ?load= tags the image request) with an image whose slot is the full
// width of a narrow screen and 800 CSS px otherwise.
func productPage(t *testing.T, imageOrigin string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/product" {
			http.NotFound(w, r)
			return
		}
		meta := ""
		switch r.URL.Query().Get("optin") {
		case optInHeaders:
			w.Header().Set("Accept-CH", "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width")
			w.Header().Set("Permissions-Policy", fmt.Sprintf(
				`ch-dpr=(self "%[1]s"), ch-width=(self "%[1]s"), ch-viewport-width=(self "%[1]s")`, imageOrigin))
		case optInMeta:
			meta = fmt.Sprintf(`<meta http-equiv="delegate-ch" content="sec-ch-dpr %[1]s; sec-ch-width %[1]s; sec-ch-viewport-width %[1]s">`, imageOrigin)
		case optInNone:
			w.Header().Set("Accept-CH", "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head>%s<meta name="viewport" content="width=device-width">
<style>body{margin:0} img{display:block;max-width:100%%;height:auto}</style></head>
<body><img alt="Amber Oud" sizes="(max-width: 800px) 100vw, 800px"
 src="%s/img/amber-oud-50ml/front/pdp.auto?load=%s"></body></html>`, meta, imageOrigin, url.QueryEscape(r.URL.Query().Get("load")))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hintsBrowser starts a headless Chromium with a fresh profile.
func hintsBrowser(t *testing.T) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromiumtest.Options(t)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// TestBrowserClientHints loads the product page at DPR 1 and 2 on a wide
// and a phone-sized viewport. The slot is 800 CSS px wide, or 500 on the
// 500 px screen, so the widths are the slot × DPR snapped up the ladder.
func TestBrowserClientHints(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	var rec recorder
	images := rec.start(t, h.URL)
	page := productPage(t, images.URL)
	ctx := hintsBrowser(t)

	cases := []struct {
		optIn                      string
		dpr                        float64
		viewport                   int64
		wantDPR, wantWidth, wantVW string
		wantImageWidth             int
	}{
		{optInHeaders, 1, 1280, "1", "800", "1280", 800},
		{optInHeaders, 1, 500, "1", "500", "500", 640},
		{optInHeaders, 2, 1280, "2", "1600", "1280", 1600},
		{optInHeaders, 2, 500, "2", "1000", "500", 1080},
		{optInMeta, 2, 500, "2", "1000", "500", 1080},
		// Without delegation the browser keeps the hints to the page's
		// origin: the image comes at the preset's own 1200 px.
		{optInNone, 2, 500, "", "", "", 1200},
	}
	for i, c := range cases {
		load := fmt.Sprint(i)
		t.Run(fmt.Sprintf("%s/dpr%g-%dpx", c.optIn, c.dpr, c.viewport), func(t *testing.T) {
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			err := chromedp.Do(sctx,
				chromedp.EmulateViewport(c.viewport, 800, chromedp.EmulateScale(c.dpr)),
				chromedp.Navigate(page.URL+"/product?optin="+c.optIn+"&load="+load),
				chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector('img'); return i && i.complete && i.naturalWidth > 0 })()`,
					chromedp.WithPollingInterval(50*time.Millisecond)),
			)
			if err != nil {
				t.Fatalf("loading the page: %v", err)
			}
			got := rec.forLoad(load)
			if len(got) != 1 {
				t.Fatalf("the origin saw %d image requests for this load, want 1: %+v", len(got), got)
			}
			s := got[0]
			if s.dpr != c.wantDPR || s.width != c.wantWidth || s.viewport != c.wantVW {
				t.Errorf("hints Sec-CH-DPR %q, Sec-CH-Width %q, Sec-CH-Viewport-Width %q; want %q, %q, %q",
					s.dpr, s.width, s.viewport, c.wantDPR, c.wantWidth, c.wantVW)
			}
			if s.status != http.StatusOK || s.imageWidth != c.wantImageWidth {
				t.Errorf("hintedRequest status %d, %d px wide (%s); want 200, %d px", s.status, s.imageWidth, s.err, c.wantImageWidth)
			}
			t.Logf("hints dpr=%s width=%s viewport=%s → %d px, %d bytes; Cache-Status: %s", s.dpr, s.width, s.viewport, s.imageWidth, s.bytes, s.cacheStatus)
		})
	}
}
