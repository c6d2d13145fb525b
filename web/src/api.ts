// The JSON API (docs/api.md): typed fetch helpers and the shapes the pages read.
// Every number the caucus math produces comes from the server; nothing here computes delegates.

export type Figures = Record<string, number>;

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

// The request never reached the server (offline, connection refused, DNS).
export class NetworkError extends Error {}

export interface Group {
  candidate: string;
  first: number;
  final: number;
  viable_first: boolean;
  viable_final: boolean;
  locked: boolean;
  raw: string;
  raw_decimal: string;
  rounded: number;
  delegates: number;
  notes: string[];
}

export interface PendingTie {
  breaker: string;
  candidates: string[];
  decimal: string;
  delegates_at_stake: number;
  kind: string; // "loss" | "gain"
}

export interface Allocation {
  attendance: number;
  complete: boolean;
  delegates?: Figures;
  delegates_apportioned: number;
  total_delegates: number;
  threshold: string;
  threshold_head_count: number;
  groups: Group[];
  must_realign: string[];
  notes: string[];
  pending_tie?: PendingTie | null;
  resolved_ties?: unknown[];
}

export interface Finding {
  code: string;
  severity: string;
  candidates?: string[];
  message: string;
}

export interface Attestation {
  seq: number;
  campaign: string;
  verdict: string;
  reason: string;
  revision: number;
}

export interface Precinct {
  id: number;
  county: string;
  precinct: string;
  district: string | null;
  satellite: boolean;
  delegates: number | null;
  sde_per_delegate: string | null;
  threshold: string | null;
  status: string;
  disputed: boolean;
  revision: number;
  confirmed: boolean;
  channel: string;
  reported: { first?: Figures; final?: Figures; delegates?: Figures };
  viability: {
    attendance: number;
    threshold: string;
    threshold_head_count: number;
    delegates: number;
    viable: string[];
    locked: string[];
  } | null;
  computed: Allocation | null;
  computed_sde: Record<string, string> | null;
  ties: {
    pending: PendingTie | null;
    recorded: { tied: string[]; favoured: string[]; detail: string }[];
  };
  findings: Finding[];
  photos: string[];
  attestations: Attestation[];
  hotline_entries_pending: number;
  events?: number[];
  // Early vote (Nevada): in person, early and total for each alignment (null: not reported).
  alignments?: Alignments | null;
}

// One source's alignments; `final` is null before the final alignment.
export interface BySource {
  first: Figures;
  final: Figures | null;
}
export interface Alignments {
  in_person: BySource;
  early: BySource;
  total: BySource;
}

export interface PrecinctSummary {
  id: number;
  county: string;
  precinct: string;
  status: string;
  disputed: boolean;
  flagged: boolean;
  revision: number;
}

export interface Election {
  created: boolean;
  name: string;
  candidates: string[];
  precincts: number;
  ruleset: { name: string; version: string; hash: string };
  seq: number;
  head: string;
}

export interface Line {
  first: number; // with early vote: in person plus the cards, as the rules count them
  final: number;
  delegates: number;
  sde: string;
  // Only when the ruleset enables early vote (Nevada): the two parts of `first` and `final`.
  first_early?: number;
  first_in_person?: number;
  final_early?: number;
  final_in_person?: number;
}
export type Totals = Record<string, Line>;

// A national allocation: `complete` only when every precinct is in and no pool waits for a drawing.
export interface National {
  source?: 'reported' | 'computed';
  complete: boolean;
  total: Figures;
  pools: { name: string; size: number }[];
  precincts: { counted: number; of: number };
}

export interface Leader {
  candidate: string;
  second: string | null;
  margin: string | number; // SDEs: a decimal string; people: an integer
  tied: boolean;
}

export interface Tabulation {
  state: Totals;
  counties: Record<string, Totals>;
  districts: Record<string, Totals>;
  national: National | null;
  // Percent of the state's SDEs and final alignment (two decimals), the leader and the margin.
  summary: {
    shares: Record<string, { sde: string; final: string }>;
    leader: { sde: Leader | null; final: Leader | null };
  };
  precincts_without_sde: number;
}

