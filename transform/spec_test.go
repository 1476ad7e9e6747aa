package transform_test

import (
	"errors"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform"
)

func TestParseSpecCanonical(t *testing.T) {
	cfg := defaultConfig(t)
	// Each group must share one canonical form: aliases, order, defaults
	// and no-op parameters never make a second cache key.
	groups := [][]string{
		{"w=400&fmt=webp", "width=400&format=webp", "fmt=webp&w=400", "w=400&fmt=webp&fit=inside", "w=200&dpr=2&fmt=webp", "w=400&fmt=webp&g=north", "w=400&fmt=webp&bg=000000"},
		{"w=200&h=200&fit=cover&fmt=jpg", "h=200&w=200&fit=crop&fmt=jpeg&g=center", "w=100&h=100&dpr=2&fit=cover&gravity=c&fmt=jpg", "w=200&h=200&fit=cover&fmt=jpg&bg=%23FFFFFF"},
		{"w=300&fmt=png", "w=300&fmt=png&q=50", "w=300&fmt=png&bg=ff0000"},
		{"w=300&h=100&fit=fill&fmt=avif", "w=300&h=100&fit=stretch&fmt=avif&enlarge=1"},
	}
	for _, g := range groups {
		var want string
		for i, raw := range g {
			s, err := transform.ParseSpec(raw, cfg)
			if err != nil {
				t.Fatalf("%q: %v", raw, err)
			}
			if i == 0 {
				want = s.Canonical()
				continue
			}
			if got := s.Canonical(); got != want {
				t.Errorf("%q → %q, want %q (same output as %q)", raw, got, want, g[0])
			}
		}
	}
	// Different outputs must not share a key.
	distinct := []string{"w=400&fmt=webp", "w=401&fmt=webp", "w=400&fmt=avif", "w=400&fmt=webp&q=50", "w=400&h=400&fit=cover&fmt=webp",
		"w=400&h=400&fit=cover&g=north&fmt=webp", "w=400&h=400&fit=contain&fmt=webp", "w=400&fmt=webp&enlarge=1", "w=400&fmt=jpg&bg=000000", "w=400&fmt=jpg"}
	seen := map[string]string{}
	for _, raw := range distinct {
		s, err := transform.ParseSpec(raw, cfg)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if prev, dup := seen[s.Canonical()]; dup {
			t.Errorf("%q and %q share the key %q", raw, prev, s.Canonical())
		}
		seen[s.Canonical()] = raw
	}
}

func TestParseSpecErrors(t *testing.T) {
	cfg := defaultConfig(t)
	for _, c := range []struct{ raw, field string }{
		{"w=5000", "w"},
		{"w=-1", "w"},
		{"w=abc", "w"},
		{"h=99999", "h"},
		{"w=100&q=0", "q"},
		{"w=100&q=101", "q"},
		{"w=100&dpr=5", "dpr"},
		{"w=100&dpr=0.5", "dpr"},
		{"w=100&dpr=NaN", "dpr"},
		{"w=3000&dpr=2", "dpr"},
		{"w=100&fit=zoom", "fit"},
		{"w=100&h=100&fit=cover&g=up", "g"},
		{"w=100&fit=cover", "fit"},
		{"w=100&bg=red", "bg"},
		{"w=100&enlarge=maybe", "enlarge"},
		{"w=100&fmt=gif", "format"},
		{"w=100&w=200", "w"},
		{"w=100&width=200", "w"},
		{"w=100&colour=red", "colour"},
		{"fmt=jpg", "w"},
		{"w=1%zz", "query"},
	} {
		_, err := transform.ParseSpec(c.raw, cfg)
		p, ok := problem.As(err)
		if !ok {
			t.Errorf("%q: got %v, want a *problem.Error", c.raw, err)
			continue
		}
		if p.Status != 400 || p.Field != c.field {
			t.Errorf("%q: status %d field %q, want 400 field %q (%s)", c.raw, p.Status, p.Field, c.field, p.Detail)
		}
	}
}

// FuzzParseSpec: any input either parses to a spec whose canonical form
// re-parses to itself, or is refused with a typed error.
func FuzzParseSpec(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzParseSpec: the shared, hostile seeds
	for _, seed := range []string{"w=400&fmt=webp", "w=200&h=200&fit=cover&g=attention&fmt=avif&q=60", "w=100&dpr=2.5&enlarge=1&bg=%23abcdef&fmt=jpg",
		"width=1&height=1&fit=fill", "w=4096&h=4096&fit=contain&fmt=png", "", "w=&h=", "w=1e3", "dpr=1&w=0&h=1", "fit=cover&w=1&h=1&g=se", "%%", "w=1;h=2"} {
		f.Add(seed)
	}
	cfg := defaultConfig(f)
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := transform.ParseSpec(raw, cfg)
		if err != nil {
			var p *problem.Error
			if !errors.As(err, &p) || p.Status != 400 || p.Code != "invalid_spec" && p.Code != "unsupported_format" {
				t.Fatalf("%q: untyped error %v", raw, err)
			}
			return
		}
		c := s.Canonical()
		again, err := transform.ParseSpec(c, cfg)
		if err != nil {
			t.Fatalf("%q parsed, but its canonical form %q does not: %v", raw, c, err)
		}
		if again.Canonical() != c {
			t.Fatalf("%q: canonical %q re-parses to %q", raw, c, again.Canonical())
		}
	})
}
