// The front end's build: one small bundle in dist/, served by `canvass serve` at `/`.
// The Iowa county map comes from us-atlas (counties-10m.json): at build time only Iowa's 99
// counties (state FIPS 19) and the arcs they use are kept, as a small TopoJSON module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

type Arcs = number[][][];
interface Geometry {
  type: string;
  id?: string;
  properties?: { name?: string };
  arcs?: number[][] | number[][][];
}
interface Topology {
  type: 'Topology';
  transform: { scale: [number, number]; translate: [number, number] };
  arcs: Arcs;
  objects: Record<string, { type: string; geometries: Geometry[] }>;
}

const IOWA_FIPS = '19';

function iowaCounties(): Plugin {
  const id = 'virtual:iowa-counties';
  const resolved = '\0' + id;
  return {
    name: 'iowa-counties',
    resolveId(source) {
      return source === id ? resolved : undefined;
    },
    load(source) {
      if (source !== resolved) return undefined;
      const require = createRequire(import.meta.url);
      const file = require.resolve('us-atlas/counties-10m.json');
      const topo = JSON.parse(readFileSync(file, 'utf8')) as Topology;
      const kept: Arcs = [];
      const index = new Map<number, number>();
      const remap = (i: number): number => {
        const k = i < 0 ? ~i : i;
        let n = index.get(k);
        if (n === undefined) {
          n = kept.length;
          index.set(k, n);
          kept.push(topo.arcs[k] ?? []);
        }
        return i < 0 ? ~n : n;
      };
      const pick = (g: Geometry): Geometry => {
        if (g.type === 'Polygon') {
          return { ...g, arcs: (g.arcs as number[][]).map((ring) => ring.map(remap)) };
        }
        if (g.type === 'MultiPolygon') {
          return {
            ...g,
            arcs: (g.arcs as number[][][]).map((poly) => poly.map((ring) => ring.map(remap))),
          };
        }
        return g;
      };
      const counties = (topo.objects['counties']?.geometries ?? [])
        .filter((g) => (g.id ?? '').startsWith(IOWA_FIPS))
        .map(pick);
      const out: Topology = {
        type: 'Topology',
        transform: topo.transform,
        arcs: kept,
        objects: { counties: { type: 'GeometryCollection', geometries: counties } },
      };
      return `export default ${JSON.stringify(out)};`;
    },
  };
}

export default defineConfig({
  plugins: [preact(), iowaCounties()],
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, target: 'es2020' },
});
