package images_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	_ "image/jpeg" // image.DecodeConfig of JPEG variants
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
	storefs "github.com/edgeshelf/edgeshelf/store/fs"
)

// Issue 10 through HTTP: hostile paths, hostile query values and hostile
// originals all get a typed 4xx problem, and the server keeps serving.

// rawGet sends the request target exactly as given (no client-side
// cleaning or escaping) and returns the response with its body read.
func rawGet(t *testing.T, h *origintest.Harness, target string) (origintest.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(h.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: edgeshelf.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return origintest.Response{StatusCode: resp.StatusCode, Header: resp.Header}, body
}

func checkProblem(t *testing.T, resp origintest.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, body)
	}
	if code != "" && !bytes.Contains(body, []byte(`"code":"`+code+`"`)) {
		t.Fatalf("body %s, want code %s", body, code)
	}
	if bytes.Contains(body, []byte("goroutine")) || bytes.Contains(body, []byte(".go:")) {
		t.Fatalf("problem body leaks internals: %s", body)
	}
}

func stillServes(t *testing.T, h *origintest.Harness, good, after string) {
	t.Helper()
	resp, body := rawGet(t, h, good)
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Fatalf("after %q, %s answers %d: %.200s", after, good, resp.StatusCode, body)
	}
}

// TestHostilePaths: every path segment (sku, view, preset file) refuses
// traversal, encoded separators, NUL, backslashes and overlong names.
func TestHostilePaths(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	const good = "/img/label-mug/front/thumb.jpg"
	stillServes(t, h, good, "start")
	bad := []string{
		"..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "...", "a..b",
		"%2f", "a%2fb", "..%2f..%2fetc", "%2fetc%2fpasswd", "%252e%252e",
		"%00", "a%00b", "x%00.jpg",
		"%5c", "..%5c..%5cwindows", "a%5cb", `\\`, `..\\..`, `a\\b`,
		"%0d%0aX-Evil:1", "%20", "a%20b", "%e2%80%a8", "%c0%ae%c0%ae",
		strings.Repeat("a", 129), strings.Repeat("a", 2000),
	}
	for _, seg := range bad {
		for i, name := range []string{"sku", "view", "file"} {
			parts := []string{"label-mug", "front", "thumb.jpg"}
			parts[i] = seg
			if name == "file" && !strings.Contains(seg, ".jpg") {
				parts[i] = seg + ".jpg"
			}
			target := "/img/" + strings.Join(parts, "/")
			label := name + "=" + seg
			if len(label) > 60 {
				label = label[:60]
			}
			t.Run(label, func(t *testing.T) {
				resp, body := rawGet(t, h, target)
				checkProblem(t, resp, body, http.StatusBadRequest, "invalid_path")
				stillServes(t, h, good, target)
			})
		}
	}
	// Literal "..", "/" and "\" in the request target reach the handler
	// uncleaned: in one of the three segments they are invalid_path; when
	// they change the number of segments no route matches (404 not_found).
	// Either way nothing outside the catalog is served, and no 5xx.
	for _, c := range []struct {
		target string
		status int
		code   string
	}{
		{"/img/../front/thumb.jpg", 400, "invalid_path"},
		{"/img/label-mug/../thumb.jpg", 400, "invalid_path"},
		{"/img/label-mug/front/..", 400, "invalid_path"},
		{"/img/..\\..\\etc/front/thumb.jpg", 400, "invalid_path"},
		{"/img/label-mug\\..\\x/front/thumb.jpg", 400, "invalid_path"},
		{"/img/label-mug/front/thumb.jpg%00.png", 400, "invalid_path"},
		{"/img/label-mug/front/../../../etc/passwd", 404, "not_found"},
		{"/img/label-mug/front/thumb.jpg/..", 404, "not_found"},
		{"/img//front/thumb.jpg", 404, "not_found"},
	} {
		t.Run("raw "+c.target, func(t *testing.T) {
			resp, body := rawGet(t, h, c.target)
			checkProblem(t, resp, body, c.status, c.code)
			if bytes.Contains(body, []byte("root:")) {
				t.Fatalf("served a file outside the store: %s", body)
			}
			stillServes(t, h, good, c.target)
		})
	}
}

