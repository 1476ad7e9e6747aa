package routing

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// imagePresets are the presets of a product page's image set.
var imagePresets = [...]string{"card", "pdp", "zoom"}

// ImageView is the image set of one SKU view: /img URLs per preset and a
// srcset over them. URLs are unsigned; the HTTP layer signs them when
// signing is on.
type ImageView struct {
	SKU  string `json:"sku"`
	View string `json:"view"`
	// Hub is set when the URLs name the hub's own photo of the view.
	Hub    string `json:"hub,omitempty"`
	Card   string `json:"card,omitempty"`
	PDP    string `json:"pdp,omitempty"`
	Zoom   string `json:"zoom,omitempty"`
	Srcset string `json:"srcset,omitempty"`
}

// ImageSet lists the image URLs of every view of a SKU, for the node that
// ships it and the buyer's locale:
//
//	/img/{sku}/{view}/{preset}.auto?locale={locale}&hub={hub}
//
// hub= is added only for views the hub has its own photo of (view@hub in
// originals/): the origin would serve the master anyway, and a second URL
// for the same bytes halves the CDN hit rate. The locale is resolved like
// the decision's (exact, same language, default) so equal requests share
// URLs. Presets missing from the catalog are left out; an unknown SKU or
// hub is a *catalog.NotFoundError.
func ImageSet(cat *catalog.Catalog, sku, hub, locale string) ([]ImageView, error) {
	s, ok := cat.SKU(sku)
	if !ok {
		return nil, &catalog.NotFoundError{Kind: "sku", ID: sku}
	}
	if hub != "" {
		if _, ok := cat.Hub(hub); !ok {
			return nil, &catalog.NotFoundError{Kind: "hub", ID: hub}
		}
	}
	localeName, _, _ := cat.ResolveLocale(locale)
	type sized struct {
		name  string
		width int
	}
	var presets []sized
	for _, name := range imagePresets {
		if p, ok := cat.Preset(name); ok {
			presets = append(presets, sized{name, p.Width})
		}
	}
	sort.SliceStable(presets, func(i, j int) bool { return presets[i].width < presets[j].width })

	out := make([]ImageView, 0, len(s.Views))
	for _, view := range s.Views {
		iv := ImageView{SKU: sku, View: view}
		if hub != "" && slices.Contains(cat.HubPhotos(sku, view), hub) {
			iv.Hub = hub
		}
		query := imageQuery(localeName, iv.Hub)
		var srcset []string
		for _, p := range presets {
			u := "/img/" + url.PathEscape(sku) + "/" + url.PathEscape(view) + "/" + p.name + ".auto" + query
			switch p.name {
			case "card":
				iv.Card = u
			case "pdp":
				iv.PDP = u
			case "zoom":
				iv.Zoom = u
			}
			if p.width > 0 { // a height-only preset has no width descriptor
				srcset = append(srcset, u+" "+strconv.Itoa(p.width)+"w")
			}
		}
		iv.Srcset = strings.Join(srcset, ", ")
		out = append(out, iv)
	}
	return out, nil
}

// imageQuery keeps the parameter order fixed (locale, then hub): the
// same image must always have the same URL for the CDN.
func imageQuery(locale, hub string) string {
	var parts []string
	if locale != "" {
		parts = append(parts, "locale="+url.QueryEscape(locale))
	}
	if hub != "" {
		parts = append(parts, "hub="+url.QueryEscape(hub))
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}
