package catalog

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

// baseYAML is a small valid catalog. Line numbers matter: the broken cases
// below are edits of it and name the line their problem is on.
const baseYAML = `skus:
  - id: tee
    title: Tee
    views: [front, back]
    swatch: {view: front, rect: [0.1, 0.1, 0.2, 0.2], lab: [50, 10, 10]}
hubs:
  - id: eu-waw
    name: EU hub
    country: PL
    tz: Europe/Warsaw
    cutoff: "14:00"
    carriers: [inpost]
    holidays: ["2026-12-24"]
carriers:
  - {id: inpost, transit_hours: {EU: [24, 48]}}
default_locale: en-US
locales:
  en-US: {colour: srgb}
colour_profiles:
  - {id: srgb, version: 1, space: srgb}
presets:
  - {name: thumb, width: 200, height: 200, fit: cover}
`

// edit applies old, new replacement pairs to baseYAML in turn; each old must
// occur exactly once, so a typo in a test case fails loudly instead of
// quietly testing the valid catalog.
func edit(t testing.TB, pairs ...string) string {
	t.Helper()
	s := baseYAML
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("edit: %q occurs %d times, want 1", pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestParseBase(t *testing.T) {
	c, err := Parse("base.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatalf("Parse(baseYAML): %v", err)
	}
	if _, ok := c.SKU("tee"); !ok {
		t.Error(`SKU("tee") not found`)
	}
	h, ok := c.Hub("eu-waw")
	if !ok {
		t.Fatal(`Hub("eu-waw") not found`)
	}
	if h.Kind != KindHub {
		t.Errorf("hub kind defaults to %q, want %q", h.Kind, KindHub)
	}
	p, ok := c.ColourProfile("srgb")
	if !ok || p.Intent != "perceptual" {
		t.Errorf(`ColourProfile("srgb") = %+v, %v; want intent defaulted to perceptual`, p, ok)
	}
}

func TestParseDemo(t *testing.T) {
	data, err := os.ReadFile("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("demo/catalog.yaml", data)
	if err != nil {
		t.Fatalf("demo catalog: %v", err)
	}
	if len(c.SKUs) != 10 {
		t.Errorf("demo catalog has %d SKUs, want 10", len(c.SKUs))
	}
	s, ok := c.SKU("amber-oud-50ml")
	if !ok {
		t.Fatal("amber-oud-50ml missing")
	}
	if s.Swatch == nil || s.Swatch.View != "front" {
		t.Errorf("amber-oud-50ml swatch = %+v, want view front", s.Swatch)
	}
	if _, ok := c.Hub("central"); !ok {
		t.Error("central hub missing")
	}
	if got := c.RegionOf("AT"); got != "EU" {
		t.Errorf("RegionOf(AT) = %q, want EU", got)
	}
	if got := c.RegionOf("BR"); got != "BR" {
		t.Errorf("RegionOf(BR) = %q, want BR (unlisted countries are their own region)", got)
	}
	if _, ok := c.Preset("thumb"); !ok {
		t.Error("preset thumb missing")
	}
	if _, ok := c.Locales[c.DefaultLocale]; !ok {
		t.Errorf("default_locale %q is not a locale", c.DefaultLocale)
	}
}

func TestParseErrors(t *testing.T) {
	type tc struct {
		name string
		yaml string
		path string // the FieldError's Path
		line int    // the FieldError's Line; 0 = the file has no line to name
	}
	tests := []tc{
		{
			name: "unknown top-level field",
			yaml: baseYAML + "colour: red\n",
			path: "colour", line: 23,
		},
		{
			name: "unknown field in a SKU",
			yaml: edit(t, "    title: Tee\n", "    title: Tee\n    colour: red\n"),
			path: "skus[0].colour", line: 4,
		},
		{
			name: "bad SKU id",
			yaml: edit(t, "id: tee", "id: Tee_Shirt"),
			path: "skus[0].id", line: 2,
		},
		{
			name: "duplicate SKU id",
			yaml: edit(t, "hubs:\n", "  - id: tee\n    views: [front]\nhubs:\n"),
			path: "skus[1].id", line: 6,
		},
		{
			name: "swatch view not in views",
			yaml: edit(t, "view: front", "view: side"),
			path: "skus[0].swatch.view", line: 5,
		},
		{
			name: "swatch rect out of [0,1]",
			yaml: edit(t, "rect: [0.1, 0.1, 0.2, 0.2]", "rect: [0.9, 0.1, 0.2, 0.2]"),
			path: "skus[0].swatch.rect", line: 5,
		},
		{
			name: "swatch rect not a number",
			yaml: edit(t, "rect: [0.1, 0.1, 0.2, 0.2]", "rect: [.nan, 0.1, 0.2, 0.2]"),
			path: "skus[0].swatch.rect", line: 5,
		},
		{
			name: "swatch lab not a number",
			yaml: edit(t, "lab: [50, 10, 10]", "lab: [50, .nan, 10]"),
			path: "skus[0].swatch.lab", line: 5,
		},
		{
			name: "swatch lab out of range",
			yaml: edit(t, "lab: [50, 10, 10]", "lab: [120, 10, 10]"),
			path: "skus[0].swatch.lab", line: 5,
		},
		{
			name: "cover preset without height",
			yaml: edit(t, "{name: thumb, width: 200, height: 200, fit: cover}", "{name: thumb, width: 200, fit: cover}"),
			path: "presets[0].fit", line: 22,
		},
		{
			name: "unknown fit",
			yaml: edit(t, "fit: cover", "fit: stretch"),
			path: "presets[0].fit", line: 22,
		},
		{
			name: "negative width",
			yaml: edit(t, "width: 200", "width: -200"),
			path: "presets[0].width", line: 22,
		},
		{
			name: "duplicate preset",
			yaml: baseYAML + "  - {name: thumb, width: 100}\n",
			path: "presets[1].name", line: 23,
		},
		{
			name: `preset named "_"`,
			yaml: edit(t, "name: thumb", "name: _"),
			path: "presets[0].name", line: 22,
		},
		{
			name: "hub with unknown carrier",
			yaml: edit(t, "carriers: [inpost]", "carriers: [inpost, pigeon]"),
			path: "hubs[0].carriers[1]", line: 12,
		},
		{
			name: "hub with bad tz",
			yaml: edit(t, "tz: Europe/Warsaw", "tz: Europe/Atlantis"),
			path: "hubs[0].tz", line: 10,
		},
		{
			name: "cutoff 25:00",
			yaml: edit(t, `cutoff: "14:00"`, `cutoff: "25:00"`),
			path: "hubs[0].cutoff", line: 11,
		},
		{
			name: "bad holiday date",
			yaml: edit(t, `holidays: ["2026-12-24"]`, `holidays: ["2026-12-24", "2026-02-30"]`),
			path: "hubs[0].holidays[1]", line: 13,
		},
		{
			name: "locale with unknown colour profile",
			yaml: edit(t, "en-US: {colour: srgb}", "en-US: {colour: adobe-rgb}"),
			path: "locales.'en-US'.colour", line: 18,
		},
		{
			name: "bad locale tag",
			yaml: edit(t, "  en-US: {colour: srgb}\n", "  en-US: {colour: srgb}\n  English: {colour: srgb}\n"),
			path: "locales.English", line: 19,
		},
		{
			name: "default_locale not in locales",
			yaml: edit(t, "default_locale: en-US", "default_locale: de-DE"),
			path: "default_locale", line: 16,
		},
		{
			name: "colour profile version 0",
			yaml: edit(t, "version: 1", "version: 0"),
			path: "colour_profiles[0].version", line: 20,
		},
		{
			name: "unknown colour space",
			yaml: edit(t, "space: srgb", "space: cmyk"),
			path: "colour_profiles[0].space", line: 20,
		},
		{
			name: "two central hubs",
			yaml: edit(t,
				"    name: EU hub\n", "    name: EU hub\n    kind: central\n",
				"carriers:\n", "  - id: central\n    name: Central\n    kind: central\n    country: DE\n    tz: Europe/Berlin\ncarriers:\n"),
			path: "hubs[1].kind", line: 17,
		},
		{
			name: "carrier health_url not http",
			yaml: edit(t, "{id: inpost, ", `{id: inpost, health_url: "file:///etc/passwd", `),
			path: "carriers[0].health_url", line: 15,
		},
		{
			name: "carrier transit [48, 24]",
			yaml: edit(t, "EU: [24, 48]", "EU: [48, 24]"),
			path: "carriers[0].transit_hours.EU", line: 15,
		},
		{
			name: "empty file",
			yaml: "",
			path: "$", line: 0,
		},
		{
			name: "invalid YAML syntax",
			yaml: edit(t, "    title: Tee\n", "    title: Tee: shirt\n"),
			path: "$", line: 3,
		},
		{
			name: "tab indentation",
			yaml: edit(t, "    title: Tee\n", "\ttitle: Tee\n"),
			path: "$", line: 3,
		},
		{
			name: "wrong type",
			yaml: edit(t, "width: 200", "width: wide"),
			path: "presets[0].width", line: 22,
		},
		{
			// go-yaml v1.19.2 panics on this (goccy/go-yaml#735); Parse
			// must turn it into an error.
			name: "tag on a sequence field",
			yaml: edit(t, "views: [front, back]", "views: !front"),
			path: "$", line: 0,
		},
		{
			name: "only a comment",
			yaml: "# nothing yet\n",
			path: "skus", line: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("catalog.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded (%d SKUs), want a ValidationError at %s", len(c.SKUs), tt.path)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T %v is not a *ValidationError", err, err)
			}
			var found *FieldError
			for i := range ve.Problems {
				if ve.Problems[i].Path == tt.path {
					found = &ve.Problems[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no FieldError with path %q in:\n%v", tt.path, err)
			}
			if found.Line != tt.line {
				t.Errorf("%s: line %d, want %d\n%v", tt.path, found.Line, tt.line, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.path) {
				t.Errorf("message does not name the path %q:\n%s", tt.path, msg)
			}
			if tt.line > 0 && !strings.Contains(msg, fmt.Sprintf("line %d:", tt.line)) {
				t.Errorf("message does not name line %d:\n%s", tt.line, msg)
			}
			if !strings.HasPrefix(msg, "catalog.yaml: ") {
				t.Errorf("message does not start with the source name:\n%s", msg)
			}
		})
	}
}

// FuzzCatalogYAML checks that Parse never panics and always returns exactly
// one of a catalog or a *ValidationError whose fields are located.
func FuzzCatalogYAML(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzCatalogYAML: the shared, hostile seeds
	demo, err := os.ReadFile("../demo/catalog.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(baseYAML))
	f.Add([]byte(baseYAML + "colour: red\n"))
	f.Add([]byte(edit(f, "    title: Tee\n", "    title: Tee: shirt\n")))
	f.Add([]byte(edit(f, "EU: [24, 48]", "EU: [48, 24]")))
	f.Add([]byte(edit(f, "en-US: {colour: srgb}", "en-US: {colour: nope}")))
	f.Add([]byte("skus: 5\n"))
	f.Add([]byte("skus:\n  - &a {id: x, views: [front]}\n  - *a\n"))
	f.Add([]byte(""))
	f.Add([]byte("skus:\n  - views: !x\n")) // panicked in go-yaml v1.19.2
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err == nil {
			if c == nil {
				t.Fatal("Parse returned neither a catalog nor an error")
			}
			for _, s := range c.SKUs {
				if got, ok := c.SKU(s.ID); !ok || got.ID != s.ID {
					t.Fatalf("SKU %q is not indexed", s.ID)
				}
			}
			return
		}
		if c != nil {
			t.Fatalf("Parse returned a catalog and an error: %v", err)
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error %T is not a *ValidationError: %v", err, err)
		}
		if len(ve.Problems) == 0 {
			t.Fatal("ValidationError with no fields")
		}
		for _, fe := range ve.Problems {
			if fe.Path == "" || fe.Msg == "" || fe.Line < 0 {
				t.Fatalf("malformed FieldError %#v", fe)
			}
		}
	})
}
