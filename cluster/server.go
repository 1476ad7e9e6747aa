package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Filler fills a key for a peer from the plan it sent: through this
// replica's own cache (L1, L2, one coalesced render), never forwarding it
// again. An error that is a *problem.Error sets the answer's status.
type Filler func(ctx context.Context, key string, plan []byte) (*cache.Entry, error)

// Handler serves the peer protocol (wire.go) with fill. Mount it on the
// peer listener only: it is authenticated by the shared secret, not by
// the public listener's rules.
func (c *Cluster) Handler(fill Filler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+variantPrefix+"{key...}", func(w http.ResponseWriter, r *http.Request) {
		c.serveVariant(w, r, fill)
	})
	mux.HandleFunc("GET "+healthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET "+membersPath, c.serveMembers)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeProblem(w, problem.New(http.StatusNotFound, "not_found", "no such peer route"))
	})
	return c.authenticate(mux)
}

// authenticate refuses requests without the shared secret. Both sides are
// hashed first, so the comparison takes the same time whatever the length.
func (c *Cluster) authenticate(next http.Handler) http.Handler {
	want := sha256.Sum256(c.secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="edgeshelf-peer"`)
			writeProblem(w, problem.New(http.StatusUnauthorized, "unauthorized", "the peer port needs the shared peer secret"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (c *Cluster) serveVariant(w http.ResponseWriter, r *http.Request, fill Filler) {
	key := r.PathValue("key")
	plan, err := parseVariantRequest(key, r.Body)
	if err != nil {
		writeProblem(w, problem.Wrap(err, http.StatusBadRequest, "invalid_path", "%s", err.Error()))
		return
	}
	e, err := fill(cache.LocalOnly(r.Context()), key, plan)
	if err != nil {
		p, ok := problem.As(err)
		if !ok {
			p = problem.Wrap(err, http.StatusBadGateway, "internal", "the owner could not fill the key")
		}
		writeProblem(w, p)
		return
	}
	meta, err := encodeMeta(e)
	if err != nil {
		writeProblem(w, problem.Wrap(err, http.StatusInternalServerError, "internal", "encoding the entry"))
		return
	}
	h := w.Header()
	h.Set(headerKey, key)
	h.Set(headerEntry, meta)
	h.Set("Content-Type", e.ContentType)
	h.Set("Content-Length", contentLength(len(e.Data)))
	_, _ = w.Write(e.Data)
}

// membersView is GET /peer/v1/members: what this replica believes.
type membersView struct {
	Self     string   `json:"self"`
	Members  []string `json:"members"`
	Suspects []string `json:"suspects"`
	Owner    string   `json:"owner,omitempty"` // of ?key=
	At       string   `json:"at"`
}

func (c *Cluster) serveMembers(w http.ResponseWriter, r *http.Request) {
	v := membersView{Self: c.self, Members: c.members.current(), Suspects: []string{}, At: time.Now().UTC().Format(time.RFC3339Nano)}
	for _, m := range v.Members {
		if m != c.self && c.suspects.is(m) {
			v.Suspects = append(v.Suspects, m)
		}
	}
	if key := r.URL.Query().Get("key"); key != "" {
		v.Owner = c.OwnerOf(key)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, p *problem.Error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
