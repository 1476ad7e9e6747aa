package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/bench/sim"
	"github.com/edgeshelf/edgeshelf/bench/sim/live"
)

// writeSizes renders every demo variant through a real origin and writes
// the sizes table the generators use.
func writeSizes(ctx context.Context, root, path string, presets, formats []string, stderr io.Writer) error {
	tmp, err := os.MkdirTemp("", "edgeshelf-sim-sizes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	t0 := time.Now()
	rows, err := live.MeasureSizes(ctx, filepath.Join(root, "demo"), tmp, presets, formats)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "rendered %d variants in %s\n", len(rows), time.Since(t0).Round(time.Second))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	comment := fmt.Sprintf("Real rendered sizes of the demo catalog's variants (libvips, in-process origin), measured %s.\n"+
		"entry_bytes is cache.Entry.Size() as the memory tier accounts it. Regenerate: %s",
		time.Now().UTC().Format("2006-01-02"), sim.SizesCommand)
	if len(presets) != 4 || len(formats) != 3 {
		comment += " --presets " + strings.Join(presets, ",") + " --formats " + strings.Join(formats, ",")
	}
	if err := sim.WriteSizes(f, comment, rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
