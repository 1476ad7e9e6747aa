package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/origin/origintest"
	"github.com/edgeshelf/edgeshelf/store"
)

// blackHoleInventory answers every call on inventory/ only when the caller
// gives up, once Hang is set: a black-holed S3 endpoint as an admin write
// sees it.
type blackHoleInventory struct {
	store.Blob
	Hang atomic.Bool
}

func (b *blackHoleInventory) hang(ctx context.Context, key string) error {
	if !b.Hang.Load() || !strings.HasPrefix(key, "inventory/") {
		return nil
	}
	<-ctx.Done()
	return fmt.Errorf("%w: %w", store.ErrUnavailable, ctx.Err())
}

func (b *blackHoleInventory) Get(ctx context.Context, key string, opts store.GetOptions) (*store.Object, error) {
	if err := b.hang(ctx, key); err != nil {
		return nil, err
	}
	return b.Blob.Get(ctx, key, opts)
}

func (b *blackHoleInventory) Put(ctx context.Context, key string, data []byte, opts store.PutOptions) (store.Info, error) {
	if err := b.hang(ctx, key); err != nil {
		return store.Info{}, err
	}
	return b.Blob.Put(ctx, key, data, opts)
}

// TestAdminWritesKeepTheRequestDeadline: with the store black-holed, PATCHes
// of one hub's inventory queue on its lock, each reading then writing the
// store; every one is still answered 503 within the request timeout (plus
// slack), not after each store call's own timeout in turn (the soak saw
// 20 s against a 10 s deadline).
func TestAdminWritesKeepTheRequestDeadline(t *testing.T) {
	const timeout = 400 * time.Millisecond
	blob := &blackHoleInventory{Blob: origintest.DemoStore(t)}
	tokens := origintest.WriteTokenFile(t, origintest.AdminToken)
	h := origintest.Start(t, origintest.Options{Store: blob, RoutingClock: origintest.FixedClock(origintest.RouteNow),
		Configure: func(c *config.Config) {
			c.Origin.AdminTokenFile = tokens
			c.Origin.RequestTimeout = timeout
		}})
	blob.Hang.Store(true)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			start := time.Now()
			resp, body := h.AdminRequest(t, http.MethodPatch, "/admin/inventory/eu-waw", "application/json",
				fmt.Sprintf(`{"seq": %d, "items": {"amber-oud-50ml": 3}}`, 100+i))
			took := time.Since(start)
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("PATCH %d on a black-holed store: %d %s, want 503 with Retry-After", i, resp.StatusCode, body)
			}
			if took > timeout+time.Second {
				t.Errorf("PATCH %d answered after %v, past the %v request timeout", i, took.Round(time.Millisecond), timeout)
			}
		})
	}
	wg.Wait()
}
