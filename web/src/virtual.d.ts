declare module 'virtual:iowa-counties' {
  import type { Topology, GeometryCollection } from 'topojson-specification';
  const topology: Topology<{ counties: GeometryCollection<{ name: string }> }>;
  export default topology;
}

declare module '*.css';
