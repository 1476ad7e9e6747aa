package cluster

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// The peer protocol (version 1), served on the peer listener only:
//
//	POST /peer/v1/variant/{key}   body: the plan (JSON, from the asker's
//	                              cache.WithPeerRequest); answer: the
//	                              entry's bytes, its metadata in
//	                              Edgeshelf-Peer-Entry and its key in
//	                              Edgeshelf-Peer-Key, which the asker checks
//	GET  /peer/v1/healthz         200 when this replica answers peers
//	GET  /peer/v1/members?key=K   this replica's view: members, suspects
//	                              and, with key, its owner
//
// Every route needs Authorization: Bearer {the shared secret}.
const (
	variantPrefix = "/peer/v1/variant/"
	healthPath    = "/peer/v1/healthz"
	membersPath   = "/peer/v1/members"

	headerKey   = "Edgeshelf-Peer-Key"
	headerEntry = "Edgeshelf-Peer-Entry"

	maxKeyBytes  = 512
	maxPlanBytes = 64 << 10
	// maxEntryBytes bounds an answer's body: larger than any variant the
	// output limits allow.
	maxEntryBytes = 256 << 20
)

var errBadRequest = errors.New("peer: bad request")

// parseVariantRequest checks a fill request's key (from the path, escapes
// already decoded) and reads its plan: a JSON object of bounded size.
func parseVariantRequest(key string, body io.Reader) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	plan, err := io.ReadAll(io.LimitReader(body, maxPlanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the plan: %w", errBadRequest, err)
	}
	if len(plan) > maxPlanBytes {
		return nil, fmt.Errorf("%w: plan over %d bytes", errBadRequest, maxPlanBytes)
	}
	plan = bytes.TrimSpace(plan)
	if len(plan) == 0 || plan[0] != '{' || !json.Valid(plan) {
		return nil, fmt.Errorf("%w: the plan is not a JSON object", errBadRequest)
	}
	return plan, nil
}

// checkKey accepts cache keys as cache.Key makes them: "{sku}/{hash}",
// printable, no dot segments.
func checkKey(key string) error {
	sku, hash, ok := strings.Cut(key, "/")
	switch {
	case len(key) > maxKeyBytes:
		return fmt.Errorf("%w: key over %d bytes", errBadRequest, maxKeyBytes)
	case !ok || sku == "" || hash == "" || strings.Contains(hash, "/"):
		return fmt.Errorf("%w: key %q is not sku/hash", errBadRequest, key)
	case sku == "." || sku == ".." || strings.ContainsFunc(key, notKeyRune):
		return fmt.Errorf("%w: key %q has characters keys never have", errBadRequest, key)
	}
	return nil
}

func notKeyRune(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) || r == '\\' }

// encodeMeta packs an entry's metadata (cache.Entry's JSON form, without
// the bytes) into one header value.
func encodeMeta(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

func decodeMeta(s string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// discardRest reads what is left of a body (a little), so its connection
// can be reused.
func discardRest(r io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }
