package fulfilment

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/origin/httpx"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
)

// routeResponse is a decision plus the image set of every SKU as stocked
// by the node that ships it.
type routeResponse struct {
	*routing.Decision
	Images []routing.ImageView `json:"images"`
}

// routePost serves POST /route: {"lines":[{"sku","qty"}], "destination":
// {"country", "postal_code", "lat", "lon"}, "locale", "total", "currency",
// "id"}. Checkout asks per buyer: never cached.
func (h *Handler) routePost(c *fiber.Ctx) error {
	if h.Router == nil {
		return routingOff()
	}
	var o routing.Order
	if err := httpx.DecodeJSON(c, &o); err != nil {
		return err
	}
	d, err := h.Router.Decide(c.UserContext(), o)
	if err != nil {
		return err
	}
	// An order is answered only once its decision is on disk: checkout
	// acts on the answer, and the expansion report counts it.
	if err := h.commitDecision(c.UserContext(), d, &o); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(routeResponse{Decision: d, Images: h.decisionImages(d, o.Lines)})
}

// queryFields names the GET form's parameters after the order fields
// routing reports, so a 400 names what the caller actually sent.
var queryFields = map[string]string{
	"lines[0].sku": "sku", "lines[0].qty": "qty", "lines": "sku",
	"destination.country": "country", "destination.postal_code": "postal_code",
	"destination.lat": "lat", "destination.lon": "lon",
}

// routeGet serves GET /route?sku=&qty=&country=&locale=[&postal_code=&lat=&lon=&total=&currency=]
// for product pages: one SKU, a short shared cache lifetime.
func (h *Handler) routeGet(c *fiber.Ctx) error {
	if h.Router == nil {
		return routingOff()
	}
	q := c.Context().QueryArgs()
	sku := string(q.Peek("sku"))
	if sku == "" {
		return problem.New(http.StatusBadRequest, "invalid_order", "sku is required").WithField("sku")
	}
	o := routing.Order{
		Lines:       []routing.Line{{SKU: sku, Qty: 1}},
		Destination: routing.Destination{Country: string(q.Peek("country")), PostalCode: string(q.Peek("postal_code"))},
		Locale:      string(q.Peek("locale")),
		Currency:    string(q.Peek("currency")),
	}
	if v := q.Peek("qty"); len(v) > 0 {
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return problem.New(http.StatusBadRequest, "invalid_order", "qty must be a whole number").WithField("qty")
		}
		o.Lines[0].Qty = n
	}
	for _, f := range []struct {
		name string
		dst  **float64
	}{{"lat", &o.Destination.Lat}, {"lon", &o.Destination.Lon}} {
		if v := q.Peek(f.name); len(v) > 0 {
			x, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return problem.New(http.StatusBadRequest, "invalid_order", "%s must be a number", f.name).WithField(f.name)
			}
			*f.dst = &x
		}
	}
	if v := q.Peek("total"); len(v) > 0 {
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return problem.New(http.StatusBadRequest, "invalid_order", "total must be a number").WithField("total")
		}
		o.Total = x
	}
	d, err := h.Router.Decide(c.UserContext(), o)
	if err != nil {
		var oe *routing.OrderError
		if errors.As(err, &oe) {
			if name, ok := queryFields[oe.Field]; ok {
				err = &routing.OrderError{Code: oe.Code, Field: name, Msg: oe.Msg}
			}
		}
		return err
	}
	h.logDecision(d, &o, decisionlog.SourcePage)
	c.Set(fiber.HeaderCacheControl, routeCacheControl(h.cfg))
	return c.JSON(routeResponse{Decision: d, Images: h.decisionImages(d, o.Lines)})
}

// routeCacheControl lets CDNs and browsers share a product page's answer
// briefly: stock and cut-offs move, but not every second.
func routeCacheControl(cfg Config) string {
	if cfg.RouteMaxAge <= 0 {
		return "no-store"
	}
	return "public, max-age=" + strconv.Itoa(int(cfg.RouteMaxAge.Seconds()))
}

// decisionImages lists each SKU's image set for the node that ships it,
// signed when signing is on. The origin's current catalog builds them: it
// is the one /img serves from. A SKU the catalog dropped since the
// decision has no images rather than failing the decision.
func (h *Handler) decisionImages(d *routing.Decision, lines []routing.Line) []routing.ImageView {
	cat := h.Catalog.Current()
	out := make([]routing.ImageView, 0, 3*len(lines))
	var seen []string
	for _, l := range lines {
		if slices.Contains(seen, l.SKU) {
			continue
		}
		seen = append(seen, l.SKU)
		out = append(out, h.imageSet(cat, l.SKU, shipsFrom(d, l.SKU), d.Locale)...)
	}
	return out
}

// imageSetEntry is a finished image set and the catalog it was built from.
type imageSetEntry struct {
	cat   *catalog.Catalog
	views []routing.ImageView
}

// imageSet builds (and signs) a SKU's image set once per catalog: building
// and signing nine URLs cost more than the decision itself. Keys are
// bounded by the catalog (SKU × node × locale) and the cache by its size.
// The cached slice is shared: callers only read it.
func (h *Handler) imageSet(cat *catalog.Catalog, sku, hub, locale string) []routing.ImageView {
	key := sku + "\x00" + hub + "\x00" + locale
	if e, ok := h.imageSets.Get(key); ok && e.cat == cat {
		return e.views
	}
	views, err := routing.ImageSet(cat, sku, hub, locale)
	if err != nil {
		return nil
	}
	if h.Signer != nil {
		for i := range views {
			h.signView(&views[i])
		}
	}
	h.imageSets.Add(key, imageSetEntry{cat: cat, views: views})
	return views
}

// shipsFrom is the node that ships a SKU: the decision's, or for a split
// order the shipment's that holds the line.
func shipsFrom(d *routing.Decision, sku string) string {
	for _, sh := range d.Shipments {
		for _, l := range sh.Lines {
			if l.SKU == sku {
				return sh.Node.ID
			}
		}
	}
	return d.Node.ID
}

// signView signs every URL of a view, the srcset's included, so a CDN
// with SIGN_PRESETS on serves them.
func (h *Handler) signView(v *routing.ImageView) {
	signed := map[string]string{}
	sign := func(u string) string {
		if u == "" {
			return ""
		}
		if out, ok := signed[u]; ok {
			return out
		}
		path, rawQuery, _ := strings.Cut(u, "?")
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return u
		}
		out := h.Signer.Sign(path, q)
		signed[u] = out
		return out
	}
	v.Card, v.PDP, v.Zoom = sign(v.Card), sign(v.PDP), sign(v.Zoom)
	if v.Srcset == "" {
		return
	}
	// Signed URLs are query-escaped: no spaces or commas inside them.
	parts := strings.Split(v.Srcset, ", ")
	for i, p := range parts {
		u, w, ok := strings.Cut(p, " ")
		if ok {
			parts[i] = sign(u) + " " + w
		}
	}
	v.Srcset = strings.Join(parts, ", ")
}
