import { useCallback, useEffect, useState } from 'react';

/** What the page shows, kept in the URL's query string so a view can be shared as a link. */

export const VIEWS = ['overview', 'attribution', 'funnel', 'alignment', 'accounts', 'qualification', 'deal'] as const;
export type View = (typeof VIEWS)[number];
export const PRESETS = ['this-quarter', 'last-quarter', 'last-12-months', 'year-to-date', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];
export const MODELS = ['FIRST_TOUCH', 'LAST_TOUCH', 'LINEAR', 'TIME_DECAY', 'POSITION_BASED', 'W_SHAPED', 'FULL_PATH', 'DATA_DRIVEN'] as const;
export type Model = (typeof MODELS)[number];
export type Scope = 'ACCOUNT' | 'CONTACTS';

export interface PageState {
  view: View;
  preset: Preset;
  /** Custom window: first and last day (both included), YYYY-MM-DD. */
  from: string;
  to: string;
  model: Model;
  scope: Scope;
  /** The deal of the deal view (a global id). */
  deal: string;
}

export interface ReportWindow {
  from: string;
  to: string;
}

const DAY = 86_400_000;

function startOfDay(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
export const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

/** The window of a state in UTC, `to` excluded; presets end tomorrow 00:00 (today included). */
export function windowOf(state: PageState, now = new Date()): ReportWindow {
  const tomorrow = new Date(startOfDay(now).getTime() + DAY);
  const y = now.getUTCFullYear();
  const quarterStart = new Date(Date.UTC(y, Math.floor(now.getUTCMonth() / 3) * 3, 1));
  switch (state.preset) {
    case 'this-quarter':
      return { from: iso(quarterStart), to: iso(tomorrow) };
    case 'last-quarter':
      return { from: iso(new Date(Date.UTC(y, quarterStart.getUTCMonth() - 3, 1))), to: iso(quarterStart) };
    case 'last-12-months':
      return { from: iso(new Date(Date.UTC(y - 1, now.getUTCMonth(), now.getUTCDate() + 1))), to: iso(tomorrow) };
    case 'year-to-date':
      return { from: iso(new Date(Date.UTC(y, 0, 1))), to: iso(tomorrow) };
    case 'custom': {
      const from = new Date(`${state.from}T00:00:00Z`);
      const last = new Date(`${state.to}T00:00:00Z`);
      if (Number.isNaN(from.getTime()) || Number.isNaN(last.getTime()) || last < from) return windowOf({ ...state, preset: 'last-12-months' }, now);
      return { from: iso(from), to: iso(new Date(last.getTime() + DAY)) };
    }
  }
}

/** The period of the same length just before. */
export function previousWindow(w: ReportWindow): ReportWindow {
  const from = new Date(w.from).getTime();
  const to = new Date(w.to).getTime();
  return { from: iso(new Date(from - (to - from))), to: w.from };
}

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export function parseState(search: string, now = new Date()): PageState {
  const p = new URLSearchParams(search);
  const yearAgo = new Date(now.getTime() - 365 * DAY);
  return {
    view: pick(p.get('view'), VIEWS, 'overview'),
    preset: pick(p.get('window'), PRESETS, 'last-12-months'),
    from: /^\d{4}-\d{2}-\d{2}$/.test(p.get('from') ?? '') ? p.get('from')! : dateOnly(yearAgo),
    to: /^\d{4}-\d{2}-\d{2}$/.test(p.get('to') ?? '') ? p.get('to')! : dateOnly(now),
    model: pick(p.get('model'), MODELS, 'W_SHAPED'),
    scope: pick(p.get('scope'), ['ACCOUNT', 'CONTACTS'] as const, 'ACCOUNT'),
    deal: p.get('deal') ?? '',
  };
}

export function toSearch(state: PageState): string {
  const p = new URLSearchParams({ view: state.view, window: state.preset, model: state.model, scope: state.scope });
  if (state.preset === 'custom') {
    p.set('from', state.from);
    p.set('to', state.to);
  }
  if (state.view === 'deal' && state.deal) p.set('deal', state.deal);
  return `?${p.toString()}`;
}

/** The page state and a setter that pushes it to the URL (back and forward work). */
export function usePageState(): [PageState, (change: Partial<PageState>) => void] {
  const [state, setState] = useState(() => parseState(window.location.search));
  useEffect(() => {
    const onPop = () => setState(parseState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const update = useCallback((change: Partial<PageState>) => {
    setState((current) => {
      const next = { ...current, ...change };
      const search = toSearch(next);
      if (search !== window.location.search) window.history.pushState(null, '', search);
      return next;
    });
  }, []);
  return [state, update];
}

export const MODEL_LABELS: Record<Model, string> = {
  FIRST_TOUCH: 'First touch',
  LAST_TOUCH: 'Last touch',
  LINEAR: 'Linear',
  TIME_DECAY: 'Time decay',
  POSITION_BASED: 'Position-based (U)',
  W_SHAPED: 'W-shaped',
  FULL_PATH: 'Full path (Z)',
  DATA_DRIVEN: 'Data-driven (Markov)',
};

/** ModelRevenue field of each model (attributionComparison). */
export const MODEL_FIELDS: Record<Model, string> = {
  FIRST_TOUCH: 'firstTouch',
  LAST_TOUCH: 'lastTouch',
  LINEAR: 'linear',
  TIME_DECAY: 'timeDecay',
  POSITION_BASED: 'positionBased',
  W_SHAPED: 'wShaped',
  FULL_PATH: 'fullPath',
  DATA_DRIVEN: 'dataDriven',
};

export const PRESET_LABELS: Record<Preset, string> = {
  'this-quarter': 'This quarter',
  'last-quarter': 'Last quarter',
  'last-12-months': 'Last 12 months',
  'year-to-date': 'Year to date',
  custom: 'Custom',
};
