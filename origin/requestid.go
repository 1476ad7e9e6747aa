package origin

import (
	"crypto/rand"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// headerRequestID carries a request's id both ways: a CDN's or load
// balancer's id is kept, so one id follows the request through every log.
const headerRequestID = "X-Request-Id"

type requestIDKey struct{}

// requestID echoes a well-formed X-Request-Id or makes one, sets it on the
// response and keeps it for the error handler and the logs, so support can
// find the log line behind a problem body.
func requestID(c *fiber.Ctx) error {
	id := c.Get(headerRequestID)
	if !wellFormedID(id) {
		id = rand.Text()[:20]
	} else {
		id = strings.Clone(id) // fiber reuses the header's buffer
	}
	c.Locals(requestIDKey{}, id)
	c.Set(headerRequestID, id)
	return c.Next()
}

// wellFormedID accepts 8 to 64 letters, digits, '-', '_' and '.': enough
// for UUIDs and CDN ray ids, nothing that could forge a log line.
func wellFormedID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.'
		if !ok {
			return false
		}
	}
	return true
}

// requestIDOf is the id requestID gave the request.
func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey{}).(string)
	return id
}
