package routing

import "math"

const earthRadiusKM = 6371.0088 // mean Earth radius (IUGG)

// point is a location in radians with its latitude's cosine precomputed:
// distances are computed per hub per decision, and the trigonometry of the
// fixed end is paid once.
type point struct {
	lat, lon, cosLat float64
}

func newPoint(latDeg, lonDeg float64) point {
	lat := latDeg * math.Pi / 180
	return point{lat: lat, lon: lonDeg * math.Pi / 180, cosLat: math.Cos(lat)}
}

// distanceKM is the great-circle (haversine) distance.
func distanceKM(a, b point) float64 {
	sinLat := math.Sin((b.lat - a.lat) / 2)
	sinLon := math.Sin((b.lon - a.lon) / 2)
	h := sinLat*sinLat + a.cosLat*b.cosLat*sinLon*sinLon
	if h > 1 {
		h = 1
	}
	return 2 * earthRadiusKM * math.Asin(math.Sqrt(h))
}

// distances are the rule set's nodes' distances to a destination: from its
// point (into buf, which holds one per node; nil allocates), else from its
// country's centre (shared, read-only); nil when neither is known.
func (rs *RuleSet) distances(d Destination, country string, buf []float64) []float64 {
	if d.Lat == nil || d.Lon == nil {
		return rs.countryDist[country]
	}
	if buf == nil {
		buf = make([]float64, len(rs.nodes))
	}
	p := newPoint(*d.Lat, *d.Lon)
	for i := range rs.nodes {
		buf[i] = distanceKM(p, rs.nodes[i].at)
	}
	return buf
}

// centroids places a destination given only its country. The points are
// approximate centres of population, not geographic centres: what matters
// for routing is where parcels go (Canada's is near the US border, not in
// Nunavut). Countries missing here need lat/lon on the order, or
// distance-based rules cannot judge them.
var centroids = map[string][2]float64{
	// Europe (every country of the demo's EU region first).
	"PL": {52.0, 19.4}, "DE": {51.0, 9.8}, "FR": {46.8, 2.4}, "AT": {47.8, 14.5},
	"NL": {52.2, 5.3}, "BE": {50.8, 4.5}, "CZ": {49.8, 15.3}, "SK": {48.6, 19.2},
	"IT": {42.8, 12.3}, "ES": {40.2, -3.7}, "PT": {39.9, -8.4}, "DK": {55.9, 10.6},
	"SE": {59.8, 16.0}, "FI": {61.9, 25.0}, "LT": {55.3, 23.9}, "LV": {56.9, 24.5},
	"EE": {58.9, 25.3}, "IE": {53.3, -7.7}, "GB": {52.6, -1.5}, "CH": {47.1, 8.1},
	"NO": {60.3, 9.6}, "HU": {47.3, 19.3}, "RO": {45.6, 25.0}, "BG": {42.7, 25.1},
	"GR": {38.9, 22.8}, "HR": {45.3, 15.9}, "SI": {46.1, 14.8}, "RS": {44.2, 20.7},
	"UA": {49.0, 31.5}, "LU": {49.7, 6.1}, "IS": {64.1, -21.6}, "CY": {35.0, 33.3},
	"MT": {35.9, 14.4}, "BY": {53.7, 27.9}, "TR": {39.6, 32.0}, "RU": {55.2, 45.0},
	// Americas.
	"US": {37.4, -92.2}, "CA": {46.4, -78.9}, "MX": {21.5, -100.0}, "BR": {-19.0, -46.5},
	"AR": {-34.4, -60.7}, "CL": {-35.2, -71.3}, "CO": {5.3, -74.6}, "PE": {-10.2, -76.4},
	// Asia-Pacific.
	"JP": {35.5, 137.4}, "KR": {36.9, 127.4}, "AU": {-32.1, 147.0}, "NZ": {-39.4, 175.0},
	"SG": {1.35, 103.82}, "CN": {32.3, 113.5}, "HK": {22.33, 114.17}, "TW": {24.0, 120.9},
	"IN": {22.8, 78.9}, "TH": {14.3, 100.7}, "MY": {3.8, 102.3}, "ID": {-6.4, 109.0},
	"VN": {15.6, 107.1}, "PH": {13.0, 122.0}, "IL": {31.9, 34.9}, "AE": {24.8, 55.0},
	"SA": {24.1, 45.3},
	// Africa.
	"ZA": {-27.2, 27.6}, "EG": {29.6, 31.2}, "NG": {8.6, 6.0}, "KE": {-0.6, 36.9},
	"MA": {33.0, -6.8},
}
