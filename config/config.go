package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/cluster"
	"github.com/edgeshelf/edgeshelf/origin"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/routing/carrierhealth"
	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/routing/expansion"
	"github.com/edgeshelf/edgeshelf/stocking/fromstore"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/transform"
)

// Prefix is the environment prefix of every setting.
const Prefix = "EDGESHELF_"

// Config is the whole configuration of `edgeshelf serve`.
type Config struct {
	Store     StoreConfig
	Origin    origin.Config
	Cache     cache.Config
	Transform transform.Config
	Catalog   catalog.Config
	Routing   routing.Config
	Carriers  carrierhealth.Config
	Decisions decisionlog.Config
	Expansion expansion.Config
	Stocking  fromstore.Config
	Peers     cluster.Config
	Log       LogConfig
}

// StoreConfig selects the store.
type StoreConfig struct {
	URL string `env:"STORE" envDefault:"./demo" help:"store root: a directory, or s3://bucket/prefix"`
	S3  s3.Config
}

// LogConfig configures log/slog.
type LogConfig struct {
	Level  string `env:"LOG_LEVEL" envDefault:"info" help:"debug, info, warn or error"`
	Format string `env:"LOG_FORMAT" envDefault:"json" help:"json or text"`
}

// Validate checks the log settings.
func (c LogConfig) Validate() error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Level)); err != nil {
		return fmt.Errorf("EDGESHELF_LOG_LEVEL: %q is not debug, info, warn or error", c.Level)
	}
	if c.Format != "json" && c.Format != "text" {
		return fmt.Errorf("EDGESHELF_LOG_FORMAT: %q is not json or text", c.Format)
	}
	return nil
}

// Validate checks the store setting.
func (c StoreConfig) Validate() error {
	if strings.TrimSpace(c.URL) == "" {
		return fmt.Errorf("EDGESHELF_STORE: must name a directory or s3://bucket/prefix")
	}
	if strings.HasPrefix(c.URL, "s3://") {
		if _, _, err := s3.ParseURL(c.URL); err != nil {
			return fmt.Errorf("EDGESHELF_STORE: %w", err)
		}
	}
	return c.S3.Validate()
}