// TestHostileQueryHeaders: CR/LF and Unicode line breaks in locale and hub
// are refused, and never become a response header.
func TestHostileQueryHeaders(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	const good = "/img/label-mug/front/thumb.jpg"
	for _, param := range []struct{ name, code string }{{"locale", "invalid_locale"}, {"hub", "invalid_hub"}} {
		for _, v := range []string{
			"de%0d%0aX-Evil:%201", "de%0aX-Evil:1", "de%0dX-Evil:1", "%0d%0a%0d%0a<html>",
			"de%e2%80%a8X-Evil:1", "de%e2%80%a9X-Evil:1", "de%c2%85X-Evil:1", "de%00X-Evil:1",
			"de%0d%0aSet-Cookie:%20x=1", "de-DE%0d%0aLocation:%20http://evil",
		} {
			target := good + "?" + param.name + "=" + v
			t.Run(param.name+"="+v, func(t *testing.T) {
				resp, body := rawGet(t, h, target)
				checkProblem(t, resp, body, http.StatusBadRequest, param.code)
				for _, hdr := range []string{"X-Evil", "Set-Cookie", "Location"} {
					if got := resp.Header.Get(hdr); got != "" {
						t.Fatalf("injected header %s: %q", hdr, got)
					}
				}
				for name, vals := range resp.Header {
					for _, val := range vals {
						if strings.ContainsAny(val, "\r\n") || strings.Contains(val, "\u2028") || strings.Contains(val, "Evil") {
							t.Fatalf("header %s carries %q", name, val)
						}
					}
				}
				stillServes(t, h, good, target)
			})
		}
	}
}

