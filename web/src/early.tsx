// A precinct's early-vote cards (Nevada) beside the people in the room, as the server counts them
// (docs/api.md, "A precinct with early-vote cards"): at each alignment the groups in person, on
// cards and in total; T; the threshold; the cards that move at realignment and where; the cards
// with no viable choice; the void cards. Display only: every number is the API's. A precinct
// without cards (Iowa) has no `early_votes`, and nothing is shown.
import type { Precinct } from './api';

export interface EarlyRow {
  candidate: string;
  in_person: number;
  early: number;
  total: number;
  viable: boolean;
}

export interface EarlyVotes {
  cards: number;
  valid: number;
  void: number;
  hash: string;
  seq: number;
  void_cards: { id: string; choices: string[]; reason: string }[];
  first_choices: Record<string, number>;
  worksheet: {
    delegates: number;
    attendance: number;
    in_person: number;
    early: number;
    threshold: string;
    threshold_head_count: number;
    viable: string[];
    first: EarlyRow[];
    moves: { from: string; to: string; cards: number }[];
    no_viable_choice: { cards: number; by_first_choice: Record<string, number> };
    final: EarlyRow[] | null;
  } | null;
}

// The precinct's cards, when it has any.
export function earlyVotesOf(p: Precinct | null | undefined): EarlyVotes | null {
  return (p as (Precinct & { early_votes?: EarlyVotes }) | null | undefined)?.early_votes ?? null;
}

const cards = (n: number) => `${n} card${n === 1 ? '' : 's'}`;

function Alignment(props: { title: string; rows: EarlyRow[]; t: string; which: 'first' | 'final' }) {
  const sum = (f: (r: EarlyRow) => number) => props.rows.reduce((s, r) => s + f(r), 0);
  return (
    <div class="table-wrap">
      <table class="groups early" data-testid={`${props.t}-${props.which}`}>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" class="n">
              <span class="wide-only">In person</span>
              <abbr class="narrow-only" title="In person">Room</abbr>
            </th>
            <th scope="col" class="n">Early</th>
            <th scope="col" class="n">Total</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.candidate} data-group={r.candidate}>
              <th scope="row">
                {r.candidate}
                {!r.viable && <span class="muted"> (not viable)</span>}
              </th>
              <td class="n" data-cell="in_person">{r.in_person}</td>
              <td class="n" data-cell="early">{r.early}</td>
              <td class="n" data-cell="total">
                <strong>{r.total}</strong>
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All</th>
            <td class="n" data-cell="in_person">{sum((r) => r.in_person)}</td>
            <td class="n" data-cell="early">{sum((r) => r.early)}</td>
            <td class="n" data-cell="total">{sum((r) => r.total)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

// `testid` prefixes each figure's data-testid ("ev" by default), so that two panels (the report
// and a correction's preview) can stand on one page.
export function EarlyVotesPanel(props: { precinct: Precinct; testid?: string }) {
  const ev = earlyVotesOf(props.precinct);
  if (!ev) return null;
  const t = props.testid ?? 'ev';
  const w = ev.worksheet;
  const firstChoices = Object.entries(ev.first_choices);
  return (
    <div class="early-votes" data-testid={`${t}-panel`}>
      <h3>Early-vote cards</h3>
      <p data-testid={`${t}-summary`}>
        <span data-testid={`${t}-cards`}>{cards(ev.cards)}</span>: <span data-testid={`${t}-valid`}>{ev.valid}</span> valid,{' '}
        <span data-testid={`${t}-void`}>{ev.void}</span> void. Enter the people in the room only: the server adds the valid
        cards.
      </p>
      {!w && firstChoices.length > 0 && (
        <p data-testid={`${t}-first-choices`}>
          First choices on the cards: {firstChoices.map(([c, n]) => `${c} ${n}`).join(', ')}.
        </p>
      )}
      {w && (
        <>
          <dl class="facts-list">
            <div>
              <dt>Attendance (T)</dt>
              <dd data-testid={`${t}-attendance`}>
                {w.attendance} <span class="muted">= {w.in_person} in person + {w.early} early</span>
              </dd>
            </div>
            <div>
              <dt>Viable with at least</dt>
              <dd data-testid={`${t}-threshold-head-count`}>{w.threshold_head_count} people</dd>
            </div>
            <div>
              <dt>Viable</dt>
              <dd data-testid={`${t}-viable`}>{w.viable.join(', ') || 'none'}</dd>
            </div>
          </dl>
          <Alignment title="First alignment" rows={w.first} t={t} which="first" />
          <h4>At realignment</h4>
          {w.moves.length === 0 && w.no_viable_choice.cards === 0 ? (
            <p class="muted" data-testid={`${t}-no-moves`}>
              Every valid card's first choice is viable: no card moves.
            </p>
          ) : (
            <ul class="notes">
              {w.moves.map((m) => (
                <li key={`${m.from}-${m.to}`} data-testid={`${t}-move`} data-from={m.from} data-to={m.to} data-cards={m.cards}>
                  {cards(m.cards)} move from {m.from} (not viable) to {m.to}, the highest-ranked viable choice.
                </li>
              ))}
              {w.no_viable_choice.cards > 0 && (
                <li data-testid={`${t}-no-viable`} data-cards={w.no_viable_choice.cards}>
                  {cards(w.no_viable_choice.cards)} name no viable candidate (first choice{' '}
                  {Object.entries(w.no_viable_choice.by_first_choice)
                    .map(([c, n]) => `${c} ${n}`)
                    .join(', ')}
                  ): counted in T, but nowhere in the final alignment.
                </li>
              )}
            </ul>
          )}
          {w.final && <Alignment title="Final alignment" rows={w.final} t={t} which="final" />}
        </>
      )}
      {ev.void_cards.length > 0 && (
        <details data-testid={`${t}-void-cards`}>
          <summary>{cards(ev.void_cards.length)} void: they count nowhere</summary>
          <ul>
            {ev.void_cards.map((c) => (
              <li key={c.id} data-card={c.id}>
                <code>{c.id}</code> ({c.choices.join(' > ')}): {c.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
