package origin

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/origin/admin"
	"github.com/edgeshelf/edgeshelf/origin/fulfilment"
	"github.com/edgeshelf/edgeshelf/origin/images"
	"github.com/edgeshelf/edgeshelf/origin/signing"
	"github.com/edgeshelf/edgeshelf/origin/variant"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/routing/rulestore"
	"github.com/edgeshelf/edgeshelf/stocking/fromstore"
	"github.com/edgeshelf/edgeshelf/store"
)

// Renderer renders one variant from an original; *transform.Renderer is the
// real one, tests wrap it to count renders.
type Renderer interface {
	variant.Renderer
	// Stalled reports whether every render slot has been held by one
	// render for longer than after (readiness: render_stalled).
	Stalled(after time.Duration) bool
}

// Deps are the parts the origin is wired from.
type Deps struct {
	Catalog  *catalog.Source
	Store    store.Blob
	Renderer Renderer
	Cache    *cache.Tiered
	Registry *prometheus.Registry
	Log      *slog.Logger
	// Version is reported by /healthz.
	Version string
	// Router answers /route; Rules keeps it in step with the store and
	// serves /admin/rules. Without them /route answers 503.
	Router *routing.Engine
	Rules  *rulestore.Store
	// Carriers holds the carriers' circuit breakers (GET /admin/carriers);
	// set it as the Router's CarrierHealth too. Optional.
	Carriers *carrierhealth.Monitor
	// Decisions is the decision log /route appends to. Optional.
	Decisions *decisionlog.Writer
	// Expansion holds the expansion report's thresholds; zero means the
	// defaults.
	Expansion expansion.Config
	// Stocking holds the stocking report's settings; zero means the
	// defaults.
	Stocking fromstore.Config
}

// Server is the fiber app with its dependencies.
type Server struct {
	Deps
	cfg      Config
	app      *fiber.App
	log      *slog.Logger
	m        *httpMetrics
	draining atomic.Bool
	// adminAddr is the admin listener's address, when it has one.
	adminAddr atomic.Value
	// adminTokens are SHA-256 digests of the accepted bearer tokens.
	adminTokens [][32]byte
	signer      *signing.Signer
	variants    *variant.Service
	admin       *admin.Handler
	// storeHealth is the store the handlers use, watched (degraded.go);
	// renders is the renderer, watched for wedged workers.
	storeHealth *storeHealth
	renders     *renderWatch
	probeOnce   sync.Once
	probeStop   context.CancelFunc
	probeDone   chan struct{}
}