// hostileOriginals are a few corpus files, built with the standard library
// (origin does not import govips).
func hostileOriginals(t *testing.T) map[string][]byte {
	good, err := os.ReadFile(filepath.Join(origintest.DemoDir(), "originals", "label-mug", "front.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// A PNG bomb: 8×8 pixels, an IHDR claiming 30000×30000, CRC fixed.
	var pb bytes.Buffer
	if err := png.Encode(&pb, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	bomb := pb.Bytes()
	binary.BigEndian.PutUint32(bomb[16:20], 30000)
	binary.BigEndian.PutUint32(bomb[20:24], 30000)
	binary.BigEndian.PutUint32(bomb[29:33], crc32.ChecksumIEEE(bomb[12:29]))
	// A 1×65535 strip.
	strip := image.NewGray(image.Rect(0, 0, 1, 65535))
	for i := range strip.Pix {
		strip.Pix[i] = byte(i)
	}
	var sb bytes.Buffer
	if err := png.Encode(&sb, strip); err != nil {
		t.Fatal(err)
	}
	// An animated GIF of 3,000 tiny frames.
	anim := &gif.GIF{}
	for i := range 3000 {
		f := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
		f.Pix[i%16] = 1
		anim.Image = append(anim.Image, f)
		anim.Delay = append(anim.Delay, 1)
	}
	var gb bytes.Buffer
	if err := gif.EncodeAll(&gb, anim); err != nil {
		t.Fatal(err)
	}
	// A JPEG with a ZIP tail.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("x.html")
	_, _ = w.Write([]byte("<script>alert(1)</script>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"originals/good/front.jpg":        good,
		"originals/bomb/front.png":        bomb,
		"originals/strip/front.png":       sb.Bytes(),
		"originals/frames/front.gif":      gb.Bytes(),
		"originals/zipjpeg/front.jpg":     append(append([]byte(nil), good...), zb.Bytes()...),
		"originals/pngtext/front.png":     append(append([]byte(nil), pb.Bytes()[:33]...), "plain text, not a PNG\n"...),
		"originals/svgpng/front.png":      []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="http://127.0.0.1:1/x.png"/></svg>`),
		"originals/cut/front.jpg":         good[:len(good)/3],
		"originals/flipped/front.jpg":     flipped(good, 2, 3),
		"originals/zero/front.webp":       {},
		"originals/gifmagic/front.gif":    []byte("GIF89a<html><script>alert(1)</script></html>"),
		"originals/hugejpeg/front.jpg":    hugeJPEGHeader(t, good),
		"originals/truncpng/front.png":    sb.Bytes()[:len(sb.Bytes())/2],
		"originals/pdf/front.tif":         []byte("%PDF-1.4\n%%EOF\n"),
		"originals/truncgif/front.gif":    gb.Bytes()[:len(gb.Bytes())/2],
		"originals/truncgifhdr/front.gif": gb.Bytes()[:20],
	}
}

func flipped(b []byte, at ...int) []byte {
	c := append([]byte(nil), b...)
	for _, i := range at {
		c[i] ^= 0xFF
	}
	return c
}

// hugeJPEGHeader patches the frame header of a real JPEG to 60000×60000.
func hugeJPEGHeader(t *testing.T, src []byte) []byte {
	b := append([]byte(nil), src...)
	for i := 2; i+9 < len(b); {
		marker, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:i+4]))
		if marker >= 0xC0 && marker <= 0xC2 {
			binary.BigEndian.PutUint16(b[i+5:i+7], 60000)
			binary.BigEndian.PutUint16(b[i+7:i+9], 60000)
			return b
		}
		i += 2 + n
	}
	t.Fatal("no SOF marker")
	return nil
}

func hostileStore(t *testing.T) *storefs.Store {
	t.Helper()
	return storeOf(t, hostileOriginals(t), "  - {name: card, width: 480}\n  - {name: square, width: 200, height: 200, fit: cover}\n")
}

// TestHostileOriginals serves corpus files as originals: each gets its 4xx
// (or a bounded image), fast, and the server keeps serving a good variant.
func TestHostileOriginals(t *testing.T) {
	h := origintest.Start(t, origintest.Options{Store: hostileStore(t)})
	const good = "/img/good/front/card.jpg"
	cases := []struct {
		sku    string
		status int
		code   string
	}{
		{"bomb", 422, "image_too_large"},
		{"hugejpeg", 422, "image_too_large"},
		{"strip", 200, ""},
		{"frames", 200, ""},
		{"zipjpeg", 200, ""},
		{"pngtext", 422, "corrupt_source"},
		{"svgpng", 422, "unsupported_source"},
		{"cut", 422, "corrupt_source"},
		{"flipped", 422, "unsupported_source"},
		{"zero", 422, "empty_source"},
		{"gifmagic", 422, "corrupt_source"},
		{"truncpng", 422, "corrupt_source"},
		{"pdf", 422, "unsupported_source"},
		{"truncgif", 0, ""}, // a lenient GIF decoder may render what it has: 200 or 422
		{"truncgifhdr", 422, "corrupt_source"},
	}
	for _, c := range cases {
		for _, file := range []string{"card.jpg", "card.png", "square.webp", "card.avif"} {
			target := "/img/" + c.sku + "/front/" + file
			t.Run(c.sku+"/"+file, func(t *testing.T) {
				start := time.Now()
				resp, body := rawGet(t, h, target)
				if took := time.Since(start); took > 10*time.Second {
					t.Errorf("took %v, want < 10 s", took)
				}
				switch {
				case c.status == 200 || (c.status == 0 && resp.StatusCode == 200):
					if resp.StatusCode != 200 {
						t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
					}
					if resp.Header.Get("Content-Length") == "0" || len(body) == 0 {
						t.Fatal("empty variant")
					}
					// JPEG and PNG variants stay within the output limits
					// (a 1×65535 strip is 1×4096, not 1×65535).
					if cfg, _, err := image.DecodeConfig(bytes.NewReader(body)); err == nil {
						if cfg.Width > 4096 || cfg.Height > 4096 {
							t.Fatalf("variant is %dx%d, over the 4096 output limit", cfg.Width, cfg.Height)
						}
					} else if !strings.HasSuffix(file, ".webp") && !strings.HasSuffix(file, ".avif") {
						t.Fatalf("variant does not decode: %v", err)
					}
				case c.status == 0:
					checkProblem(t, resp, body, 422, "")
				default:
					checkProblem(t, resp, body, c.status, c.code)
					if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
						t.Errorf("422 Cache-Control %q, want no-store", cc)
					}
				}
				stillServes(t, h, good, target)
			})
		}
	}
}
