package origin_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

// TestMetricsLabelsSurviveConnectionReuse sends requests of different
// methods down one keep-alive connection, so each one's request line
// overwrites the buffer of the one before, then reads /metrics. A label
// value taken from that buffer without a copy used to change under the
// registry: /metrics then failed with 500 ("collected before with the same
// name and label values") for the rest of the process's life.
func TestMetricsLabelsSurviveConnectionReuse(t *testing.T) {
	h := origintest.Start(t, origintest.Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	rd := bufio.NewReader(conn)
	send := func(method, path string) int {
		t.Helper()
		if _, err := fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", method, path); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(rd, &http.Request{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		send(http.MethodGet, "/healthz")
		send(http.MethodDelete, "/healthz") // 405: counted under its own method
		send(http.MethodHead, "/healthz")
		send(http.MethodOptions, "/healthz")
	}

	resp, body := h.Get(t, "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics after reused connections: %d\n%.600s", resp.StatusCode, body)
	}
	want := `edgeshelf_http_requests_total{method="GET",route="/healthz",status="200"} 3`
	if !strings.Contains(string(body), want) {
		t.Errorf("/metrics lacks %s:\n%s", want, grepLines(string(body), "edgeshelf_http_requests_total{"))
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
