package variant

import (
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// levelCache keeps the most recently used pyramid levels within a byte
// budget; the gauge reports the bytes held.
type levelCache struct {
	mu     sync.Mutex
	lru    *lru.Cache[string, []byte]
	bytes  int64
	budget int64
	gauge  prometheus.Gauge
}

func newLevelCache(budget int64, gauge prometheus.Gauge) *levelCache {
	c := &levelCache{budget: budget, gauge: gauge}
	// The count bound only keeps the list finite; the byte budget evicts.
	c.lru, _ = lru.NewWithEvict(1<<20, func(_ string, v []byte) {
		c.bytes -= int64(len(v))
	})
	return c
}

func (c *levelCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Get(key)
}

// add keeps data unless it alone is over the budget, evicting the least
// recently used levels until the rest fits.
func (c *levelCache) add(key string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if int64(len(data)) > c.budget {
		return
	}
	c.lru.Remove(key)
	c.lru.Add(key, data)
	c.bytes += int64(len(data))
	for c.bytes > c.budget {
		c.lru.RemoveOldest()
	}
	c.gauge.Set(float64(c.bytes))
}

func (c *levelCache) dropPrefix(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.lru.Keys() {
		if strings.HasPrefix(k, prefix) {
			c.lru.Remove(k)
		}
	}
	c.gauge.Set(float64(c.bytes))
}

func (c *levelCache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
