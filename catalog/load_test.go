package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/fs"
)

// storeYAML is the catalog of the temp-dir stores below.
const storeYAML = `skus:
  - id: tee
    title: Tee
    views: [front, back]
  - id: mug
    title: Mug
    views: [front]
hubs:
  - {id: eu-waw, name: EU hub, country: PL, tz: Europe/Warsaw}
  - {id: us-east, name: US hub, country: US, tz: America/New_York}
default_locale: en-US
locales:
  en-US: {colour: srgb}
  en-GB: {colour: srgb}
  de-DE: {colour: warm}
colour_profiles:
  - {id: srgb, version: 1}
  - {id: warm, version: 2, tone: {temperature: 150}}
`

// storeFiles are the originals of storeYAML: tee/back has both a PNG and a
// JPEG, tee/front a photo of its own at eu-waw (and one at a hub the catalog
// does not know).
var storeFiles = map[string]string{
	"originals/tee/front.jpg":        "tee front",
	"originals/tee/front@eu-waw.jpg": "tee front at eu-waw",
	"originals/tee/front@mars.jpg":   "tee front on mars",
	"originals/tee/back.png":         "tee back png",
	"originals/tee/back.jpg":         "tee back jpg",
	"originals/tee/notes.txt":        "not a photo",
	"originals/mug/front.webp":       "mug front",
	"originals/mug/old/front.jpg":    "nested: not an original",
}

// newStore writes catalog.yaml and files into a fresh directory store.
func newStore(t *testing.T, catalogYAML string, files map[string]string) *fs.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	put(t, s, Key, catalogYAML)
	for k, v := range files {
		put(t, s, k, v)
	}
	return s
}

func put(t *testing.T, s store.Blob, key, data string) store.Info {
	t.Helper()
	info, err := s.Put(context.Background(), key, []byte(data), store.PutOptions{})
	if err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
	return info
}

func TestLoadResolve(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, storeYAML, storeFiles)
	c, info, err := Load(ctx, s)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if want, _ := s.Stat(ctx, Key); info.ETag != want.ETag {
		t.Errorf("Load returned ETag %s, the store has %s", info.ETag, want.ETag)
	}

	tests := []struct {
		sku, view, hub string
		key            string // want this original...
		gotHub         string // ...chosen for this hub
		notFound       string // or a NotFoundError of this kind
	}{
		{sku: "tee", view: "front", key: "originals/tee/front.jpg"},
		{sku: "tee", view: "front", hub: "eu-waw", key: "originals/tee/front@eu-waw.jpg", gotHub: "eu-waw"},
		{sku: "tee", view: "front", hub: "us-east", key: "originals/tee/front.jpg"}, // no own photo: the master
		{sku: "tee", view: "back", key: "originals/tee/back.jpg"},                   // jpg is preferred over png
		{sku: "tee", view: "back", hub: "eu-waw", key: "originals/tee/back.jpg"},
		{sku: "mug", view: "front", key: "originals/mug/front.webp"},
		{sku: "tee", view: "front", hub: "mars", notFound: "hub"}, // a photo, but no such hub
		{sku: "tee", view: "front", hub: "nowhere", notFound: "hub"},
		{sku: "hat", view: "front", notFound: "sku"},
		{sku: "tee", view: "side", notFound: "view"},
		{sku: "mug", view: "back", notFound: "view"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s@%s", tt.sku, tt.view, tt.hub), func(t *testing.T) {
			got, err := c.Resolve(tt.sku, tt.view, tt.hub)
			if tt.notFound != "" {
				var nf *NotFoundError
				if !errors.As(err, &nf) || nf.Kind != tt.notFound {
					t.Fatalf("Resolve = %+v, %v; want a NotFoundError of kind %q", got, err, tt.notFound)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got.Key != tt.key || got.Hub != tt.gotHub {
				t.Errorf("Resolve = key %s hub %q, want key %s hub %q", got.Key, got.Hub, tt.key, tt.gotHub)
			}
			want, err := s.Stat(ctx, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if got.ETag != want.ETag || got.Size != want.Size {
				t.Errorf("Resolve = etag %s size %d, the store has %s %d", got.ETag, got.Size, want.ETag, want.Size)
			}
		})
	}

	hubPhotos := []struct {
		sku, view string
		want      []string
	}{
		{"tee", "front", []string{"eu-waw"}}, // mars is no hub of the catalog
		{"tee", "back", nil},
		{"mug", "front", nil},
		{"hat", "front", nil},
	}
	for _, tt := range hubPhotos {
		if got := c.HubPhotos(tt.sku, tt.view); !slices.Equal(got, tt.want) {
			t.Errorf("HubPhotos(%s, %s) = %q, want %q", tt.sku, tt.view, got, tt.want)
		}
	}
}

func TestLoadMissingOriginal(t *testing.T) {
	files := map[string]string{}
	for k, v := range storeFiles {
		if !strings.HasPrefix(k, "originals/tee/back.") {
			files[k] = v
		}
	}
	// A hub photo alone is no master.
	files["originals/tee/back@eu-waw.jpg"] = "tee back at eu-waw"
	c, _, err := Load(context.Background(), newStore(t, storeYAML, files))
	if err == nil {
		t.Fatalf("Load succeeded with %d SKUs; want tee/back reported missing", len(c.SKUs))
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T %v is not a *ValidationError", err, err)
	}
	want := FieldError{Path: "skus[0].views[1]", Line: 4}
	if len(ve.Problems) != 1 || ve.Problems[0].Path != want.Path || ve.Problems[0].Line != want.Line {
		t.Fatalf("fields = %+v, want one at %s line %d", ve.Problems, want.Path, want.Line)
	}
	for _, s := range []string{"line 4", "skus[0].views[1]", "originals/tee/back."} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message does not contain %q:\n%v", s, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("no catalog", func(t *testing.T) {
		s, err := fs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Load(ctx, s); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Load = %v, want store.ErrNotFound", err)
		}
	})
	t.Run("invalid catalog", func(t *testing.T) {
		_, _, err := Load(ctx, newStore(t, "skus: []\n", nil))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].Path != "skus" {
			t.Errorf("Load = %v, want a ValidationError at skus", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := storeYAML + "#" + strings.Repeat("x", MaxCatalogBytes) + "\n"
		if _, _, err := Load(ctx, newStore(t, big, storeFiles)); !errors.Is(err, store.ErrTooLarge) {
			t.Errorf("Load = %v, want store.ErrTooLarge", err)
		}
	})
}

