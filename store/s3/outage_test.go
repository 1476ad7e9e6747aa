package s3_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// TestOutage stops S3 under a store: every call must fail with
// ErrUnavailable within the timeout, then work again once S3 is back.
func TestOutage(t *testing.T) {
	srv := s3test.Start(t)
	cfg := srv.Config()
	cfg.Timeout = 2 * time.Second
	cfg.MaxAttempts = 3
	st, err := s3.New(t.Context(), srv.Bucket, "outage", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	put, err := st.Put(ctx, "rules/active.yaml", []byte("version: 1\n"), store.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	calls := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := st.Get(ctx, "rules/active.yaml", store.GetOptions{}); return err }},
		{"GetIfNoneMatch", func() error {
			_, err := st.Get(ctx, "rules/active.yaml", store.GetOptions{IfNoneMatch: put.ETag})
			return err
		}},
		{"Stat", func() error { _, err := st.Stat(ctx, "rules/active.yaml"); return err }},
		{"Put", func() error { _, err := st.Put(ctx, "x", []byte("x"), store.PutOptions{}); return err }},
		{"List", func() error { _, err := st.List(ctx, ""); return err }},
		{"Delete", func() error { return st.Delete(ctx, "x") }},
		{"Ping", func() error { return st.Ping(ctx) }},
	}
	for _, c := range calls {
		t.Run("down/"+c.name, func(t *testing.T) {
			start := time.Now()
			err := c.call()
			if elapsed := time.Since(start); elapsed > cfg.Timeout+time.Second {
				t.Errorf("%s took %s with S3 down, timeout %s", c.name, elapsed, cfg.Timeout)
			}
			if !errors.Is(err, store.ErrUnavailable) {
				t.Fatalf("%s with S3 down = %v, want ErrUnavailable", c.name, err)
			}
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNotModified) {
				t.Errorf("%s with S3 down = %v, must not claim an answer", c.name, err)
			}
			// The transport error names the address it failed to reach.
			if addr := strings.TrimPrefix(srv.Endpoint, "http://"); !strings.Contains(err.Error(), addr) {
				t.Errorf("%s error %q does not keep its cause", c.name, err)
			}
		})
	}

	srv.Restart()
	obj, err := st.Get(ctx, "rules/active.yaml", store.GetOptions{})
	if err != nil || string(obj.Data) != "version: 1\n" || obj.ETag != put.ETag {
		t.Fatalf("Get after restart = %v, %v; want the object from before the outage", obj, err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("Ping after restart = %v", err)
	}
}

// TestUnresponsive points a store at a peer that accepts connections and
// never answers (a hung load balancer): the per-request timeout must end the
// call with ErrUnavailable, while a caller's own cancellation stays a
// cancellation.
func TestUnresponsive(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn // open, never answered
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
	})
	cfg := s3.Config{Endpoint: "http://" + l.Addr().String(), PathStyle: true,
		AccessKeyID: "k", SecretAccessKey: "s", Timeout: 300 * time.Millisecond, MaxAttempts: 2}
	st, err := s3.New(t.Context(), "bucket", "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = st.Get(t.Context(), "k", store.GetOptions{})
	if elapsed := time.Since(start); elapsed > cfg.Timeout+time.Second {
		t.Errorf("Get took %s, timeout %s", elapsed, cfg.Timeout)
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get from a silent peer = %v, want ErrUnavailable", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = st.Get(ctx, "k", store.GetOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get past the caller's deadline = %v, want the caller's DeadlineExceeded only", err)
	}
}

// startProxy puts an HTTP proxy in front of srv and returns its endpoint.
// intercept may answer a request itself (returning true); modify may alter
// versitygw's responses. Both may be nil.
func startProxy(t *testing.T, srv *s3test.Server, intercept func(http.ResponseWriter, *http.Request) bool, modify func(*http.Response)) string {
	t.Helper()
	target, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	if modify != nil {
		proxy.ModifyResponse = func(r *http.Response) error { modify(r); return nil }
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if intercept != nil && intercept(w, r) {
			return
		}
		proxy.ServeHTTP(w, r)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(l) }()
	t.Cleanup(func() { _ = hs.Close() })
	return "http://" + l.Addr().String()
}

