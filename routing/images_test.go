package routing

import (
	"context"
	"errors"
	"testing"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/store"
)

func TestImageSet(t *testing.T) {
	cat := demoCatalog(t)
	views, err := ImageSet(cat, amber, "eu-waw", "de-AT")
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 3 || views[0].View != "front" || views[2].View != "box" {
		t.Fatalf("views %+v, want front, side, box", views)
	}
	// No hub photo in a parsed-only catalog: the URLs name the master, and
	// de-AT resolves to the catalog's de-DE.
	front := views[0]
	want := ImageView{
		SKU: amber, View: "front",
		Card: "/img/amber-oud-50ml/front/card.auto?locale=de-DE",
		PDP:  "/img/amber-oud-50ml/front/pdp.auto?locale=de-DE",
		Zoom: "/img/amber-oud-50ml/front/zoom.auto?locale=de-DE",
		Srcset: "/img/amber-oud-50ml/front/card.auto?locale=de-DE 480w, " +
			"/img/amber-oud-50ml/front/pdp.auto?locale=de-DE 1200w, " +
			"/img/amber-oud-50ml/front/zoom.auto?locale=de-DE 2400w",
	}
	if front != want {
		t.Errorf("front =\n%+v\nwant\n%+v", front, want)
	}

	var nf *catalog.NotFoundError
	if _, err := ImageSet(cat, "nope", "", "en-US"); !errors.As(err, &nf) || nf.Kind != "sku" {
		t.Errorf("unknown SKU: %v", err)
	}
	if _, err := ImageSet(cat, amber, "mars", "en-US"); !errors.As(err, &nf) || nf.Kind != "hub" {
		t.Errorf("unknown hub: %v", err)
	}
}

// With the originals indexed, a view the hub photographed itself gets
// hub= in its URLs; the others keep the master's URLs.
func TestImageSetHubPhoto(t *testing.T) {
	ctx := context.Background()
	blob := newMemBlob()
	_, _ = blob.Put(ctx, catalog.Key, []byte(demoCatalogYAML), store.PutOptions{})
	parsed := demoCatalog(t)
	for _, s := range parsed.SKUs {
		for _, v := range s.Views {
			_, _ = blob.Put(ctx, catalog.OriginalsPrefix+s.ID+"/"+v+".jpg", []byte("x"), store.PutOptions{})
		}
	}
	_, _ = blob.Put(ctx, catalog.OriginalsPrefix+amber+"/front@eu-waw.jpg", []byte("x"), store.PutOptions{})
	cat, _, err := catalog.Load(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	views, err := ImageSet(cat, amber, "eu-waw", "pl-PL")
	if err != nil {
		t.Fatal(err)
	}
	if v := views[0]; v.Hub != "eu-waw" || v.Card != "/img/amber-oud-50ml/front/card.auto?locale=pl-PL&hub=eu-waw" {
		t.Errorf("front with a hub photo: %+v", v)
	}
	if v := views[1]; v.Hub != "" || v.Card != "/img/amber-oud-50ml/side/card.auto?locale=pl-PL" {
		t.Errorf("side without a hub photo: %+v", v)
	}
}
