package origin

import (
	"crypto/rand"
	"strconv"
	"strings"
	"sync/atomic"

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
		id = newRequestID()
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

// Generated ids are a random prefix drawn once per process and a counter:
// unique across replicas and restarts without reading the system's random
// source on every request (a tenth of an L1 hit's middleware time).
var (
	requestIDPrefix = rand.Text()[:12]
	requestIDSeq    atomic.Uint64
)

// newRequestID is the next generated id: 12 random characters, then the
// sequence number in base 36, 20 characters or more.
func newRequestID() string {
	n := strconv.FormatUint(requestIDSeq.Add(1), 36)
	if len(n) < 8 {
		n = strings.Repeat("0", 8-len(n)) + n
	}
	return requestIDPrefix + n
}
