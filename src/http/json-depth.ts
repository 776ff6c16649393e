/** How deep a request's JSON (its variables, extensions) may nest: the schema's inputs need a handful. */
export const MAX_VARIABLES_DEPTH = 32;

/**
 * Whether `value` nests at most `maxDepth` arrays or objects deep. Iterative, so a value nested
 * thousands deep (JSON.parse takes it; JSON.stringify and recursive walks then overflow the
 * stack) is measured without recursion, and the walk stops at the first level too deep.
 */
export function withinDepth(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= maxDepth) return false;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return true;
}
