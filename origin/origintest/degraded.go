package origintest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/store"
)

// sdkMarkers are fragments of the AWS SDK's, Go's net package's and the
// store's error texts: none may reach a public body, whatever failed.
var sdkMarkers = []string{
	"versitygw", "operation error", "api error", "dial tcp", "connection refused",
	"connection reset", "i/o timeout", "RequestID", "StatusCode", "https response error",
	"store: backend unavailable", "deadline exceeded", "127.0.0.1:", ".go:",
}

// InternalMarkers are what a public body must never contain: the SDK and
// network error fragments above, the given store addresses (host:port of
// the S3 server and any proxy in front of it) and local paths (the temp
// dir, the repository, the home directory).
func InternalMarkers(addrs ...string) []string {
	out := append([]string{}, sdkMarkers...)
	for _, a := range addrs {
		if a = strings.TrimPrefix(strings.TrimPrefix(a, "http://"), "https://"); a != "" {
			out = append(out, a)
		}
	}
	out = append(out, os.TempDir(), RepoRoot())
	if home, err := os.UserHomeDir(); err == nil && home != "/" && home != "" {
		out = append(out, home+"/")
	}
	return out
}

// FindInternal returns the first marker body contains (case-insensitive),
// or "" when it is clean.
func FindInternal(body []byte, markers []string) string {
	lower := bytes.ToLower(body)
	for _, m := range markers {
		if bytes.Contains(lower, bytes.ToLower([]byte(m))) {
			return m
		}
	}
	return ""
}

// MetricValue reads an unlabelled sample from a /metrics text body.
func MetricValue(metrics []byte, name string) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(metrics))
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// StoreDegraded reads the store's state from /metrics and GET
// /admin/status (the admin API must be on), and fails unless both agree.
func (h *Harness) StoreDegraded(t testing.TB) (degraded bool, status admin.Status) {
	t.Helper()
	// The probe may flip the state between the two reads: ask again.
	for range 5 {
		resp, body := h.Get(t, "/metrics")
		v, ok := MetricValue(body, "edgeshelf_store_degraded")
		if resp.StatusCode != 200 || !ok {
			t.Fatalf("/metrics: %d, edgeshelf_store_degraded missing", resp.StatusCode)
		}
		resp, body = h.AdminDo(t, "GET", "/admin/status", "")
		if resp.StatusCode != 200 || json.Unmarshal(body, &status) != nil {
			t.Fatalf("/admin/status: %d %s", resp.StatusCode, body)
		}
		if status.Store.Degraded == (v == 1) {
			return v == 1, status
		}
	}
	t.Fatalf("/metrics and /admin/status disagree on the store: %+v", status.Store)
	return false, status
}

// OutageStore is a store that can be switched off: while Down, every call
// fails as an unreachable S3 fails, with an error text full of what no
// public body may show (OutageText).
type OutageStore struct {
	store.Blob
	Down atomic.Bool
}

// OutageText is the cause OutageStore's errors carry: an address, SDK text
// and a local path, as a real outage's would.
const OutageText = `operation error S3: GetObject, https response error StatusCode: 0, RequestID: , ` +
	`Get "http://10.9.8.7:9000/bucket/key": dial tcp 10.9.8.7:9000: connect: connection refused (/var/lib/edgeshelf/s3.cred)`

// OutageMarkers are OutageText's parts that must never reach a public body.
func OutageMarkers() []string {
	return append(InternalMarkers("10.9.8.7:9000"), "/var/lib/edgeshelf")
}

func (o *OutageStore) fail() error {
	if o.Down.Load() {
		return fmt.Errorf("%w: %s", store.ErrUnavailable, OutageText)
	}
	return nil
}

// Get fails while Down.
func (o *OutageStore) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	if err := o.fail(); err != nil {
		return nil, err
	}
	return o.Blob.Get(ctx, key, opts)
}

// Put fails while Down.
func (o *OutageStore) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	if err := o.fail(); err != nil {
		return store.Info{}, err
	}
	return o.Blob.Put(ctx, key, data, opts)
}

// Stat fails while Down.
func (o *OutageStore) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := o.fail(); err != nil {
		return store.Info{}, err
	}
	return o.Blob.Stat(ctx, key)
}

// List fails while Down.
func (o *OutageStore) List(ctx context.Context, prefix string) ([]store.Info, error) {
	if err := o.fail(); err != nil {
		return nil, err
	}
	return o.Blob.List(ctx, prefix)
}

// Delete fails while Down.
func (o *OutageStore) Delete(ctx context.Context, key string) error {
	if err := o.fail(); err != nil {
		return err
	}
	return o.Blob.Delete(ctx, key)
}
