package s3_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/faultproxy"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// TestLinkFaults puts a fault proxy between the store and versitygw: a
// connection reset at once or part-way through a response is an outage
// (ErrUnavailable, which the origin answers with 503), never a
// configuration error, and the same store works again once the link does.
// A listing cut mid-body used to come back as a plain error (the SDK had
// seen status 200), which the origin turned into a 500.
func TestLinkFaults(t *testing.T) {
	srv := s3test.Start(t)
	direct := srv.Store(t, "faults")
	big := bytes.Repeat([]byte("0123456789abcdef"), 4<<10) // 64 KiB
	for i := range 20 {
		if _, err := direct.Put(t.Context(), fmt.Sprintf("inventory/hub-%02d.json", i), big, store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	proxy, err := faultproxy.Start(strings.TrimPrefix(srv.Endpoint, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	cfg := srv.Config()
	cfg.Endpoint = "http://" + proxy.Addr()
	st, err := s3.New(t.Context(), srv.Bucket, "faults", cfg)
	if err != nil {
		t.Fatal(err)
	}

	ops := map[string]func() error{
		"get":  func() error { _, err := st.Get(t.Context(), "inventory/hub-00.json", store.GetOptions{}); return err },
		"list": func() error { _, err := st.List(t.Context(), "inventory/"); return err },
		"stat": func() error { _, err := st.Stat(t.Context(), "inventory/hub-00.json"); return err },
		"put":  func() error { _, err := st.Put(t.Context(), "k", big, store.PutOptions{}); return err },
	}
	for _, tc := range []struct {
		fault faultproxy.Fault
		fail  []string
	}{
		// Past the status line and headers, inside the body: only
		// answers with a body of some size are cut.
		{faultproxy.ResetAfter(1000), []string{"get", "list"}},
		{faultproxy.Reset(), []string{"get", "list", "stat", "put"}},
	} {
		if err := proxy.Set(tc.fault); err != nil {
			t.Fatal(err)
		}
		for _, op := range tc.fail {
			err := ops[op]()
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s under %s = %v, want ErrUnavailable", op, tc.fault, err)
			}
		}
	}
	if s := proxy.Stats(); s.Reset == 0 {
		t.Fatalf("proxy stats %+v: no fault fired", s)
	}

	if err := proxy.Set(faultproxy.Pass()); err != nil {
		t.Fatal(err)
	}
	for op, call := range ops {
		if err := call(); err != nil {
			t.Errorf("%s once the link is back = %v", op, err)
		}
	}
}
