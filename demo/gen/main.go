// Command gen makes the demo catalog's generated originals: the perfume
// SKUs' bottle illustrations (SVG, rasterised by libvips at 2400 px) and the
// hub photos, which are masters under a deterministic warm tungsten cast.
//
//	go run ./demo/gen            # from the repository root
//
// Output is deterministic for a given libvips and font set; the results are
// committed, so users never need to run this.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"text/template"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// tungsten is the warm cast of the hub's studio light, applied to linear
// R, G, B: what a master shot under ~3200 K bulbs with a daylight white
// balance looks like.
var tungsten = [3]float64{1.20, 1.0, 0.65}

type perfume struct {
	SKU, Name, Notes string
	Liquid, Cap, Box string
	Profile          string // "", "p3" or "adobe"
	HubCast          []string
}

var perfumes = []perfume{
	{SKU: "amber-oud-50ml", Name: "Amber Oud", Notes: "eau de parfum · 50 ml", Liquid: "#c8731e", Cap: "#b8913a", Box: "#5a3418", Profile: "p3", HubCast: []string{"eu-waw"}},
	{SKU: "vetiver-noir-50ml", Name: "Vetiver Noir", Notes: "eau de parfum · 50 ml", Liquid: "#3d5a31", Cap: "#1c1c1c", Box: "#1f2a1b", Profile: "adobe"},
	{SKU: "rose-absolute-30ml", Name: "Rose Absolute", Notes: "extrait · 30 ml", Liquid: "#d9707f", Cap: "#c9a38f", Box: "#7a2f3d"},
}

// Merch hub photos: the master of these SKU views under the same cast.
var merchHubPhotos = map[string][]string{"label-hoodie/front": {"eu-waw"}}

const backdrop = `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="#f6f2ec"/><stop offset="1" stop-color="#e6ddd1"/></linearGradient></defs>
<rect width="1000" height="1000" fill="url(#bg)"/>
<ellipse cx="500" cy="905" rx="260" ry="26" fill="#000" fill-opacity="0.12"/>`

var views = map[string]*template.Template{
	"front": template.Must(template.New("front").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="2400" viewBox="0 0 1000 1000">` + backdrop + `
<rect x="300" y="330" width="400" height="560" rx="48" fill="#dfe6e8" fill-opacity="0.55" stroke="#9aa5a8" stroke-width="6"/>
<rect x="320" y="420" width="360" height="450" rx="32" fill="{{.Liquid}}"/>
<rect x="336" y="440" width="26" height="400" rx="13" fill="#fff" fill-opacity="0.35"/>
<rect x="450" y="265" width="100" height="70" fill="#cfd6d8" stroke="#9aa5a8" stroke-width="4"/>
<rect x="405" y="140" width="190" height="130" rx="14" fill="{{.Cap}}"/>
<rect x="380" y="580" width="240" height="150" rx="6" fill="#fbf8f2" stroke="#3a3a3a" stroke-width="3"/>
<text x="500" y="650" font-family="DejaVu Serif" font-size="34" text-anchor="middle" fill="#222">{{.Name}}</text>
<text x="500" y="695" font-family="DejaVu Sans" font-size="20" text-anchor="middle" fill="#555">{{.Notes}}</text>
</svg>`)),
	"side": template.Must(template.New("side").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="2400" viewBox="0 0 1000 1000">` + backdrop + `
<rect x="420" y="330" width="160" height="560" rx="40" fill="#dfe6e8" fill-opacity="0.55" stroke="#9aa5a8" stroke-width="6"/>
<rect x="436" y="420" width="128" height="450" rx="28" fill="{{.Liquid}}"/>
<rect x="450" y="440" width="18" height="400" rx="9" fill="#fff" fill-opacity="0.35"/>
<rect x="470" y="265" width="60" height="70" fill="#cfd6d8" stroke="#9aa5a8" stroke-width="4"/>
<rect x="440" y="140" width="120" height="130" rx="14" fill="{{.Cap}}"/>
</svg>`)),
	"box": template.Must(template.New("box").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="2400" viewBox="0 0 1000 1000">` + backdrop + `
<polygon points="300,230 640,230 720,170 380,170" fill="{{.Box}}" fill-opacity="0.8"/>
<polygon points="640,230 720,170 720,830 640,890" fill="{{.Box}}" fill-opacity="0.65"/>
<rect x="300" y="230" width="340" height="660" fill="{{.Box}}"/>
<rect x="330" y="470" width="280" height="4" fill="{{.Cap}}"/>
<text x="470" y="440" font-family="DejaVu Serif" font-size="40" text-anchor="middle" fill="#f3ead8">{{.Name}}</text>
<text x="470" y="520" font-family="DejaVu Sans" font-size="22" text-anchor="middle" fill="#e0d2b8">{{.Notes}}</text>
</svg>`)),
}

func main() {
	root := "demo/originals"
	if _, err := os.Stat(root); err != nil {
		log.Fatalf("run from the repository root: %v", err)
	}
	must(transform.Startup(transform.Defaults()))
	defer transform.Shutdown()

	adobe, err := transform.WriteProfile(colour.AdobeRGBProfile())
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(adobe)
	profiles := map[string]string{"": "", "p3": "p3", "adobe": adobe}

	for _, p := range perfumes {
		for view, tpl := range views {
			var svg bytes.Buffer
			if err := tpl.Execute(&svg, p); err != nil {
				log.Fatal(err)
			}
			dir := filepath.Join(root, p.SKU)
			must(os.MkdirAll(dir, 0o755))
			must(os.WriteFile(filepath.Join(dir, view+".svg.txt"), svg.Bytes(), 0o644))
			opts := transform.SourceOptions{ProfilePath: profiles[p.Profile], Quality: 90}
			write(filepath.Join(dir, view+".jpg"), svg.Bytes(), opts)
			if view != "front" {
				continue
			}
			for _, hub := range p.HubCast {
				opts.Cast = &tungsten
				write(filepath.Join(dir, view+"@"+hub+".jpg"), svg.Bytes(), opts)
			}
		}
	}
	for skuView, hubs := range merchHubPhotos {
		master, err := os.ReadFile(filepath.Join(root, skuView+".jpg"))
		must(err)
		for _, hub := range hubs {
			write(filepath.Join(root, skuView+"@"+hub+".jpg"), master, transform.SourceOptions{Cast: &tungsten, Quality: 90})
		}
	}
}

func write(path string, src []byte, opts transform.SourceOptions) {
	out, err := transform.MakeSource(src, opts)
	must(err)
	must(os.WriteFile(path, out, 0o644))
	fmt.Println("wrote", path, len(out), "bytes")
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
