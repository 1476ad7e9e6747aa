package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
)

// These cases all end before the server starts: a config, store or catalog
// error, or a command that never serves.
func TestRun(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyStore := t.TempDir() // a directory with no catalog.yaml

	tests := []struct {
		name     string
		args     []string
		environ  []string
		code     int
		stdout   []string // each must appear in stdout
		stderr   []string // each must appear in stderr
		emptyOut bool     // nothing may be written to stdout
		emptyErr bool     // nothing may be written to stderr
	}{
		{name: "version", args: []string{"version"}, code: 0, emptyErr: true},
		{name: "unknown command", args: []string{"bogus"}, code: 2, stderr: []string{`"bogus"`, "serve"}, emptyOut: true},
		{name: "config", args: []string{"config"}, code: 0, stdout: []string{config.Markdown()}, emptyErr: true},
		{name: "bad env value", args: []string{"serve"}, environ: []string{"EDGESHELF_L2=maybe"}, code: 1,
			stderr: []string{"EDGESHELF_L2", "maybe"}, emptyOut: true},
		{name: "unknown env key", args: []string{"serve"}, environ: []string{"EDGESHELF_NOPE=1"}, code: 1,
			stderr: []string{"EDGESHELF_NOPE"}, emptyOut: true},
		{name: "bad flag value, serve implied", args: []string{"--l1-bytes=lots"}, code: 1,
			stderr: []string{"EDGESHELF_L1_BYTES"}, emptyOut: true},
		{name: "unknown flag", args: []string{"serve", "--nope"}, code: 1, stderr: []string{"nope"}, emptyOut: true},
		{name: "missing store", args: []string{"serve", "--store", "/nonexistent"}, code: 1,
			stderr: []string{"EDGESHELF_STORE", "/nonexistent"}, emptyOut: true},
		{name: "missing store, from env", args: nil, environ: []string{"EDGESHELF_STORE=/nonexistent"}, code: 1,
			stderr: []string{"EDGESHELF_STORE"}, emptyOut: true},
		{name: "store is a file", args: []string{"serve", "--store", notDir}, code: 1,
			stderr: []string{"EDGESHELF_STORE", "not a directory"}, emptyOut: true},
		{name: "store without a catalog", args: []string{"serve", "--store", emptyStore}, code: 1,
			stderr: []string{"catalog", emptyStore}, emptyOut: true},
		{name: "help", args: []string{"serve", "--help"}, code: 0, stderr: []string{"Usage", "EDGESHELF_STORE"}, emptyOut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, tt.environ, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("run(%q) = %d, want %d\nstdout: %s\nstderr: %s", tt.args, code, tt.code, &stdout, &stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, &stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, &stderr)
				}
			}
			if tt.emptyOut && stdout.Len() > 0 {
				t.Errorf("stdout should be empty, got:\n%s", &stdout)
			}
			if tt.emptyErr && stderr.Len() > 0 {
				t.Errorf("stderr should be empty, got:\n%s", &stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	if code := run([]string{"version"}, nil, &stdout, &bytes.Buffer{}); code != 0 {
		t.Fatalf("version exited %d", code)
	}
	if out := stdout.String(); strings.TrimSpace(out) == "" || strings.Count(out, "\n") != 1 {
		t.Errorf("version printed %q, want one non-empty line", out)
	}

	// A version set at build time (-ldflags -X main.version=...) wins.
	old := version
	version = "v1.2.3"
	t.Cleanup(func() { version = old })
	stdout.Reset()
	run([]string{"version"}, nil, &stdout, &bytes.Buffer{})
	if got := stdout.String(); got != "v1.2.3\n" {
		t.Errorf("version printed %q, want %q", got, "v1.2.3\n")
	}
}
