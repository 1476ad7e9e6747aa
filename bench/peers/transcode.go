package peers

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/davidbyttow/govips/v2/vips"
	"golang.org/x/sync/errgroup"
)

// SourceFormats are the encodings the originals can be served in: the
// generated JPEGs, or those transcoded to AVIF or HEIC, as a shop's photos
// taken on phones arrive.
var SourceFormats = []string{"jpeg", "avif", "heic"}

// transcodeQuality is the HEIF encoders' quality for transcoded originals,
// about what a phone writes; transcodeEffort keeps the one-off AV1 encode
// of 64 originals to seconds each.
const (
	transcodeQuality = 90
	transcodeEffort  = 2
)

// Transcode is the set re-encoded as format ("avif" or "heic") in dir,
// made once and then reused as Generate's set is. libvips writes no
// thumbnail item, so every render of such an original decodes its whole
// primary image, on both servers alike. "jpeg" is the set itself.
func (o *Originals) Transcode(format, dir string) (*Originals, error) {
	if format == "jpeg" {
		return o, nil
	}
	if !slices.Contains(SourceFormats, format) {
		return nil, fmt.Errorf("unknown source format %q (want %s)", format, strings.Join(SourceFormats, ", "))
	}
	if t, err := loadManifest(dir, len(o.SKUs), o.Size, format); err == nil {
		return t, nil
	}
	t := &Originals{Dir: dir, Size: o.Size, Format: format, SKUs: o.SKUs,
		SHA256: make([]string, len(o.SKUs)), Bytes: make([]int64, len(o.SKUs))}
	startVips()
	var g errgroup.Group
	g.SetLimit(2)
	for i, sku := range o.SKUs {
		g.Go(func() error {
			src, err := os.ReadFile(filepath.Join(o.Dir, filepath.FromSlash(o.Path(sku))))
			if err != nil {
				return err
			}
			data, err := encodeHEIF(src, format)
			if err != nil {
				return fmt.Errorf("transcoding %s: %w", sku, err)
			}
			return t.write(i, data)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return t, t.finish()
}

// startVips quiets and starts libvips once, before any worker loads: govips'
// own start on first use reads its flag unguarded (a race when two loads are
// the first), and its log settings are globals its finalizers read.
var startVips = sync.OnceFunc(func() {
	vips.LoggingSettings(nil, vips.LogLevelError)
	vips.Startup(nil)
})

// encodeHEIF re-encodes a JPEG as an 8-bit AVIF or HEIC.
func encodeHEIF(jpeg []byte, format string) ([]byte, error) {
	img, err := vips.LoadImageFromBuffer(jpeg, vips.NewImportParams())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	var out []byte
	if format == "avif" {
		out, _, err = img.ExportAvif(&vips.AvifExportParams{Quality: transcodeQuality, Bitdepth: 8, Effort: transcodeEffort})
	} else {
		out, _, err = img.ExportHeif(&vips.HeifExportParams{Quality: transcodeQuality, Bitdepth: 8, Effort: transcodeEffort})
	}
	return out, err
}
