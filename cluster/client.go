package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
)

// errOwnKey: the membership moved between Remote and Fetch, and the key is
// now this replica's to fill.
var errOwnKey = errors.New("peer: this replica owns the key now")

// fetchError is a failed fill with its outcome, and whether the owner is
// to be suspected (it did not answer, or answered that it is broken).
type fetchError struct {
	outcome string
	suspect bool
	err     error
}

func (e *fetchError) Error() string { return "peer fill " + e.outcome + ": " + e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

// Fetch asks the owner of key for its entry (cache.Peers). plan is the
// variant's peer plan, sent as JSON. It gives up after
// EDGESHELF_PEER_TIMEOUT; an owner that failed is suspected, and the caller
// fills the key locally.
func (c *Cluster) Fetch(ctx context.Context, key string, plan any) (*cache.Entry, error) {
	owner := c.OwnerOf(key)
	if owner == c.self {
		return nil, errOwnKey
	}
	start := time.Now()
	e, err := c.fetchFrom(ctx, owner, key, plan)
	c.m.latency.Observe(time.Since(start).Seconds())
	if err == nil {
		c.m.fetches.WithLabelValues(outcomeHit).Inc()
		return e, nil
	}
	c.m.fallbacks.Inc()
	var fe *fetchError
	if !errors.As(err, &fe) {
		fe = &fetchError{outcome: outcomeInvalid, err: err}
	}
	c.m.fetches.WithLabelValues(fe.outcome).Inc()
	if fe.suspect {
		if !c.suspects.is(owner) {
			c.log.Warn("peers: owner failed a fill; suspected, its keys fill elsewhere", "peer", owner, "key", key, "err", err)
		}
		c.suspects.mark(owner)
	}
	return nil, err
}

func (c *Cluster) fetchFrom(ctx context.Context, owner, key string, plan any) (*cache.Entry, error) {
	body, err := json.Marshal(plan)
	if err != nil {
		return nil, &fetchError{outcome: outcomeInvalid, err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PeerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+owner+variantPrefix+escapeKey(key), bytes.NewReader(body))
	if err != nil {
		return nil, &fetchError{outcome: outcomeInvalid, err: err}
	}
	req.Header.Set("Authorization", "Bearer "+string(c.secret))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		outcome := outcomeUnreachable
		if ctx.Err() != nil {
			outcome = outcomeTimeout
		}
		return nil, &fetchError{outcome: outcome, suspect: true, err: err}
	}
	defer resp.Body.Close()
	defer discardRest(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	e, err := readEntry(resp, key)
	if err != nil && ctx.Err() != nil {
		return nil, &fetchError{outcome: outcomeTimeout, suspect: true, err: err}
	}
	return e, err
}

// statusError classifies an owner's refusal: 4xx says the request was
// wrong for it (another catalog version, a bad source): fill locally, the
// owner is fine. 5xx other than 502 says the owner is in trouble.
func statusError(resp *http.Response) error {
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	err := fmt.Errorf("owner answered %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	if resp.StatusCode < 500 {
		return &fetchError{outcome: outcomeRefused, err: err}
	}
	return &fetchError{outcome: outcomeFailed, suspect: resp.StatusCode != http.StatusBadGateway, err: err}
}

// readEntry reads and verifies an owner's answer: the key it names must be
// the key asked for and the body as long as announced.
func readEntry(resp *http.Response, key string) (*cache.Entry, error) {
	if got := resp.Header.Get(headerKey); got != key {
		return nil, &fetchError{outcome: outcomeInvalid, suspect: true, err: fmt.Errorf("answered key %q, asked %q", got, key)}
	}
	var e cache.Entry
	if err := decodeMeta(resp.Header.Get(headerEntry), &e); err != nil {
		return nil, &fetchError{outcome: outcomeInvalid, suspect: true, err: fmt.Errorf("entry metadata: %w", err)}
	}
	if resp.ContentLength < 0 || resp.ContentLength > maxEntryBytes {
		return nil, &fetchError{outcome: outcomeInvalid, suspect: true, err: fmt.Errorf("body length %d", resp.ContentLength)}
	}
	e.Data = make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, e.Data); err != nil {
		return nil, &fetchError{outcome: outcomeInvalid, suspect: true, err: fmt.Errorf("body: %w", err)}
	}
	return &e, nil
}

// escapeKey escapes each segment of a key for the path, keeping its "/".
func escapeKey(key string) string {
	sku, hash, _ := strings.Cut(key, "/")
	return url.PathEscape(sku) + "/" + url.PathEscape(hash)
}

// contentLength is a body length for the Content-Length header.
func contentLength(n int) string { return strconv.Itoa(n) }
