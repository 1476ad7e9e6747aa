// Package httpx holds the HTTP pieces that origin's core and its product
// packages (images, fulfilment, admin) share without importing each other:
// the mapping of every error to the problem a client sees, strict JSON
// request bodies and the checks on names taken from URLs. It writes no
// response itself: origin's one error handler does.
package httpx
