package transform

import (
	"fmt"
	"strconv"

	lru "github.com/hashicorp/golang-lru/v2"
)

// q=auto: the lowest encoder quality whose output a colour-managed shop
// would still sign off, found by a bounded search over trial encodes of
// the finished variant. A trial passes when
//
//   - the swatch, measured exactly as qa measures it, is at most
//     AutoQualityDeltaE (CIEDE2000) farther from its declared colour than
//     the unencoded variant's swatch is (the best any quality can do), and
//   - the decoded trial scores at least AutoQualityMinScore (MS-SSIM on
//     CIE L*, package fidelity) against the unencoded pixels.
//
// The format's default quality is the ceiling: q=auto never spends more
// bytes than the fixed default, and when no lower quality passes it is
// the default. Passing is taken as monotone in quality, so a binary
// search over [AutoQualityFloor × default, default] finds the lowest in at most
// AutoQualityEncodes trials.
//
// The choice is cached (autoChoices) per original, geometry, format and
// look, so a re-render (a purge, another locale with the same look) makes
// one encode; and where a sibling format of the same variant was searched
// already, its choice seeds the bracket (autoSeeds).

// autoCacheSize bounds each choice cache: an entry is a short key and an
// int, so 8192 cost well under a few MiB.
const autoCacheSize = 8192

// autoChoices holds the chosen quality per autoKey. Package-level, like
// libvips' own state, so every Renderer shares what was searched; keys
// carry the settings the choice depends on.
var autoChoices = mustLRU[int]()

// autoSeeds holds, per original, geometry and look, where in its bracket
// the last searched format's choice fell (0 = minimum, 1 = default).
var autoSeeds = mustLRU[float64]()

func mustLRU[V any]() *lru.Cache[string, V] {
	c, err := lru.New[string, V](autoCacheSize)
	if err != nil {
		panic(err) // only for a size ≤ 0
	}
	return c
}

// autoQualitySettings is what q=auto's choice depends on beyond the
// default quality, for EffectiveSettings and the choice cache.
func (c Config) autoQualitySettings() string {
	return ";auto=" + strconv.FormatFloat(c.AutoQualityFloor, 'g', -1, 64) + "," + strconv.Itoa(c.AutoQualityEncodes) + "," +
		strconv.FormatFloat(c.AutoQualityDeltaE, 'g', -1, 64) + "," + strconv.FormatFloat(c.AutoQualityMinScore, 'g', -1, 64)
}

// autoKeys are the choice's and the seed's cache keys; empty without a
// source identity.
func autoKeys(st *state) (choice, seed string) {
	if st.req.SourceID == "" {
		return "", ""
	}
	anyFormat := st.spec
	anyFormat.Format = ""
	common := st.req.SourceID + "|" + st.look.Canonical() + "|" + st.cfg.autoQualitySettings()
	// EffectiveSettings: the encoder's effort or speed moves the choice too.
	choice = common + "|" + st.spec.Canonical() + "|" + st.cfg.EffectiveSettings(st.spec)
	return choice, common + "|" + anyFormat.Canonical()
}

// encodeAuto is encode for q=auto: a cached choice, else the search. A
// search that cannot measure (the variant cannot be materialised or
// decoded) falls back to the default quality, logged: q=auto must never
// take a variant down.
func encodeAuto(st *state) error {
	def := defaultQuality(st.cfg, st.spec.Format)
	choiceKey, seedKey := autoKeys(st)
	if q, ok := autoChoices.Get(choiceKey); ok && choiceKey != "" {
		return encodeChosen(st, q, nil, &AutoChoice{Cached: true, Encodes: 1})
	}
	s, err := newAutoSearch(st, def)
	if err != nil {
		st.log.Warn("q=auto could not measure the variant; encoding at the default quality",
			"source", st.req.SourceID, "err", err)
		return encodeChosen(st, def, nil, &AutoChoice{})
	}
	defer s.close()
	var seed *float64
	if r, ok := autoSeeds.Get(seedKey); ok && seedKey != "" {
		seed = &r
	}
	q := s.run(seed)
	t, ok := s.trials[q]
	if !ok { // the default, untried: it is encoded anyway, and measured for the report
		t = s.measure(q)
		s.trials[q] = t
	}
	data := t.data
	if s.cropped() {
		q, data = s.confirmWhole(q)
	}
	if choiceKey != "" {
		autoChoices.Add(choiceKey, q)
		if def > s.lo {
			autoSeeds.Add(seedKey, float64(q-s.lo)/float64(def-s.lo))
		}
	}
	choice := &AutoChoice{Seeded: seed != nil, BestDeltaE: s.bestDeltaE, Trials: s.trials, Encodes: s.encodes,
		Score: t.Score, Window: s.window}
	return encodeChosen(st, q, data, choice)
}

// AutoChoice is how q=auto chose a variant's quality.
type AutoChoice struct {
	// Cached: the choice came from autoChoices, with one encode.
	Cached bool
	// Seeded: a sibling format's choice placed the first trial.
	Seeded bool
	// BestDeltaE is the unencoded variant's swatch ΔE2000, the colour
	// bound's base; nil without a visible swatch.
	BestDeltaE *float64
	// Score is the chosen quality's MS-SSIM; 0 when the choice is cached.
	Score float64
	// Encodes counts the encodes the render made, the served one included.
	Encodes int
	// Window is the part of the variant (left, top, width, height) the
	// trials encoded: all of it up to autoWindowPixels, else a window
	// around the swatch or the centre.
	Window [4]int
	// Trials are the search's trial encodes by quality.
	Trials map[int]*AutoTrial
}

// encodeChosen sets the result at quality q, encoding unless a trial
// already did.
func encodeChosen(st *state, q int, data []byte, choice *AutoChoice) error {
	img := st.img
	if data == nil {
		var err error
		if data, err = encodeAt(st, img, q); err != nil {
			return corrupt(fmt.Errorf("encode %s: %w", st.spec.Format, err))
		}
	}
	st.out = &Result{Data: data, Format: st.spec.Format, Width: img.Width(), Height: img.Height(),
		ContentType: st.spec.Format.ContentType(), Quality: q, Auto: choice}
	return nil
}

// QualityLabel is the X-Quality header's value: the encoder quality, with
// " (auto)" when q=auto chose it; "" for PNG.
func (r *Result) QualityLabel() string {
	if r.Quality <= 0 {
		return ""
	}
	if r.Auto != nil {
		return strconv.Itoa(r.Quality) + " (auto)"
	}
	return strconv.Itoa(r.Quality)
}
