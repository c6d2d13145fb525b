// The release timeline: how each candidate's share of the state's SDEs and the precincts complete
// moved, release by release (GET /api/v1/releases/timeline). A plain SVG line chart, and the same
// figures as a table for whoever cannot see the chart. Shares are the server's exact two-place
// percentages; they become numbers here only to place points on the chart.
import type { TimelinePoint } from './api';
import { colourOf } from './palette';

const W = 600;
const H = 220;
const PAD = { left: 40, right: 12, top: 10, bottom: 28 };
const MAX_LINES = 6;

function percentComplete(p: TimelinePoint): string {
  const { complete, precincts } = p.reporting;
  if (precincts <= 0) return '0.0';
  // One decimal, half up, in integers: (complete * 1000 / precincts) rounded, then placed.
  const tenths = Math.floor((complete * 2000 + precincts) / (2 * precincts));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

// The candidates drawn: those with any share in any release, largest latest share first.
export function timelineCandidates(points: TimelinePoint[], side: 'reported' | 'computed', candidates: string[]): string[] {
  const last = points[points.length - 1];
  if (!last) return [];
  const any = candidates.filter((c) => points.some((p) => Number(p[side].sde_share[c] ?? '0') > 0));
  any.sort((a, b) => Number(last[side].sde_share[b] ?? '0') - Number(last[side].sde_share[a] ?? '0'));
  return any.slice(0, MAX_LINES);
}

export function Timeline(props: { points: TimelinePoint[]; side: 'reported' | 'computed'; candidates: string[] }) {
  const { points, side, candidates } = props;
  if (points.length === 0) {
    return <p class="muted" data-testid="timeline-empty">No release has been published yet.</p>;
  }
  const shown = timelineCandidates(points, side, candidates);
  const top = Math.max(10, ...points.flatMap((p) => shown.map((c) => Number(p[side].sde_share[c] ?? '0'))), ...points.map((p) => Number(percentComplete(p))));
  const ymax = Math.min(100, Math.ceil(top / 10) * 10);
  const x = (i: number) => PAD.left + (points.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / ymax);
  const path = (values: number[]) => values.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const series = shown.map((c) => ({ c, values: points.map((p) => Number(p[side].sde_share[c] ?? '0')) }));
  const reporting = points.map((p) => Number(percentComplete(p)));
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <div class="timeline">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="tl-title tl-desc" data-testid="timeline-chart">
        <title id="tl-title">Share of SDEs and precincts complete, release by release</title>
        <desc id="tl-desc">
          {`${points.length} releases, from release ${first?.number} to ${last?.number}; the table below holds every figure.`}
        </desc>
        {[0, ymax / 2, ymax].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#e0e0dc" stroke-width="1" />
            <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end" class="tick">{`${v}%`}</text>
          </g>
        ))}
        {points.map((p, i) =>
          points.length <= 12 || i === 0 || i === points.length - 1 ? (
            <text key={p.number} x={x(i)} y={H - 8} text-anchor="middle" class="tick">{`#${p.number}`}</text>
          ) : null,
        )}
        <path d={path(reporting)} fill="none" stroke="#555" stroke-width="1.5" stroke-dasharray="5 4" data-series="precincts" />
        {series.map(({ c, values }) => (
          <g key={c} data-series={c}>
            <path d={path(values)} fill="none" stroke={colourOf(candidates, c)} stroke-width="2.5" />
            {values.map((v, i) => (
              <circle key={i} cx={x(i)} cy={y(v)} r="3" fill={colourOf(candidates, c)} />
            ))}
          </g>
        ))}
      </svg>
      <ul class="legend" aria-hidden="true">
        {shown.map((c) => (
          <li key={c}>
            <span class="swatch" style={{ background: colourOf(candidates, c) }} /> {c}
          </li>
        ))}
        <li>
          <span class="swatch dashed" /> precincts complete
        </li>
      </ul>
      <details>
        <summary>Timeline (table)</summary>
        <div class="table-wrap">
          <table data-testid="timeline-table">
            <caption class="sr-only">Share of SDEs and precincts complete in each release</caption>
            <thead>
              <tr>
                <th scope="col">Release</th>
                <th scope="col">Time</th>
                <th scope="col" class="n">Precincts complete</th>
                {shown.map((c) => (
                  <th scope="col" class="n" key={c}>
                    {c} (% SDEs)
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.number} data-release={p.number}>
                  <th scope="row">
                    <a href={`/api/v1/releases/${p.number}`}>{p.number}</a>
                  </th>
                  <td>{p.time}</td>
                  <td class="n" data-testid="timeline-complete">
                    {p.reporting.complete.toLocaleString('en-US')} of {p.reporting.precincts.toLocaleString('en-US')}
                  </td>
                  {shown.map((c) => (
                    <td class="n" key={c} data-candidate={c}>
                      {p[side].sde_share[c] ?? '0.00'}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