func TestResolveLocale(t *testing.T) {
	c, _, err := Load(context.Background(), newStore(t, storeYAML, storeFiles))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tag, want, colour string
	}{
		{"de-DE", "de-DE", "warm"}, // exact
		{"en-GB", "en-GB", "srgb"}, // exact, although en-US is the default
		{"de-AT", "de-DE", "warm"}, // same language
		{"de", "de-DE", "warm"},
		{"DE-ch", "de-DE", "warm"}, // language match ignores case
		{"fr-FR", "en-US", "srgb"}, // unknown: the default
		{"", "en-US", "srgb"},
		{"-", "en-US", "srgb"},
	}
	for _, tt := range tests {
		got, l, ok := c.ResolveLocale(tt.tag)
		if !ok || got != tt.want || l.Colour != tt.colour {
			t.Errorf("ResolveLocale(%q) = %q, %+v, %v; want %q with colour %q", tt.tag, got, l, ok, tt.want, tt.colour)
		}
	}
	if p := c.LocaleProfile(c.Locales["de-DE"]); p == nil || p.ID != "warm" || p.Version != 2 {
		t.Errorf("LocaleProfile(de-DE) = %+v, want warm@2", p)
	}
	if p := c.LocaleProfile(Locale{}); p != nil {
		t.Errorf("LocaleProfile(no colour) = %+v, want nil", p)
	}

	// No locales at all: nothing to fall back to.
	bare, err := Parse("bare.yaml", []byte("skus: [{id: tee, views: [front]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _, ok := bare.ResolveLocale("de-DE"); ok || got != "" {
		t.Errorf("ResolveLocale without locales = %q, %v; want \"\", false", got, ok)
	}
}

func TestLoadDemo(t *testing.T) {
	s, err := fs.New("../demo")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _, err := Load(context.Background(), s)
	if err != nil {
		t.Fatalf("demo store: %v", err)
	}
	if len(c.SKUs) != 10 {
		t.Errorf("demo has %d SKUs, want 10", len(c.SKUs))
	}
	for _, sku := range c.SKUs {
		for _, view := range sku.Views {
			if o, err := c.Resolve(sku.ID, view, ""); err != nil || o.Size == 0 {
				t.Errorf("Resolve(%s, %s) = %+v, %v", sku.ID, view, o, err)
			}
		}
	}
	o, err := c.Resolve("amber-oud-50ml", "front", "eu-waw")
	if err != nil || o.Hub != "eu-waw" || o.Key != "originals/amber-oud-50ml/front@eu-waw.jpg" {
		t.Errorf("Resolve(amber-oud-50ml, front, eu-waw) = %+v, %v; want the eu-waw photo", o, err)
	}
	if got := c.HubPhotos("amber-oud-50ml", "front"); !slices.Contains(got, "eu-waw") {
		t.Errorf("HubPhotos(amber-oud-50ml, front) = %q, want eu-waw in it", got)
	}
	if o, err := c.Resolve("amber-oud-50ml", "front", "us-east"); err != nil || o.Hub != "" {
		t.Errorf("Resolve(amber-oud-50ml, front, us-east) = %+v, %v; want the master", o, err)
	}
}
