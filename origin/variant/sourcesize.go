package variant

import (
	"context"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/transform"
)

// SourceSize is an original's width and height as displayed (EXIF
// orientation applied), read from its header without decoding pixels. It
// is not remembered here: the caller that needs it on a hot path keeps its
// own bounded memory of it.
func (s *Service) SourceSize(ctx context.Context, orig catalog.Original) (width, height int, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	obj, err := s.source(ctx, orig)
	if err != nil {
		return 0, 0, err
	}
	info, err := transform.Inspect(obj.Data, s.settings)
	if err != nil {
		return 0, 0, err
	}
	if info.Orientation >= 5 { // 5-8 turn the image a quarter
		return info.Height, info.Width, nil
	}
	return info.Width, info.Height, nil
}
