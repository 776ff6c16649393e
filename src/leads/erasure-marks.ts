/*
 * What identifies an erased person in free text, as regular expressions: one for PostgreSQL
 * (ARE, the set-based statements of the erasure) and the same one for JavaScript (the responses
 * kept for retries, whose bodies are JSON inside JSON). Both are matched without case.
 *
 * - The email, as a whole address: "jane@x.test" is not found inside "mary.jane@x.test" nor
 *   "jane@x.test.example"; a full stop after it ends a sentence and does not stop the match.
 * - The full name, when the lead has both names: "First Last" (any run of blanks between the
 *   words) or "Last, First", as whole words. A first or last name alone is not searched for:
 *   it names too many other people ("Jordan", "Price") to be the person's.
 */

/** What an erased text reads instead of the person. */
export const ERASED_TEXT = '[erased]';

/** The person as the lead stored them, before the erasure. */
export interface PersonMarks {
  email: string;
  firstName: string | null;
  lastName: string | null;
}

interface Dialect {
  /** A character that may be part of a word (a name touching it is part of a longer word). */
  word: string;
  /** A character of an address's local part: before the email, it means a longer address. */
  local: string;
  /** A character that continues a domain: after the email, it means a longer address. */
  domain: string;
}

const ARE: Dialect = { word: '[[:alnum:]_]', local: "[[:alnum:]!#$%&'*+/=?^_`{|}~.-]", domain: '[[:alnum:]_-]' };
const JS: Dialect = { word: '[\\p{L}\\p{N}_]', local: "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~.\\-]", domain: '[\\p{L}\\p{N}_\\-]' };

/** Escapes the characters both dialects give a meaning to (an escaped one is literal in both). */
const literal = (text: string) => text.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
const words = (text: string | null) => (text ?? '').trim().split(/\s+/).filter((w) => w !== '');

function patternOf(person: PersonMarks, d: Dialect, withName: boolean): string {
  const email = `(?<!${d.local})${literal(person.email.trim())}(?!${d.domain}|\\.${d.domain})`;
  const first = words(person.firstName);
  const last = words(person.lastName);
  if (!withName || first.length === 0 || last.length === 0) return email;
  const spaced = (parts: string[]) => parts.map(literal).join('\\s+');
  const name = `(?<!${d.word})(?:${spaced([...first, ...last])}|${spaced(last)}\\s*,\\s*${spaced(first)})(?!${d.word})`;
  return `${email}|${name}`;
}

/** PostgreSQL patterns (for `~*` and regexp_replace(..., 'gi')): the email alone, and the email or the full name. */
export function sqlPatterns(person: PersonMarks): { email: string; person: string } {
  return { email: patternOf(person, ARE, false), person: patternOf(person, ARE, true) };
}

/** The email or the full name, as a JavaScript expression (global, without case). */
export function jsPattern(person: PersonMarks): RegExp {
  return new RegExp(patternOf(person, JS, true), 'giu');
}

/** Whether the lead has both names, so that its full name is searched for. */
export const hasFullName = (person: PersonMarks) => words(person.firstName).length > 0 && words(person.lastName).length > 0;