// GET /api/v1/releases/timeline: each release's state SDEs and shares, and its precincts.
export interface TimelinePoint {
  number: number;
  time: string;
  ledger_seq: number;
  reporting: { precincts: number; included: number; complete: number };
  reported: { sde: Record<string, string>; sde_share: Record<string, string>; national: Figures | null };
  computed: { sde: Record<string, string>; sde_share: Record<string, string>; national: Figures | null };
}

export interface Results {
  created?: boolean;
  ledger: { seq: number; head: string };
  national: National | null;
  // The one `reporting` shape of /results and releases (docs/releases.md "Reporting").
  reporting: {
    precincts: number;
    included: number;
    complete: number;
    confirmed: number;
    percent_complete: string;
    by_status: Record<string, number>;
    disputed: number;
    flagged: number;
    under_recanvass: number;
    held: number;
    in: number[];
  };
  totals: { reported: Tabulation; computed: Tabulation };
  ruleset: { name: string; hash: string };
}

export interface Session {
  token: string;
  role: string;
  subject: string;
  credential: string;
  expires: number;
  precinct?: Precinct;
}

export interface Receipt {
  seq: number;
  event: string;
  hash: string;
}

export interface WriteAnswer {
  receipt?: Receipt;
  precinct?: Precinct;
  hotline?: string;
}

export async function call<T>(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; raw?: Blob | ArrayBuffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
  let payload: BodyInit | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = (json as ApiErrorBody | null)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? `http-${res.status}`,
      err?.message ?? `the server answered ${res.status}`,
      err?.field ?? null,
    );
  }
  return { status: res.status, body: json as T };
}

export async function get<T>(path: string, token?: string): Promise<T> {
  return (await call<T>('GET', path, { token })).body;
}

export function newSubmissionId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// "3/20" -> "15%"; "1/6" -> "16.67%". Display only.
export function percentOf(share: string | null | undefined): string {
  if (!share) return '–';
  const [n, d] = share.split('/').map(Number);
  if (n === undefined || Number.isNaN(n)) return share;
  const value = d ? (n * 100) / d : n * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(2)}%`;
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof NetworkError) return 'No connection to the server.';
  return e instanceof Error ? e.message : String(e);
}

// POST /api/v1/districts/analyze (docs/api.md): a plan splitting a district's seats into
// sub-pools, as the rows of `canvass districts analyze`'s plan.csv and votes.csv, and the answer
// that command prints with --json. Fractions are exact strings ("7/30").
export interface DistrictRequest {
  plan: { district: string; pool: string; seats: number | string }[];
  votes: { pool: string; unit: string; candidate: string; votes: number | string }[];
  seats_per_voter_ratio?: string;
  lots?: string[];
}
export interface ExactFigure { exact: string; decimal: string }
export interface DistrictPool {
  pool: string;
  seats: number;
  votes: string;
  shares: Record<string, string>;
  allocation: Record<string, number>;
  fallback_applied: boolean;
}
export interface DistrictCandidate {
  candidate: string;
  votes: number;
  share: string;
  proportional: string;
  plan_seats: number;
  one_pool_seats: number;
  bonus: string;
  one_pool_bonus: string;
  map_effect: number;
}
export interface DisproportionFigures { loosemore_hanby: string; gallagher_square: string; gallagher: string }
export interface WasteFigures {
  total_wasted: ExactFigure;
  candidates: Record<string, { wasted: ExactFigure; excess: ExactFigure }>;
  gap?: ExactFigure;
}
export interface DistrictAnalysis {
  district: string;
  seats: number;
  votes: number;
  sub_pools: DistrictPool[];
  one_pool: DistrictPool;
  candidates: DistrictCandidate[];
  plan: DisproportionFigures;
  one_pool_indices: DisproportionFigures;
  waste_droop: WasteFigures;
  waste_hare: WasteFigures;
  one_pool_waste_droop: WasteFigures;
  eg_star?: ExactFigure;
  eg_delta?: ExactFigure;
  warnings: string[];
  notes: string[];
}

export async function analyzeDistrict(body: DistrictRequest): Promise<DistrictAnalysis> {
  return (await call<DistrictAnalysis>('POST', '/api/v1/districts/analyze', { body })).body;
}
