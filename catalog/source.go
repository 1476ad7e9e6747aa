package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

// Config configures how the catalog is kept current.
type Config struct {
	// Poll is how often the store is checked for a changed catalog.yaml or
	// originals listing; 0 disables polling.
	Poll time.Duration `env:"CATALOG_POLL" envDefault:"2s" help:"how often catalog.yaml and originals/ are re-checked in the store (0 = never)"`
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Poll < 0 {
		return fmt.Errorf("EDGESHELF_CATALOG_POLL: must not be negative, got %s", c.Poll)
	}
	return nil
}

// Source holds the current catalog and swaps in a new one when the store's
// copy changes. A broken new catalog is logged and the last good one keeps
// serving.
type Source struct {
	blob    store.Blob
	cfg     Config
	log     *slog.Logger
	current atomic.Pointer[Catalog]
	// fingerprint of catalog.yaml's ETag plus the originals listing the
	// current catalog was built from.
	fingerprint atomic.Value
	lastErr     atomic.Pointer[error]
}

// NewSource loads the catalog once; it fails when the first load fails,
// because an origin with no catalog can serve nothing.
func NewSource(ctx context.Context, blob store.Blob, cfg Config, log *slog.Logger) (*Source, error) {
	s := &Source{blob: blob, cfg: cfg, log: log}
	if _, err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// NewStatic wraps an already-loaded catalog, for tests and tools.
func NewStatic(c *Catalog) *Source {
	s := &Source{}
	s.current.Store(c)
	s.fingerprint.Store("")
	return s
}

// Current returns the catalog in force. It never returns nil after NewSource.
func (s *Source) Current() *Catalog { return s.current.Load() }

// LastError is the error of the most recent failed reload, or nil when the
// last reload (or check) succeeded.
func (s *Source) LastError() error {
	if p := s.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Reload re-reads the catalog when catalog.yaml or the originals listing has
// changed. It reports whether a new catalog was swapped in.
func (s *Source) Reload(ctx context.Context) (bool, error) {
	fp, err := s.currentFingerprint(ctx)
	if err == nil {
		if prev, _ := s.fingerprint.Load().(string); prev == fp && s.current.Load() != nil {
			s.lastErr.Store(nil)
			return false, nil
		}
		var c *Catalog
		c, _, err = Load(ctx, s.blob)
		if err == nil {
			s.current.Store(c)
			s.fingerprint.Store(fp)
			s.lastErr.Store(nil)
			return true, nil
		}
	}
	s.lastErr.Store(&err)
	return false, err
}

func (s *Source) currentFingerprint(ctx context.Context) (string, error) {
	info, err := s.blob.Stat(ctx, Key)
	if err != nil {
		return "", fmt.Errorf("catalog: %w", err)
	}
	listing, err := s.blob.List(ctx, OriginalsPrefix)
	if err != nil {
		return "", fmt.Errorf("catalog: listing %s: %w", OriginalsPrefix, err)
	}
	h := sha256.New()
	fmt.Fprintln(h, info.ETag)
	for _, o := range listing {
		fmt.Fprintln(h, o.Key, o.ETag)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Run polls the store until ctx ends.
func (s *Source) Run(ctx context.Context) {
	if s.cfg.Poll <= 0 {
		return
	}
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	var logged string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			changed, err := s.Reload(ctx)
			switch {
			case err != nil && !errors.Is(err, context.Canceled):
				// Log a broken catalog once, not on every poll until it is fixed.
				if msg := err.Error(); msg != logged {
					s.log.Error("catalog reload failed; keeping the last good catalog", "err", err)
					logged = msg
				}
			case changed:
				s.log.Info("catalog reloaded")
				logged = ""
			case err == nil:
				logged = ""
			}
		}
	}
}