// TestServerErrors has a proxy answer 503 SlowDown or 500 for a while, as S3
// and load balancers do under load.
func TestServerErrors(t *testing.T) {
	srv := s3test.Start(t)
	var failWith atomic.Int64
	endpoint := startProxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		code := int(failWith.Load())
		if code == 0 {
			return false
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected</Message></Error>`,
			map[int]string{503: "SlowDown", 500: "InternalError"}[code])
		return true
	}, nil)

	cfg := srv.Config()
	cfg.Endpoint = endpoint
	cfg.MaxAttempts = 1 // the SDK backs off a second before retrying a throttle
	st, err := s3.New(t.Context(), srv.Bucket, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(t.Context(), "k", []byte("v"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, code := range []int{503, 500} {
		failWith.Store(int64(code))
		_, err := st.Get(t.Context(), "k", store.GetOptions{})
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("Get answered %d = %v, want ErrUnavailable", code, err)
		}
		if err := st.Delete(t.Context(), "k"); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("Delete answered %d = %v, want ErrUnavailable", code, err)
		}
	}
	failWith.Store(0)
	if _, err := st.Get(t.Context(), "k", store.GetOptions{}); err != nil {
		t.Errorf("Get after the errors stopped = %v", err)
	}
}

// TestETagCheck has a proxy replace the ETag of object reads: once with an
// older version's (the torn read versitygw's posix backend produces under
// concurrent overwrites), on every read with changing ones, and on every
// read with the same value (a service whose ETags are not MD5s).
func TestETagCheck(t *testing.T) {
	srv := s3test.Start(t)
	var (
		reads   atomic.Int64
		replace atomic.Pointer[func(n int64) string] // ETag for the n-th read, "" to keep it
	)
	endpoint := startProxy(t, srv, nil, func(r *http.Response) {
		if r.Request.Method != http.MethodGet || r.StatusCode != http.StatusOK || !strings.HasSuffix(r.Request.URL.Path, "/obj") {
			return
		}
		n := reads.Add(1)
		if f := replace.Load(); f != nil {
			if e := (*f)(n); e != "" {
				r.Header.Set("ETag", e)
			}
		}
	})
	cfg := srv.Config()
	cfg.Endpoint = endpoint
	newStore := func() *s3.Store {
		st, err := s3.New(t.Context(), srv.Bucket, "", cfg)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := newStore()
	v1, err := st.Put(t.Context(), "obj", []byte("version 1"), store.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := st.Put(t.Context(), "obj", []byte("version 2"), store.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const foreign = `"0123456789abcdef0123456789abcdef"`

	tests := []struct {
		name      string
		etagFor   func(n int64) string
		wantReads int64
		wantETag  string // "" when Get must fail with ErrUnavailable
	}{
		{"torn once", func(n int64) string { return map[int64]string{1: v1.ETag}[n] }, 2, v2.ETag},
		{"torn on every read", func(n int64) string { return []string{v1.ETag, foreign}[n%2] }, 3, ""},
		{"ETags not MD5s", func(int64) string { return foreign }, 3, foreign},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reads.Store(0)
			replace.Store(&tc.etagFor)
			defer replace.Store(nil)
			obj, err := st.Get(t.Context(), "obj", store.GetOptions{})
			if got := reads.Load(); got != tc.wantReads {
				t.Errorf("Get made %d reads, want %d", got, tc.wantReads)
			}
			if tc.wantETag == "" {
				if !errors.Is(err, store.ErrUnavailable) {
					t.Errorf("Get = %v, %v; want ErrUnavailable", obj, err)
				}
				return
			}
			if err != nil || string(obj.Data) != "version 2" || obj.ETag != tc.wantETag {
				t.Fatalf("Get = %v, %v; want version 2 with ETag %s", obj, err, tc.wantETag)
			}
		})
	}
	t.Run("check off after ETags not MD5s", func(t *testing.T) {
		reads.Store(0)
		f := func(int64) string { return foreign }
		replace.Store(&f)
		defer replace.Store(nil)
		if _, err := st.Get(t.Context(), "obj", store.GetOptions{}); err != nil || reads.Load() != 1 {
			t.Errorf("Get = %v with %d reads, want one read", err, reads.Load())
		}
	})
}
