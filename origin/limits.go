package origin

import (
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// clientLimiter caps the requests one client may have in flight, so a
// single client (or a misbehaving edge) cannot occupy every render slot and
// connection. Clients are keyed by IP: the TCP peer, or a header a trusted
// CDN sets (CF-Connecting-IP, Fastly-Client-IP…) when one is configured.
type clientLimiter struct {
	max    int
	header string
	mu     sync.Mutex
	open   map[string]int
}

func newClientLimiter(max int, header string) *clientLimiter {
	return &clientLimiter{max: max, header: header, open: map[string]int{}}
}

func (l *clientLimiter) key(c *fiber.Ctx) string {
	if l.header != "" {
		if v := strings.TrimSpace(c.Get(l.header)); v != "" {
			// Only the first address: headers like X-Forwarded-For are lists.
			v, _, _ = strings.Cut(v, ",")
			if ip := net.ParseIP(strings.TrimSpace(v)); ip != nil {
				return ip.String()
			}
		}
	}
	return c.Context().RemoteIP().String()
}

// middleware refuses a request over the cap with 429 and Retry-After.
func (l *clientLimiter) middleware(c *fiber.Ctx) error {
	if l.max <= 0 {
		return c.Next()
	}
	k := l.key(c)
	l.mu.Lock()
	if l.open[k] >= l.max {
		l.mu.Unlock()
		p := problem.New(http.StatusTooManyRequests, "too_many_requests", "this client has %d requests in flight, the limit", l.max)
		p.RetryAfter = 1
		return p
	}
	l.open[k]++
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		if l.open[k]--; l.open[k] <= 0 {
			delete(l.open, k)
		}
		l.mu.Unlock()
	}()
	return c.Next()
}

// adminOnly serves /admin only on the admin listener when one is
// configured, so the admin API can stay off the public address.
func (s *Server) adminOnly(c *fiber.Ctx) error {
	if s.cfg.AdminListen == "" {
		return c.Next()
	}
	if addr, _ := s.adminAddr.Load().(string); c.Context().LocalAddr().String() != addr {
		return problem.New(http.StatusNotFound, "not_found", "no such route")
	}
	return c.Next()
}
