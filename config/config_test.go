package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edgeshelf/edgeshelf/transform"
)

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(nil, nil, io.Discard)
	if err != nil {
		t.Fatalf("Load(nil, nil): %v", err)
	}
	if cfg.Origin.Listen != "127.0.0.1:8080" {
		t.Errorf("Listen = %q, want 127.0.0.1:8080", cfg.Origin.Listen)
	}
	if cfg.Store.URL != "./demo" {
		t.Errorf("Store = %q, want ./demo", cfg.Store.URL)
	}
	if cfg.Cache.L1Bytes != 512<<20 {
		t.Errorf("L1Bytes = %d, want 512 MiB", cfg.Cache.L1Bytes)
	}
	if !cfg.Cache.L2 {
		t.Error("L2 = false, want true")
	}
	if cfg.Catalog.Poll != 2*time.Second {
		t.Errorf("Catalog.Poll = %s, want 2s", cfg.Catalog.Poll)
	}
	if cfg.Log.Level != "info" || cfg.Log.Format != "json" {
		t.Errorf("Log = %+v, want info/json", cfg.Log)
	}
}

// TestLoadIgnoresProcessEnv checks that Load reads only the environ it is
// given, so a stray EDGESHELF_* in the caller's environment cannot leak in.
func TestLoadIgnoresProcessEnv(t *testing.T) {
	t.Setenv("EDGESHELF_LISTEN", "0.0.0.0:1")
	t.Setenv("EDGESHELF_NOPE", "1")
	cfg, err := Load(nil, nil, io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Origin.Listen != "127.0.0.1:8080" {
		t.Errorf("Listen = %q, taken from the process environment", cfg.Origin.Listen)
	}
}

func TestLoadEnvAndFlags(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin", // not ours: ignored
		"EDGESHELF_LISTEN=0.0.0.0:9000",
		"EDGESHELF_STORE=/srv/shop",
		"EDGESHELF_L1_BYTES=64MiB",
		"EDGESHELF_L2=false",
		"EDGESHELF_RENDER_TIMEOUT=5s",
		"EDGESHELF_QUALITY_JPEG=90",
		"EDGESHELF_CATALOG_POLL=0",
		"EDGESHELF_LOG_LEVEL=debug",
		"EDGESHELF_LOG_FORMAT=text",
	}
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, c *Config)
	}{
		{"env only", nil, func(t *testing.T, c *Config) {
			if c.Origin.Listen != "0.0.0.0:9000" || c.Store.URL != "/srv/shop" ||
				c.Cache.L1Bytes != 64<<20 || c.Cache.L2 ||
				c.Transform.RenderTimeout != 5*time.Second || c.Transform.QualityJPEG != 90 ||
				c.Catalog.Poll != 0 || c.Log.Level != "debug" || c.Log.Format != "text" {
				t.Errorf("env not applied: %+v", c)
			}
			// Untouched settings keep their defaults.
			if c.Transform.QualityWebP != 80 {
				t.Errorf("QualityWebP = %d, want the default 80", c.Transform.QualityWebP)
			}
		}},
		{"flags override env", []string{"--listen", "127.0.0.1:9100", "--l1-bytes=0", "--l2=true", "-store", "./other"}, func(t *testing.T, c *Config) {
			if c.Origin.Listen != "127.0.0.1:9100" || c.Cache.L1Bytes != 0 || !c.Cache.L2 || c.Store.URL != "./other" {
				t.Errorf("flags did not win: listen %q l1 %d l2 %v store %q", c.Origin.Listen, c.Cache.L1Bytes, c.Cache.L2, c.Store.URL)
			}
			if c.Transform.RenderTimeout != 5*time.Second {
				t.Errorf("RENDER_TIMEOUT = %s, want the env value 5s", c.Transform.RenderTimeout)
			}
		}},
		{"flag equal to its default still overrides env", []string{"--l2=true", "--listen=127.0.0.1:8080"}, func(t *testing.T, c *Config) {
			if !c.Cache.L2 || c.Origin.Listen != "127.0.0.1:8080" {
				t.Errorf("l2 %v listen %q, want the flag values", c.Cache.L2, c.Origin.Listen)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.args, environ, io.Discard)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		environ []string
		want    []string // all in the message
	}{
		{"L1 bytes not a size", nil, []string{"EDGESHELF_L1_BYTES=lots"}, []string{"EDGESHELF_L1_BYTES", "lots"}},
		{"L2 not a bool", nil, []string{"EDGESHELF_L2=maybe"}, []string{"EDGESHELF_L2", "maybe"}},
		{"listen not host:port", nil, []string{"EDGESHELF_LISTEN=nonsense"}, []string{"EDGESHELF_LISTEN", "nonsense"}},
		{"negative render timeout", nil, []string{"EDGESHELF_RENDER_TIMEOUT=-1s"}, []string{"EDGESHELF_RENDER_TIMEOUT"}},
		{"render timeout not a duration", nil, []string{"EDGESHELF_RENDER_TIMEOUT=soon"}, []string{"EDGESHELF_RENDER_TIMEOUT", "soon"}},
		{"JPEG quality 0", nil, []string{"EDGESHELF_QUALITY_JPEG=0"}, []string{"EDGESHELF_QUALITY_JPEG"}},
		{"WebP quality 101", nil, []string{"EDGESHELF_QUALITY_WEBP=101"}, []string{"EDGESHELF_QUALITY_WEBP"}},
		{"quality not a number", nil, []string{"EDGESHELF_QUALITY_AVIF=high"}, []string{"EDGESHELF_QUALITY_AVIF", "high"}},
		{"log level loud", nil, []string{"EDGESHELF_LOG_LEVEL=loud"}, []string{"EDGESHELF_LOG_LEVEL", "loud"}},
		{"log format xml", nil, []string{"EDGESHELF_LOG_FORMAT=xml"}, []string{"EDGESHELF_LOG_FORMAT", "xml"}},
		{"max source pixels 0", nil, []string{"EDGESHELF_MAX_SOURCE_PIXELS=0"}, []string{"EDGESHELF_MAX_SOURCE_PIXELS"}},
		{"negative catalog poll", nil, []string{"EDGESHELF_CATALOG_POLL=-1s"}, []string{"EDGESHELF_CATALOG_POLL"}},
		{"empty store", nil, []string{"EDGESHELF_STORE= "}, []string{"EDGESHELF_STORE"}},
		{"unknown env key", nil, []string{"EDGESHELF_NOPE=1"}, []string{"EDGESHELF_NOPE"}},
		{"two unknown env keys", nil, []string{"EDGESHELF_ZZZ=1", "EDGESHELF_NOPE=1"}, []string{"EDGESHELF_NOPE, EDGESHELF_ZZZ"}},
		{"unknown flag", []string{"--nope"}, nil, []string{"nope"}},
		{"bad flag value", []string{"--l1-bytes=lots"}, nil, []string{"EDGESHELF_L1_BYTES", "--l1-bytes", "lots"}},
		{"bad flag value over a good env", []string{"--l2=maybe"}, []string{"EDGESHELF_L2=true"}, []string{"EDGESHELF_L2", "maybe"}},
		{"bad flag range", []string{"--quality-webp", "0"}, nil, []string{"EDGESHELF_QUALITY_WEBP"}},
		{"positional argument", []string{"extra"}, nil, []string{`"extra"`}},
		{"two bad values", nil, []string{"EDGESHELF_L2=maybe", "EDGESHELF_RENDER_TIMEOUT=soon"}, []string{"EDGESHELF_L2", "EDGESHELF_RENDER_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var usage bytes.Buffer
			c, err := Load(tt.args, tt.environ, &usage)
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want an error", c)
			}
			if c != nil {
				t.Errorf("Load returned a config with its error")
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadHelp(t *testing.T) {
	var usage bytes.Buffer
	_, err := Load([]string{"--help"}, nil, &usage)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Load(--help) = %v, want flag.ErrHelp", err)
	}
	for _, f := range Fields() {
		if !strings.Contains(usage.String(), "-"+f.Flag) || !strings.Contains(usage.String(), f.Env) {
			t.Errorf("usage does not list -%s (%s)", f.Flag, f.Env)
		}
	}
}

func TestFields(t *testing.T) {
	fields := Fields()
	if len(fields) < 10 {
		t.Fatalf("Fields() has %d entries; the walk lost some", len(fields))
	}
	envs, flags, goNames := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range fields {
		if strings.TrimSpace(f.Help) == "" {
			t.Errorf("%s has no help text", f.Env)
		}
		if !strings.HasPrefix(f.Env, Prefix) || f.Env != strings.ToUpper(f.Env) {
			t.Errorf("env key %q is not EDGESHELF_UPPER_CASE", f.Env)
		}
		if want := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(f.Env, Prefix), "_", "-")); f.Flag != want {
			t.Errorf("flag of %s is %q, want %q", f.Env, f.Flag, want)
		}
		if envs[f.Env] {
			t.Errorf("env key %s appears twice", f.Env)
		}
		if flags[f.Flag] {
			t.Errorf("flag --%s appears twice", f.Flag)
		}
		// nameKeys maps the env library's errors, which name Go fields, back
		// to keys: two settings on same-named fields would be confused.
		if goNames[f.field] {
			t.Errorf("Go field name %s appears twice; parse errors could name the wrong key", f.field)
		}
		envs[f.Env], flags[f.Flag], goNames[f.field] = true, true, true
	}
	// The names DESIGN.md fixes.
	for _, name := range []string{"listen", "store", "l1-bytes", "l2"} {
		if !flags[name] {
			t.Errorf("flag --%s (fixed by DESIGN.md) is missing", name)
		}
	}
	keys := Keys()
	if len(keys) != len(fields) {
		t.Errorf("Keys() has %d keys, Fields() %d", len(keys), len(fields))
	}
	for k := range envs {
		if !keys[k] {
			t.Errorf("Keys() lacks %s", k)
		}
	}
}

func TestMarkdown(t *testing.T) {
	md := Markdown()
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	fields := Fields()
	if len(lines) != 2+len(fields) {
		t.Fatalf("Markdown has %d lines, want a header, a rule and %d rows:\n%s", len(lines), len(fields), md)
	}
	if !strings.HasPrefix(lines[1], "|---") {
		t.Errorf("second line %q is not a table rule", lines[1])
	}
	for i, f := range fields {
		row := lines[2+i]
		if !strings.HasPrefix(row, "| `--"+f.Flag+"` | `"+f.Env+"` |") {
			t.Errorf("row %d = %q, want --%s / %s", i, row, f.Flag, f.Env)
		}
		if !strings.Contains(row, f.Help) {
			t.Errorf("row %d lacks the help text of %s", i, f.Env)
		}
		if got, want := strings.Count(row, "|"), strings.Count(lines[0], "|"); got != want {
			t.Errorf("row %d has %d cell separators, the header %d (a | in a help text?)", i, got, want)
		}
	}
	if !strings.Contains(md, "| `--l1-bytes` | `EDGESHELF_L1_BYTES` | `512MiB` |") {
		t.Errorf("Markdown lacks the l1-bytes row with its default:\n%s", md)
	}
}

// TestTransformDefaults: the defaults transform's tests and the demo
// generator start libvips with are the ones the binary loads.
func TestTransformDefaults(t *testing.T) {
	cfg, err := Load(nil, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := transform.Defaults(); !reflect.DeepEqual(got, cfg.Transform) {
		t.Errorf("transform.Defaults() = %+v\nconfig.Load          %+v", got, cfg.Transform)
	}
}
