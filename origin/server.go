package origin

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Renderer renders one variant from an original; *transform.Renderer is the
// real one, tests wrap it to count renders.
type Renderer interface {
	Render(ctx context.Context, req transform.Request) (*transform.Result, error)
	Config() transform.Config
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
	Rules  *RuleStore
	// Carriers holds the carriers' circuit breakers (GET /admin/carriers);
	// set it as the Router's CarrierHealth too. Optional.
	Carriers *carrierhealth.Monitor
	// Decisions is the decision log /route appends to. Optional.
	Decisions *decisionlog.Writer
	// Expansion holds the expansion report's thresholds; zero means the
	// defaults.
	Expansion expansion.Config
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
	signer      *Signer
	// alpha remembers which sources have an alpha channel, for fmt=auto.
	alpha    *lru.Cache[string, bool]
	colour   *colourReport
	warmJobs warmJobs
	// Cache-Control values, built once: they depend on config only.
	ccPlain, ccVersioned string
	// imageSets are /route's finished (signed) image sets.
	imageSets *lru.Cache[string, imageSetEntry]
}

// New builds the app and its routes.
func New(cfg Config, d Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Catalog == nil || d.Store == nil || d.Renderer == nil || d.Cache == nil {
		return nil, errors.New("origin: catalog, store, renderer and cache are required")
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
		return nil, errors.New("origin: Router must be Rules.Engine()")
	}
	if d.Expansion == (expansion.Config{}) {
		d.Expansion = expansion.DefaultConfig()
	}
	if err := d.Expansion.Validate(); err != nil {
		return nil, err
	}
	s := &Server{Deps: d, cfg: cfg, log: d.Log}
	s.alpha, _ = lru.New[string, bool](4096)
	s.imageSets, _ = lru.New[string, imageSetEntry](4096)
	if cfg.SigningKeyFile != "" {
		signer, err := LoadSigner(cfg.SigningKeyFile, cfg.SignatureBytes)
		if err != nil {
			return nil, err
		}
		s.signer = signer
	}
	if cfg.AdminTokenFile != "" {
		tokens, err := LoadTokens(cfg.AdminTokenFile)
		if err != nil {
			return nil, err
		}
		s.adminTokens = tokens
	}
	s.m = newHTTPMetrics(d.Registry)
	s.colour = newColourReport(cfg.DeltaEThreshold, d.Registry)
	s.ccPlain, s.ccVersioned = buildCacheControl(cfg, false), buildCacheControl(cfg, true)
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
	s.app.Use(s.observe)
	s.app.Use(newClientLimiter(cfg.ClientMaxInflight, cfg.ClientIPHeader).middleware)
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.app.Get("/", s.index)
	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)
	s.app.Get("/metrics", s.metricsHandler())
	s.app.Get("/img/:sku/:view/:file", s.image)
	s.app.Head("/img/:sku/:view/:file", s.image)
	s.app.Get("/route", s.routeGet)
	s.app.Post("/route", s.routePost)
	s.app.Post("/returns/route", s.returnsRoute)

	// Every /admin route is registered on this group, behind the token check.
	admin := s.app.Group("/admin", s.adminOnly, s.requireAdmin)
	admin.Post("/purge", s.purge)
	admin.Get("/reports/colour", s.reportColour)
	admin.Put("/rules", s.needRules, s.putRules)
	admin.Get("/rules/versions", s.needRules, s.ruleVersions)
	admin.Post("/rules/rollback/:n", s.needRules, s.rollbackRules)
	admin.Post("/warm", s.warm)
	admin.Get("/warm/:id", s.warmStatus)
	s.inventoryRoutes(admin)
	s.fulfilmentRoutes(admin)
	s.consoleRoutes(admin)
}

// ServeAdmin serves the app on the admin listener: with ADMIN_LISTEN set,
// /admin answers only there.
func (s *Server) ServeAdmin(ln net.Listener) error {
	s.adminAddr.Store(ln.Addr().String())
	return s.app.Listener(ln)
}

// Signer is the URL signer, nil when signing is off.
func (s *Server) Signer() *Signer { return s.signer }

// App exposes the fiber app (tests use App().Test).
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown makes /readyz fail, waits the drain delay so load balancers stop
// sending, then stops accepting and lets in-flight requests finish within
// the shutdown timeout.
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
	return s.app.ShutdownWithContext(ctx)
}
