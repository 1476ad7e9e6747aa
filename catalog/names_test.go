package catalog

import (
	"errors"
	"strings"
	"testing"
)

// withNames is baseYAML with a German locale and the hub's names (from
// line 9), the way a shop localises its badges.
func withNames(t *testing.T, names string) string {
	t.Helper()
	return edit(t,
		"    name: EU hub\n", "    name: EU hub\n    names:\n"+names,
		"  en-US: {colour: srgb}\n", "  en-US: {colour: srgb}\n  de-DE: {colour: srgb}\n")
}

func TestHubNames(t *testing.T) {
	c, err := Parse("catalog.yaml", []byte(withNames(t, "      de-DE: EU-Lager\n")))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := c.Hub("eu-waw")
	for locale, want := range map[string]string{
		"de-DE": "EU-Lager", // its names: entry
		"en-US": "EU hub",   // no entry: name
		"":      "EU hub",   // no locale at all
	} {
		if got := h.NameIn(locale); got != want {
			t.Errorf("NameIn(%q) = %q, want %q", locale, got, want)
		}
	}
	// A catalog without names: reads as before.
	base, err := Parse("catalog.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := base.Hub("eu-waw"); h.NameIn("de-DE") != "EU hub" {
		t.Errorf("no names: NameIn = %q, want the name", h.NameIn("de-DE"))
	}
}

func TestHubNamesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, names, path, msg string
		line                   int
	}{
		{"locale the catalog lacks", "      de-DE: EU-Lager\n      fr-FR: entrepôt UE\n",
			"hubs[0].names.'fr-FR'", `unknown locale "fr-FR" (the catalog's locales are de-DE, en-US)`, 11},
		{"not a locale tag", "      de_DE: EU-Lager\n",
			"hubs[0].names.de_DE", `unknown locale "de_DE"`, 10},
		{"blank name", "      de-DE: \"  \"\n",
			"hubs[0].names.'de-DE'", "must not be empty", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("catalog.yaml", []byte(withNames(t, tc.names)))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse = %v, want a ValidationError", err)
			}
			if len(ve.Problems) != 1 {
				t.Fatalf("problems %v, want one at %s", ve.Problems, tc.path)
			}
			p := ve.Problems[0]
			if p.Path != tc.path || p.Line != tc.line || !strings.Contains(p.Msg, tc.msg) {
				t.Errorf("problem %s, want line %d: %s: …%s…", p, tc.line, tc.path, tc.msg)
			}
			if ve.Code() != "invalid_catalog" || !strings.Contains(err.Error(), "catalog.yaml: 1 problem(s)\n  line ") {
				t.Errorf("code %s, message %q", ve.Code(), err.Error())
			}
		})
	}
}
