package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"

	"github.com/edgeshelf/edgeshelf/transform/colour"
)

func readXYZ(b []byte) [3]float64 {
	var v [3]float64
	for i := range 3 {
		v[i] = float64(int32(binary.BigEndian.Uint32(b[8+4*i:]))) / 65536
	}
	return v
}

func dump(path string) {
	icc, _ := os.ReadFile(path)
	h, err := colour.ParseHeader(icc)
	d, derr := colour.ProfileDescription(icc)
	fmt.Printf("%s: %d bytes, err=%v, version=%#x class=%s cs=%q pcs=%q cmm=%q desc=%q (%v)\n", path, len(icc), err, h.Version, h.Class, h.ColourSpace, h.PCS, h.CMM, d, derr)
	for _, t := range h.Tags {
		data := icc[t.Offset : t.Offset+t.Size]
		extra := ""
		switch string(data[:4]) {
		case "XYZ ":
			extra = fmt.Sprintf("%.5f", readXYZ(data))
		case "curv":
			extra = fmt.Sprintf("curv n=%d", binary.BigEndian.Uint32(data[8:]))
		}
		fmt.Printf("  %s %q off=%d size=%d %s\n", t.Sig, data[:4], t.Offset, t.Size, extra)
	}
}

func main() {
	for _, p := range os.Args[1:] {
		if p == "--compare" {
			break
		}
		dump(p)
	}
	cube, _ := os.ReadFile("/tmp/vipscheck/cube.raw")
	for _, c := range []struct {
		space colour.RGBSpace
		files []string
	}{
		{colour.DisplayP3, []string{"ours_p3", "vips_p3", "oo_p3"}},
		{colour.SRGB, []string{"oo_srgb", "back_vips", "back_ours"}},
		{colour.AdobeRGB, []string{"oo_adobe"}},
		{colour.SRGB, []string{"ours_srgb", "vips_srgb"}},
		{colour.AdobeRGB, []string{"ours_adobe"}},
	} {
		for _, f := range c.files {
			out, _ := os.ReadFile("/tmp/vipscheck/" + f + ".raw")
			var maxE, sum, maxDE, sumDE float64
			hist := map[int]int{}
			n := 0
			for i := 0; i+2 < len(cube); i += 3 {
				xyz := colour.SRGB.ToXYZD50(float64(cube[i])/255, float64(cube[i+1])/255, float64(cube[i+2])/255)
				r, g, b := c.space.FromXYZD50(xyz)
				ideal := [3]float64{r * 255, g * 255, b * 255}
				for k := range 3 {
					e := math.Abs(float64(out[i+k]) - ideal[k])
					maxE = math.Max(maxE, e)
					sum += e
					hist[int(math.Abs(float64(out[i+k])-math.Round(ideal[k])))]++
				}
				got := c.space.ToLab(float64(out[i])/255, float64(out[i+1])/255, float64(out[i+2])/255)
				want := colour.XYZD50ToLab(xyz)
				de := colour.DeltaE2000(got, want)
				maxDE = math.Max(maxDE, de)
				sumDE += de
				n++
			}
			fmt.Printf("%-10s vs exact math: max |code-ideal| = %.3f, mean = %.4f, |code-round(ideal)| histogram %v, ΔE00 max %.3f mean %.4f\n",
				f, maxE, sum/float64(3*n), hist, maxDE, sumDE/float64(n))
		}
	}
}

func init() {
	if len(os.Args) > 1 && os.Args[1] == "worst" {
		cube, _ := os.ReadFile("/tmp/vipscheck/cube.raw")
		out, _ := os.ReadFile("/tmp/vipscheck/" + os.Args[2] + ".raw")
		seen := 0
		for i := 0; i+2 < len(cube) && seen < 40; i += 3 {
			d := 0
			for k := range 3 {
				if x := int(out[i+k]) - int(cube[i+k]); x*x > d*d {
					d = x
				}
			}
			if d >= 2 || d <= -2 {
				fmt.Println(cube[i:i+3], out[i:i+3])
				seen++
			}
		}
		os.Exit(0)
	}
}