// Validate runs every part's Validate.
func (c *Config) Validate() error {
	for _, v := range []interface{ Validate() error }{c.Store, c.Origin, c.Cache, c.Transform, c.Catalog, c.Routing, c.Carriers, c.Decisions, c.Expansion, c.Stocking, c.Peers, c.Log} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Field is one setting: its environment key, flag, default and help.
type Field struct {
	Env     string // EDGESHELF_L1_BYTES
	Flag    string // l1-bytes
	Default string
	Help    string
	// Group is the part of Config the setting belongs to (Store, Origin…).
	Group  string
	field  string // Go field name, to name the key in parse errors
	isBool bool
}

// Command is a subcommand and the settings it reads: its --help names it
// and lists only those flags. Every EDGESHELF_* key is still accepted from
// the environment, so one environment serves every command.
type Command struct {
	Name  string // "serve", "report expansion"
	Usage string // after the name, e.g. "[flags] URL"
	// Reads reports whether the command reads a setting; nil means all.
	Reads func(Field) bool
}

// Commands of the binary that read settings.
var (
	Serve           = Command{Name: "serve", Usage: "[flags]"}
	ReportExpansion = Command{Name: "report expansion", Usage: "[flags]", Reads: inGroups("Store", "Expansion")}
	ReportStocking  = Command{Name: "report stocking", Usage: "[flags]", Reads: inGroups("Store", "Stocking")}
	ImportOrders    = Command{Name: "import orders", Usage: "[flags] FILE", Reads: inGroups("Store")}
	Sign            = Command{Name: "sign", Usage: "[flags] URL", Reads: withEnv("SIGNING_KEY_FILE", "SIGNATURE_BYTES")}
)

func inGroups(groups ...string) func(Field) bool {
	return func(f Field) bool { return slices.Contains(groups, f.Group) }
}

func withEnv(keys ...string) func(Field) bool {
	return func(f Field) bool { return slices.Contains(keys, strings.TrimPrefix(f.Env, Prefix)) }
}

func (c Command) reads(f Field) bool { return c.Reads == nil || c.Reads(f) }

// Fields lists every setting `edgeshelf serve` accepts, in a stable order.
// The k8s manifests test and the README table are checked against it.
func Fields() []Field {
	var out []Field
	var walk func(t reflect.Type, group string)
	walk = func(t reflect.Type, group string) {
		for i := range t.NumField() {
			f := t.Field(i)
			if key, ok := f.Tag.Lookup("env"); ok {
				key, _, _ = strings.Cut(key, ",")
				out = append(out, Field{
					Env:     Prefix + key,
					Flag:    strings.ToLower(strings.ReplaceAll(key, "_", "-")),
					Default: f.Tag.Get("envDefault"),
					Help:    f.Tag.Get("help"),
					Group:   group,
					field:   f.Name,
					isBool:  f.Type.Kind() == reflect.Bool,
				})
				continue
			}
			if f.Type.Kind() == reflect.Struct {
				g := group
				if g == "" {
					g = f.Name
				}
				walk(f.Type, g)
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
	return out
}

// Keys is the set of accepted environment keys.
func Keys() map[string]bool {
	keys := map[string]bool{}
	for _, f := range Fields() {
		keys[f.Env] = true
	}
	return keys
}

// Load is LoadCommand for `edgeshelf serve`.
func Load(args, environ []string, usage io.Writer) (*Config, error) {
	return LoadCommand(Serve, args, environ, usage)
}

// LoadCommand builds the configuration from the environment (KEY=VALUE
// strings, as os.Environ returns) and the command-line arguments, which may
// set only the settings cmd reads; flags win. Unknown EDGESHELF_* keys,
// unknown flags and invalid values are errors that name the key.
func LoadCommand(cmd Command, args, environ []string, usage io.Writer) (*Config, error) {
	fields := Fields()
	values, err := fromEnvironment(environ)
	if err != nil {
		return nil, err
	}
	if err := fromFlags(cmd, fields, args, values, usage); err != nil {
		return nil, err
	}
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: values, Prefix: Prefix}); err != nil {
		return nil, nameKeys(err, fields, values)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// fromEnvironment collects the EDGESHELF_* settings of an environment.
func fromEnvironment(environ []string) (map[string]string, error) {
	values := map[string]string{}
	var unknown []string
	known := Keys()
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, Prefix) {
			continue
		}
		if !known[k] {
			if kubernetesServiceLink(k) {
				continue
			}
			unknown = append(unknown, k)
			continue
		}
		values[k] = v
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown setting %s (see `edgeshelf serve --help` for the accepted keys)", strings.Join(unknown, ", "))
	}
	return values, nil
}

// fromFlags parses the command's flags into values.
func fromFlags(cmd Command, fields []Field, args []string, values map[string]string, usage io.Writer) error {
	fs := flag.NewFlagSet("edgeshelf "+cmd.Name, flag.ContinueOnError)
	fs.SetOutput(usage)
	flagValues := map[string]func() string{}
	for _, f := range fields {
		if !cmd.reads(f) {
			continue
		}
		usage := f.Help + " (" + f.Env + ")"
		if f.isBool {
			// A real bool flag, so a bare --l2 means true.
			def, _ := strconv.ParseBool(f.Default)
			v := fs.Bool(f.Flag, def, usage)
			flagValues[f.Env] = func() string { return strconv.FormatBool(*v) }
			continue
		}
		v := fs.String(f.Flag, f.Default, usage)
		flagValues[f.Env] = func() string { return *v }
	}
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: edgeshelf %s %s\n\nEvery flag can also be set as an environment variable (shown in brackets).\n", cmd.Name, cmd.Usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		for _, f := range fields {
			if strings.Contains(err.Error(), "-"+f.Flag+":") || strings.HasSuffix(err.Error(), "-"+f.Flag) {
				return fmt.Errorf("%s (--%s): %w", f.Env, f.Flag, err)
			}
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		for _, fd := range fields {
			if fd.Flag == f.Name {
				values[fd.Env] = flagValues[fd.Env]()
			}
		}
	})
	return nil
}

// kubernetesServiceLink reports variables the kubelet injects for a Service
// named edgeshelf (EDGESHELF_SERVICE_HOST, EDGESHELF_PORT_8080_TCP…): they
// are not settings, and refusing them would stop every pod in a namespace
// with service links on.
func kubernetesServiceLink(k string) bool {
	rest := strings.TrimPrefix(k, Prefix)
	return strings.HasPrefix(rest, "SERVICE_HOST") || strings.HasPrefix(rest, "SERVICE_PORT") || rest == "PORT" || strings.HasPrefix(rest, "PORT_")
}

// nameKeys rewrites the env library's parse errors, which name Go fields, to
// name the setting the user typed.
func nameKeys(err error, fields []Field, values map[string]string) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	var msgs []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			for _, f := range fields {
				if _, set := values[f.Env]; set && f.field == pe.Name {
					msgs = append(msgs, fmt.Sprintf("%s (--%s): invalid value %q: %v", f.Env, f.Flag, values[f.Env], pe.Err))
				}
			}
			continue
		}
		msgs = append(msgs, e.Error())
	}
	if len(msgs) == 0 {
		return err
	}
	return errors.New(strings.Join(msgs, "; "))
}

// Markdown renders the settings as the README's configuration table.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, f := range Fields() {
		def := f.Default
		if def == "" {
			def = "—"
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s |\n", f.Flag, f.Env, def, f.Help)
	}
	return b.String()
}
