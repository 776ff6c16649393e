/**
 * The DATA_DRIVEN model (docs/metrics.md, section "Attribution"): a first-order Markov chain over campaign states
 * between START and the absorbing CONVERSION and NULL, credited by removal effect.
 * Solved exactly (as linear algebra, in floating point), never by simulation.
 */

export const START = 'START';
export const CONVERSION = 'CONVERSION';
export const NULL_STATE = 'NULL';

/** How many times the paths went from one state to another (GROUP BY from, to in SQL). */
export interface TransitionCount {
  fromState: string;
  toState: string;
  transitions: number;
}

/**
 * The same counts held compactly, as the service reads them (a year of paths at size L is about
 * 240,000 distinct steps: as objects, tens of MB; as typed arrays, a few): step i goes from
 * states[from[i]] to states[to[i]], transitions[i] times.
 */
export interface TransitionTable {
  states: string[];
  from: Int32Array;
  to: Int32Array;
  transitions: Float64Array;
}

/** A table being filled: states numbered as they are first named. */
function tableBuilder(steps: number) {
  const states: string[] = [];
  const indexOf = new Map<string, number>();
  const table: TransitionTable = { states, from: new Int32Array(steps), to: new Int32Array(steps), transitions: new Float64Array(steps) };
  const state = (name: string): number => {
    let index = indexOf.get(name);
    if (index === undefined) {
      index = states.length;
      states.push(name);
      indexOf.set(name, index);
    }
    return index;
  };
  return { table, state };
}

/** The table of a list of counts. */
export function transitionTable(counts: readonly TransitionCount[]): TransitionTable {
  const { table, state } = tableBuilder(counts.length);
  counts.forEach((c, i) => {
    table.from[i] = state(c.fromState);
    table.to[i] = state(c.toState);
    table.transitions[i] = c.transitions;
  });
  return table;
}

/**
 * The table of the steps written as text, "from to transitions" for each step, all separated by
 * single spaces (what the service's SQL aggregates, so that no row object is made per step).
 */
export function parseTransitions(text: string): TransitionTable {
  let spaces = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) spaces++;
  const tokens = text.length === 0 ? 0 : spaces + 1;
  if (tokens % 3 !== 0) throw new Error(`transition steps: ${tokens} words, not three per step`);
  const { table, state } = tableBuilder(tokens / 3);
  let position = 0;
  const next = (): string => {
    const space = text.indexOf(' ', position);
    const end = space < 0 ? text.length : space;
    const word = text.slice(position, end);
    position = end + 1;
    return word;
  };
  for (let i = 0; i < tokens / 3; i++) {
    table.from[i] = state(next());
    table.to[i] = state(next());
    const transitions = Number(next());
    if (!Number.isInteger(transitions) || transitions < 0) throw new Error(`transition steps: bad count in step ${i + 1}`);
    table.transitions[i] = transitions;
  }
  return table;
}

/** The list of counts of a table (for tests and explanations). */
export function transitionCounts(table: TransitionTable): TransitionCount[] {
  return Array.from(table.from, (from, i) => ({ fromState: table.states[from]!, toState: table.states[table.to[i]!]!, transitions: table.transitions[i]! }));
}

export interface MarkovSolution {
  /** P: probability of reaching CONVERSION from START. */
  conversionProbability: number;
  /** RE(c) = 1 - P_-c / P for every campaign state (all 0 when P = 0). */
  removalEffects: Map<string, number>;
}

const ABSORBING = new Set([CONVERSION, NULL_STATE]);

/**
 * Solves the chain. With N = (I - Q)^-1 the fundamental matrix over the transient
 * states (START and the campaigns), x = N r is the probability of conversion from each
 * state. Removing c sends every transition into c to NULL, so the paths that survive
 * are those reaching CONVERSION before c: P_-c = P - h_c x_c, where h_c = N[START][c] / N[c][c]
 * is the probability of ever visiting c from START. Hence RE(c) = h_c x_c / P, which
 * is exactly 1 - P_-c / P with one matrix inversion instead of one per campaign.
 */
