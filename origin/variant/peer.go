package variant

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/edgeshelf/edgeshelf/cache"
	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform"
)

// PeerPlan is a plan as one replica sends it to the owner of its key (the
// cluster's peer fill): what the owner needs to render exactly the variant
// the asker's key names. The owner re-derives the original from its own
// catalog and the key from its own settings, and refuses a plan whose key
// differs, so a peer can never make it render or cache anything the key
// does not name.
type PeerPlan struct {
	SKU     string         `json:"sku"`
	View    string         `json:"view"`
	Hub     string         `json:"hub,omitempty"`
	Locale  string         `json:"locale,omitempty"`
	Spec    transform.Spec `json:"spec"`
	Look    transform.Look `json:"look"`
	Profile string         `json:"profile"`
}

// peerPlan is p as sent to peers (after resolveGamut: the look and key
// the variant is served under).
func (p Plan) peerPlan() PeerPlan {
	return PeerPlan{SKU: p.SKU, View: p.View, Hub: p.Orig.Hub, Locale: p.Locale, Spec: p.Spec, Look: p.Look, Profile: p.Profile}
}

// errPlanMismatch: the plan does not hash to the key here (the replicas
// run different catalogs or settings for a moment); the asker fills it.
var errPlanMismatch = problem.New(http.StatusConflict, "peer_plan_mismatch", "the plan does not name the key asked for on this replica")

// ServePeer fills key for a peer from its plan (raw JSON) through this
// replica's cache: its L1, the shared L2, or one render coalesced with
// every other request for the key. ctx should be cache.LocalOnly.
func (s *Service) ServePeer(ctx context.Context, key string, raw []byte) (*cache.Entry, error) {
	var pp PeerPlan
	if err := json.Unmarshal(raw, &pp); err != nil {
		return nil, problem.Wrap(err, http.StatusBadRequest, "invalid_json", "the peer plan does not parse: %v", err)
	}
	p, err := s.planFromPeer(pp)
	if err != nil {
		return nil, err
	}
	if p.Key != key {
		return nil, errPlanMismatch
	}
	ctx = cache.LocalOnly(ctx)
	e, _, err := s.Get(ctx, p)
	return e, err
}

// planFromPeer rebuilds a plan from this replica's catalog and settings.
func (s *Service) planFromPeer(pp PeerPlan) (Plan, error) {
	if err := pp.Spec.Validate(s.settings); err != nil {
		return Plan{}, err
	}
	orig, err := s.Catalog().Resolve(pp.SKU, pp.View, pp.Hub)
	if err != nil {
		return Plan{}, err
	}
	if orig.Hub != pp.Hub {
		return Plan{}, errPlanMismatch
	}
	key := transform.VariantKey{SourceKey: orig.Key, SourceETag: orig.ETag, Spec: pp.Spec, Look: pp.Look, Profile: pp.Profile}
	p := Plan{
		SKU: pp.SKU, View: pp.View, Orig: orig, Spec: pp.Spec, Look: pp.Look, Profile: pp.Profile, Locale: pp.Locale,
		Key: cache.Key(pp.SKU, key.Hash(s.settings)), Tags: tagsOf(pp.SKU, orig),
	}
	return p, nil
}

func tagsOf(sku string, orig catalog.Original) []string {
	tags := []string{"sku-" + sku}
	if orig.Hub != "" {
		tags = append(tags, "hub-"+orig.Hub)
	}
	return tags
}
