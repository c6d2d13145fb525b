// One colour per candidate, by the candidate's index in the election's list, so a candidate keeps
// its colour on every page and across updates. Each colour holds at least 3:1 against white
// (a graphical object, WCAG 1.4.11); text on them is never needed.
export const PALETTE = [
  '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#ff7f0e', '#393b79', '#637939', '#8c6d31', '#843c39',
  '#7b4173', '#3182bd',
];

export function colourOf(candidates: string[], name: string): string {
  const i = candidates.indexOf(name);
  return i < 0 ? '#555555' : (PALETTE[i % PALETTE.length] ?? '#555555');
}