// New builds the app and its routes.
func New(cfg Config, d Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	s := &Server{Deps: d, cfg: cfg, log: d.Log}
	if err := s.loadKeys(); err != nil {
		return nil, err
	}
	s.storeHealth = newStoreHealth(d.Store, d.Registry, d.Log)
	s.renders = newRenderWatch(d.Renderer)
	var err error
	s.variants, err = variant.New(variant.Config{RequestTimeout: cfg.RequestTimeout, DeltaEThreshold: cfg.DeltaEThreshold},
		variant.Deps{Catalog: d.Catalog, Store: s.storeHealth, Renderer: s.renders, Cache: d.Cache, Registry: d.Registry})
	if err != nil {
		return nil, err
	}
	s.m = newHTTPMetrics(d.Registry)
	s.app = fiber.New(fiber.Config{
		AppName:               "edgeshelf",
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ReadBufferSize:        int(cfg.MaxHeaderBytes),
		BodyLimit:             int(cfg.MaxBodyBytes),
		// Unescaped paths let the handlers see (and refuse) %2e%2e and %2f.
		UnescapePath: false,
		// The server header tells attackers nothing useful; leave it off.
		ServerHeader: "",
	})
	s.app.Use(recover.New())
	s.app.Use(requestID)
	s.app.Use(s.observe)
	s.app.Use(newClientLimiter(cfg.ClientMaxInflight, cfg.ClientIPHeader).middleware)
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// check fills the optional dependencies' defaults and refuses a wiring
// that cannot work.
func (d *Deps) check() error {
	if d.Catalog == nil || d.Store == nil || d.Renderer == nil || d.Cache == nil {
		return errors.New("origin: catalog, store, renderer and cache are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.Rules != nil && d.Router == nil {
		d.Router = d.Rules.Engine()
	}
	if d.Rules != nil && d.Router != d.Rules.Engine() {
		return errors.New("origin: Router must be Rules.Engine()")
	}
	return nil
}

// loadKeys reads the signing keys and admin tokens, when configured.
func (s *Server) loadKeys() error {
	if s.cfg.SigningKeyFile != "" {
		signer, err := signing.LoadSigner(s.cfg.SigningKeyFile, s.cfg.SignatureBytes)
		if err != nil {
			return err
		}
		s.signer = signer
	}
	if s.cfg.AdminTokenFile != "" {
		tokens, err := LoadTokens(s.cfg.AdminTokenFile)
		if err != nil {
			return err
		}
		s.adminTokens = tokens
	}
	return nil
}

// routes registers the core's own routes and each product's.
func (s *Server) routes() error {
	cfg := s.cfg
	s.app.Get("/", s.index)
	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)
	s.app.Get("/metrics", s.metricsHandler())
	img, err := images.New(images.Config{MaxAge: cfg.MaxAge, SMaxAge: cfg.SMaxAge, StaleWhileRevalidate: cfg.StaleWhileRevalidate,
		StaleIfError: cfg.StaleIfError, SignPresets: cfg.SignPresets}, s.variants, s.signer)
	if err != nil {
		return err
	}
	img.Register(s.app)
	fulfilment.New(fulfilment.Config{RouteMaxAge: cfg.RouteMaxAge}, fulfilment.Deps{
		Catalog: s.Catalog, Router: s.Router, Decisions: s.Decisions, Signer: s.signer,
	}).Register(s.app)
	s.admin, err = admin.New(admin.Config{DeltaEThreshold: cfg.DeltaEThreshold, SignPresets: cfg.SignPresets}, admin.Deps{
		Variants: s.variants, Catalog: s.Catalog, Store: s.storeHealth, Router: s.Router, Rules: s.Rules,
		Carriers: s.Carriers, Expansion: s.Expansion, Stocking: s.Stocking, Signer: s.signer, Log: s.log, Replica: s.replica,
	})
	if err != nil {
		return err
	}
	// Every /admin route is registered on this group, behind the token check.
	s.admin.Register(s.app, s.app.Group("/admin", s.adminOnly, s.requireAdmin, s.adminDeadline), s.adminOnly)
	return nil
}

// adminDeadline bounds an admin request's store calls by the request
// timeout: with the store black-holed, a write that reads, then writes,
// behind others queued on the same hub's lock would otherwise answer only
// after each call's own timeout, one after the other. Warm-up jobs run on
// contexts of their own and outlive the request that started them.
func (s *Server) adminDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// ServeAdmin serves the app on the admin listener: with ADMIN_LISTEN set,
// /admin answers only there.
func (s *Server) ServeAdmin(ln net.Listener) error {
	s.adminAddr.Store(ln.Addr().String())
	s.startProbe()
	return s.app.Listener(ln)
}

// Signer is the URL signer, nil when signing is off.
func (s *Server) Signer() *signing.Signer { return s.signer }

// Variants is the variant service (the peer listener fills keys for
// other replicas through it).
func (s *Server) Variants() *variant.Service { return s.variants }

// App exposes the fiber app (tests use App().Test).
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.startProbe()
	return s.app.Listener(ln)
}

// Shutdown makes /readyz fail, waits the drain delay so load balancers stop
// sending, then stops accepting and lets in-flight requests finish within
// the shutdown timeout; running warm-ups are cancelled and awaited.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	if s.cfg.DrainDelay > 0 {
		select {
		case <-time.After(s.cfg.DrainDelay):
		case <-ctx.Done():
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.app.ShutdownWithContext(ctx)
	s.stopProbe()
	// Warm-ups run in the background: cancel them and wait, so none
	// renders into a cache the caller is about to close.
	return errors.Join(err, s.admin.Close(ctx))
}