export function solveMarkov(counts: readonly TransitionCount[] | TransitionTable): MarkovSolution {
  const table = Array.isArray(counts) ? transitionTable(counts as readonly TransitionCount[]) : (counts as TransitionTable);
  const steps = table.from.length;
  // transient states, START first, then in the order the steps first name them
  const states: string[] = [START];
  const transient = new Int32Array(table.states.length).fill(-1);
  const absorbing = table.states.map((name) => ABSORBING.has(name));
  const startAt = table.states.indexOf(START);
  if (startAt >= 0) transient[startAt] = 0;
  const stateIndex = (tableIndex: number): number => {
    if (transient[tableIndex]! < 0) {
      transient[tableIndex] = states.length;
      states.push(table.states[tableIndex]!);
    }
    return transient[tableIndex]!;
  };
  for (let i = 0; i < steps; i++) {
    const from = table.from[i]!;
    if (absorbing[from]) throw new Error(`absorbing state ${table.states[from]!} has an exit`);
    stateIndex(from);
    if (!absorbing[table.to[i]!]) stateIndex(table.to[i]!);
  }
  const n = states.length;
  const outgoing = new Array<number>(n).fill(0);
  for (let i = 0; i < steps; i++) outgoing[transient[table.from[i]!]!]! += table.transitions[i]!;

  // M = I - Q (row-major, n x n), r = P(state -> CONVERSION)
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  const r = new Float64Array(n);
  for (let i = 0; i < steps; i++) {
    const from = transient[table.from[i]!]!;
    const total = outgoing[from]!;
    if (total === 0) continue;
    const p = table.transitions[i]! / total;
    const to = table.states[table.to[i]!]!;
    if (to === CONVERSION) r[from]! += p;
    else if (to !== NULL_STATE) m[from * n + transient[table.to[i]!]!]! -= p;
  }
  const removalEffects = new Map<string, number>();
  if (outgoing[0] === 0) return { conversionProbability: 0, removalEffects: zeroEffects(states) };

  const { x, firstRow, diagonal } = fundamentalParts(m, n, r);
  const p = x[0]!;
  if (!(p > 0)) return { conversionProbability: 0, removalEffects: zeroEffects(states) };
  for (let c = 1; c < n; c++) {
    const hit = firstRow[c]! / diagonal[c]!;
    removalEffects.set(states[c]!, clamp01((hit * x[c]!) / p));
  }
  return { conversionProbability: p, removalEffects };
}

/** Each campaign's share of credit: RE(c) / sum RE (empty when P = 0, i.e. no campaign earns credit). */
export function markovCreditFractions(counts: readonly TransitionCount[] | TransitionTable): Map<string, number> {
  const { removalEffects } = solveMarkov(counts);
  let total = 0;
  for (const effect of removalEffects.values()) total += effect;
  const fractions = new Map<string, number>();
  if (!(total > 0)) return fractions;
  for (const [state, effect] of removalEffects) fractions.set(state, effect / total);
  return fractions;
}

function zeroEffects(states: readonly string[]): Map<string, number> {
  return new Map(states.slice(1).map((s) => [s, 0]));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/**
 * What solveMarkov needs of N = M^-1 for the n x n row-major M = I - Q: x = N r, the first
 * row of N and its diagonal, from one LU factorisation (M is left unchanged). I - Q is a
 * nonsingular M-matrix (every state seen in a path reaches CONVERSION or NULL with positive
 * probability), so Gaussian elimination needs no pivoting and every pivot is positive.
 * About 2n^3/3 operations, flat typed arrays: a chain of 300 campaigns takes milliseconds.
 */
export function fundamentalParts(
  m: Float64Array,
  n: number,
  r: Float64Array,
): { x: Float64Array; firstRow: Float64Array; diagonal: Float64Array } {
  const lu = Float64Array.from(m); // U on and above the diagonal, L (unit diagonal) below
  for (let k = 0; k < n; k++) {
    const pivot = lu[k * n + k]!;
    if (!(Math.abs(pivot) > 1e-300)) throw new Error('singular Markov system');
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k]! / pivot;
      if (f === 0) continue;
      lu[i * n + k] = f;
      for (let j = k + 1; j < n; j++) lu[i * n + j]! -= f * lu[k * n + j]!;
    }
  }
  // x = U^-1 L^-1 r
  const x = Float64Array.from(r);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) x[i]! -= lu[i * n + j]! * x[j]!;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) x[i]! -= lu[i * n + j]! * x[j]!;
    x[i]! /= lu[i * n + i]!;
  }
  // first row w of N: M^T w = e_0, i.e. U^T z = e_0, then L^T w = z
  const firstRow = new Float64Array(n);
  firstRow[0] = 1;
  for (let i = 0; i < n; i++) {
    firstRow[i]! /= lu[i * n + i]!;
    const zi = firstRow[i]!;
    if (zi !== 0) for (let k = i + 1; k < n; k++) firstRow[k]! -= lu[i * n + k]! * zi;
  }
  for (let i = n - 1; i >= 0; i--) {
    const wi = firstRow[i]!;
    if (wi !== 0) for (let k = 0; k < i; k++) firstRow[k]! -= lu[i * n + k]! * wi;
  }
  // N[c][c] = sum over k >= c of (U^-1)[c][k] (L^-1)[k][c]
  const diagonal = new Float64Array(n);
  const u = new Float64Array(n); // row c of U^-1
  const v = new Float64Array(n); // column c of L^-1
  for (let c = 0; c < n; c++) {
    u.fill(0, c);
    u[c] = 1;
    for (let j = c; j < n; j++) {
      const uj = u[j]! / lu[j * n + j]!;
      u[j] = uj;
      if (uj !== 0) for (let k = j + 1; k < n; k++) u[k]! -= uj * lu[j * n + k]!;
    }
    v[c] = 1;
    let sum = u[c]!;
    for (let i = c + 1; i < n; i++) {
      let vi = 0;
      for (let j = c; j < i; j++) vi -= lu[i * n + j]! * v[j]!;
      v[i] = vi;
      sum += u[i]! * vi;
    }
    diagonal[c] = sum;
  }
  return { x, firstRow, diagonal };
}
