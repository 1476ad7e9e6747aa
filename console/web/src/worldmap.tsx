import { useMemo, useRef } from 'preact/hooks';
import { geoContains, geoGraticule10, geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'i18n-iso-countries';
import world from 'world-atlas/countries-110m.json';

// A plain SVG world outline, bundled: no tile server, nothing fetched at run
// time. Country shapes come from Natural Earth (via world-atlas), keyed by
// ISO 3166 numeric codes, which i18n-iso-countries turns into alpha-2.

type Country = Feature<Geometry, { name: string }> & { id?: string };

const width = 960;
const height = 500;

const topo = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const shapes = (feature(topo, topo.objects.countries) as FeatureCollection<Geometry, { name: string }>).features as Country[];
const alpha2 = shapes.map((f) => (f.id ? countries.numericToAlpha2(f.id) : undefined));

/** A view of the map: the world, or a box around some warehouses. */
export interface MapView {
  label: string;
  box?: { west: number; south: number; east: number; north: number };
}

/** The world, and one view per region around its warehouses (with room for their buyers). */
export function mapViews(hubs: { region: string; lat: number; lon: number }[]): MapView[] {
  const views: MapView[] = [{ label: 'World' }];
  const regions = [...new Set(hubs.map((h) => h.region))].sort();
  for (const r of regions) {
    const hs = hubs.filter((h) => h.region === r);
    const lats = hs.map((h) => h.lat);
    const lons = hs.map((h) => h.lon);
    views.push({
      label: r,
      box: {
        west: Math.max(-180, Math.min(...lons) - 28),
        east: Math.min(180, Math.max(...lons) + 28),
        south: Math.max(-85, Math.min(...lats) - 16),
        north: Math.min(85, Math.max(...lats) + 16),
      },
    });
  }
  return views;
}

function projectionFor(view: MapView) {
  const extent: [[number, number], [number, number]] = [
    [4, 4],
    [width - 4, height - 4],
  ];
  const p = geoNaturalEarth1();
  if (!view.box) return p.fitExtent(extent, { type: 'Sphere' });
  const { west, south, east, north } = view.box;
  const edge: [number, number][] = [];
  for (let i = 0; i <= 8; i++) {
    const lon = west + ((east - west) * i) / 8;
    edge.push([lon, south], [lon, north]);
  }
  return p.fitExtent(extent, { type: 'MultiPoint', coordinates: edge }).clipExtent([
    [0, 0],
    [width, height],
  ]);
}

/** The country (ISO alpha-2) at a point, if the point is on land. */
export function countryAt(lon: number, lat: number): string | undefined {
  const i = shapes.findIndex((s) => geoContains(s, [lon, lat]));
  return i >= 0 ? alpha2[i] : undefined;
}

export interface MapPin {
  id: string;
  label: string;
  lat: number;
  lon: number;
  kind: 'hub' | 'central' | 'chosen' | 'rejected';
}

export function WorldMap(props: {
  pins: MapPin[];
  view: MapView;
  destination?: { lat: number; lon: number };
  route?: { from: { lat: number; lon: number }; to: { lat: number; lon: number } };
  highlight?: string; // alpha-2 of the destination country
  onPick: (p: { lat: number; lon: number; country?: string }) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const { projection, outline, graticule, countryPaths } = useMemo(() => {
    const projection = projectionFor(props.view);
    const path = geoPath(projection);
    return {
      projection,
      outline: path({ type: 'Sphere' }) ?? '',
      graticule: path(geoGraticule10()) ?? '',
      countryPaths: shapes.map((f, i) => ({ d: path(f) ?? '', alpha2: alpha2[i], name: f.properties.name })),
    };
  }, [props.view]);
  const routePath = useMemo(() => {
    if (!props.route) return '';
    const { from, to } = props.route;
    return (
      geoPath(projection)({
        type: 'LineString',
        coordinates: [
          [from.lon, from.lat],
          [to.lon, to.lat],
        ],
      }) ?? ''
    );
  }, [props.route, projection]);

  const click = (e: MouseEvent) => {
    const el = svg.current;
    if (!el) return;
    const ctm = el.getScreenCTM();
    if (!ctm) return;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const ll = projection.invert?.([pt.x, pt.y]);
    if (!ll || Number.isNaN(ll[0])) return;
    const [lon, lat] = ll;
    props.onPick({ lat: Math.round(lat * 100) / 100, lon: Math.round(lon * 100) / 100, country: countryAt(lon, lat) });
  };
  const at = (lat: number, lon: number) => projection([lon, lat]) ?? [0, 0];
  return (
    <svg ref={svg} id="world-map" class="map" viewBox={`0 0 ${width} ${height}`} onClick={click} role="img" aria-label="World map: click to place the buyer">
      <path d={outline} class="sea" />
      <path d={graticule} class="graticule" />
      {countryPaths.map((c, i) => (
        <path key={i} d={c.d} class={`land${c.alpha2 && c.alpha2 === props.highlight ? ' picked' : ''}`}>
          <title>{c.name}</title>
        </path>
      ))}
      {routePath && <path d={routePath} class="route" />}
      {props.pins.map((p) => {
        const [x, y] = at(p.lat, p.lon);
        return (
          <g key={p.id} class={`pin ${p.kind}`} transform={`translate(${x},${y})`}>
            <circle r={p.kind === 'chosen' ? 8 : 6} />
            <text x={10} y={4}>
              {p.label}
            </text>
          </g>
        );
      })}
      {props.destination &&
        (() => {
          const [x, y] = at(props.destination.lat, props.destination.lon);
          return (
            <g class="pin buyer" transform={`translate(${x},${y})`}>
              <path d="M0,0 L-6,-14 A7,7 0 1,1 6,-14 Z" />
              <text x={-9} y={-8} text-anchor="end">
                buyer
              </text>
            </g>
          );
        })()}
    </svg>
  );
}
