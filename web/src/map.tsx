// Iowa's 99 counties (us-atlas, built into the bundle by vite.config.ts), each coloured by its
// leader. Shapes are projected here with a plain equirectangular projection scaled by the cosine
// of Iowa's middle latitude: at a state's size that is indistinguishable from a conic one.
import { feature } from 'topojson-client';
import type { Feature, Geometry, Position } from 'geojson';
import iowa from 'virtual:iowa-counties';
import { useMemo, useRef, useState } from 'preact/hooks';

export function countyKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, '');
}

interface Shape {
  name: string;
  key: string;
  d: string;
}

const WIDTH = 600;

function shapes(): { shapes: Shape[]; height: number } {
  const fc = feature(iowa, iowa.objects.counties) as unknown as { features: Feature<Geometry, { name: string }>[] };
  const k = Math.cos((42 * Math.PI) / 180);
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  const rings = (g: Geometry): Position[][] =>
    g.type === 'Polygon' ? g.coordinates : g.type === 'MultiPolygon' ? g.coordinates.flat() : [];
  for (const f of fc.features) {
    for (const ring of rings(f.geometry)) {
      for (const [lon = 0, lat = 0] of ring) {
        const x = lon * k, y = -lat;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
    }
  }
  const scale = WIDTH / (maxX - minX);
  const height = Math.ceil((maxY - minY) * scale);
  const out = fc.features.map((f) => {
    const d = rings(f.geometry)
      .map((ring) =>
        ring
          .map(([lon = 0, lat = 0], i) => `${i ? 'L' : 'M'}${((lon * k - minX) * scale).toFixed(1)},${((-lat - minY) * scale).toFixed(1)}`)
          .join('') + 'Z',
      )
      .join('');
    const name = f.properties?.name ?? '';
    return { name, key: countyKey(name), d };
  });
  out.sort((a, b) => a.name.localeCompare(b.name));
  return { shapes: out, height };
}

export interface CountyFill {
  colour: string;
  label: string; // "Polk: Buttigieg leads (123.45 SDEs)"
}

// The map is one tab stop: the arrow keys move between counties (in alphabetical order), Home and
// End go to the first and last, Enter or Space opens the county focused, as a click does.
export function IowaMap(props: { fills: Map<string, CountyFill>; onSelect?: (county: string) => void }) {
  const { shapes: all, height } = useMemo(shapes, []);
  const [active, setActive] = useState(0);
  const svg = useRef<SVGSVGElement>(null);
  const focusAt = (i: number) => {
    const n = (i + all.length) % all.length;
    setActive(n);
    svg.current?.querySelectorAll<SVGPathElement>('path[data-county]')[n]?.focus();
  };
  const onKey = (e: KeyboardEvent, i: number, name: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      props.onSelect?.(name);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
      e.preventDefault();
      focusAt(i + 1);
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
      e.preventDefault();
      focusAt(i - 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusAt(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusAt(all.length - 1);
    }
  };
  return (
    <svg
      ref={svg}
      class="map"
      viewBox={`-2 -2 ${WIDTH + 4} ${height + 4}`}
      role="group"
      aria-labelledby="map-title"
      data-testid="county-map"
    >
      <title id="map-title">Map of Iowa's 99 counties, each coloured by its leading candidate; arrow keys move between counties, Enter opens one</title>
      {all.map((s, i) => {
        const fill = props.fills.get(s.key);
        const label = fill?.label ?? `${s.name}: no results yet`;
        return (
          <path
            key={s.key}
            d={s.d}
            data-county={s.name}
            fill={fill?.colour ?? '#e8e8e8'}
            stroke="#ffffff"
            stroke-width="0.8"
            role="button"
            tabIndex={i === active ? 0 : -1}
            aria-label={label}
            onFocus={() => setActive(i)}
            onKeyDown={(e) => onKey(e, i, s.name)}
            onClick={() => props.onSelect?.(s.name)}
          >
            <title>{label}</title>
          </path>
        );
      })}
    </svg>
  );
}
