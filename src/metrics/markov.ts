/**
 * The DATA_DRIVEN model of METRICS.md: a first-order Markov chain over campaign states
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
export function solveMarkov(counts: readonly TransitionCount[]): MarkovSolution {
  const states: string[] = [START];
  const indexOf = new Map<string, number>([[START, 0]]);
  const stateIndex = (state: string): number => {
    let index = indexOf.get(state);
    if (index === undefined) {
      index = states.length;
      states.push(state);
      indexOf.set(state, index);
    }
    return index;
  };
  for (const c of counts) {
    if (c.fromState === CONVERSION || c.fromState === NULL_STATE) throw new Error(`absorbing state ${c.fromState} has an exit`);
    stateIndex(c.fromState);
    if (!ABSORBING.has(c.toState)) stateIndex(c.toState);
  }
  const n = states.length;
  const outgoing = new Array<number>(n).fill(0);
  for (const c of counts) outgoing[indexOf.get(c.fromState)!]! += c.transitions;

  // M = I - Q, r = P(state -> CONVERSION)
  const m: number[][] = states.map((_, i) => states.map((__, j) => (i === j ? 1 : 0)));
  const r = new Array<number>(n).fill(0);
  for (const c of counts) {
    const from = indexOf.get(c.fromState)!;
    const total = outgoing[from]!;
    if (total === 0) continue;
    const p = c.transitions / total;
    if (c.toState === CONVERSION) r[from]! += p;
    else if (c.toState !== NULL_STATE) m[from]![indexOf.get(c.toState)!]! -= p;
  }
  const removalEffects = new Map<string, number>();
  if (outgoing[0] === 0) return { conversionProbability: 0, removalEffects: zeroEffects(states) };

  const inverse = invert(m);
  const x = inverse.map((row) => row.reduce((sum, value, j) => sum + value * r[j]!, 0));
  const p = x[0]!;
  if (!(p > 0)) return { conversionProbability: 0, removalEffects: zeroEffects(states) };
  for (let c = 1; c < n; c++) {
    const hit = inverse[0]![c]! / inverse[c]![c]!;
    removalEffects.set(states[c]!, clamp01((hit * x[c]!) / p));
  }
  return { conversionProbability: p, removalEffects };
}

/** Each campaign's share of credit: RE(c) / sum RE (empty when P = 0, i.e. no campaign earns credit). */
export function markovCreditFractions(counts: readonly TransitionCount[]): Map<string, number> {
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
 * Gauss-Jordan inversion with partial pivoting. I - Q is invertible here: every state
 * seen in a path leads to CONVERSION or NULL with positive probability.
 */
export function invert(matrix: readonly (readonly number[])[]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...matrix.map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) {
      if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    }
    if (Math.abs(a[pivot]![col]!) < 1e-300) throw new Error('singular Markov system');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const pivotRow = a[col]!;
    const scale = pivotRow[col]!;
    for (let k = 0; k < 2 * n; k++) pivotRow[k]! /= scale;
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const target = a[row]!;
      const factor = target[col]!;
      if (factor === 0) continue;
      for (let k = col; k < 2 * n; k++) target[k]! -= factor * pivotRow[k]!;
    }
  }
  return a.map((row) => row.slice(n));
}
