import { assertMayBackdate } from '../auth/policy';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';

/**
 * The time a caller gives a write (createdAt, at, occurredAt, closedAt, effectiveFrom...): now
 * when absent; the future beyond clock skew is refused, and so is more than
 * BACKDATE_TOLERANCE_MINUTES before now unless the caller may back-date (ADMIN, REVENUE_OPS).
 * Every caller-supplied instant of a mutation goes through here. Calendar days (spentOn, a
 * campaign's startsOn/endsOn) are not instants of an event and do not.
 */
export function writtenTime(ctx: Context, field: string, value: Date | null | undefined, now = new Date()): Date {
  if (value == null) return now;
  if (Number.isNaN(value.getTime())) throw new BadInputError(field, 'is not a valid date-time');
  if (value.getTime() > now.getTime() + 5 * 60_000) throw new BadInputError(field, 'cannot be in the future');
  return notBackdated(ctx, field, value, now);
}

/** A time of a write that may lie in the future (effectiveFrom), but not back-dated unless the caller may. */
export function notBackdated(ctx: Context, field: string, value: Date, now = new Date()): Date {
  assertMayBackdate(ctx.actor?.role, field, value, now, ctx.config.backdateToleranceMinutes);
  return value;
}

/** Refuses `null` for a field that may be omitted but not cleared. */
export function notNull<T>(field: string, value: T | null | undefined): T | undefined {
  if (value === null) throw new BadInputError(field, 'cannot be null');
  return value;
}

export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, '');
}

/**
 * Characters that make two texts look the same while they differ, or that reorder what is
 * shown: controls (Cc), format characters (Cf: zero-width space and joiners, bidi marks and
 * overrides, soft hyphen, BOM, tags), line and paragraph separators, private-use and lone
 * surrogates, the other default-ignorable code points (fillers, variation selectors) and spaces.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{White_Space}]/u;

/** Refuses a text that holds a control, invisible or space character, naming the first one. */
function refuseInvisible(field: string, value: string): void {
  const match = INVISIBLE_OR_CONTROL.exec(value);
  if (!match) return;
  const codePoint = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  throw new BadInputError(field, `must not contain control, invisible or space characters (U+${codePoint} at position ${match.index + 1})`);
}

/**
 * An email as identities compare it: trimmed, NFC, lower case, so one address is one lead or
 * user however it was typed; a control, invisible or bidi character inside is refused (it would
 * make a second lead that looks like the first).
 */
export function normalisedEmail(field: string, email: string): string {
  const trimmed = email.trim().normalize('NFC');
  refuseInvisible(field, trimmed);
  return trimmed.toLowerCase().normalize('NFC');
}

/** A required text such as a name, trimmed; blank is refused naming the field (the tables CHECK btrim too). */
export function requiredText(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new BadInputError(field, 'must not be blank');
  return trimmed;
}

/** The rule of the accounts.domain CHECK constraint: dot-separated labels of a-z, 0-9 and inner hyphens. */
const DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** A web domain, normalised (NFC, lower case, no scheme, www. or path), or a failure naming the field. */
export function validDomain(field: string, domain: string): string {
  const trimmed = domain.trim().normalize('NFC');
  refuseInvisible(field, trimmed);
  const normalised = normaliseDomain(trimmed);
  if (!DOMAIN_PATTERN.test(normalised)) {
    throw new BadInputError(field, `"${domain}" is not a web domain such as "acme.com"`);
  }
  return normalised;
}

/** Money that may not be negative (amounts, budgets, wallet sizes). */
export function nonNegativeMoney(field: string, value: string): string {
  if (value.startsWith('-')) throw new BadInputError(field, 'must not be negative');
  return value;
}

/** Copies the fields the input names (undefined = leave as is; null = clear). */
export function applyChanges<T extends object, I extends object>(target: T, input: I, fields: (keyof I & keyof T)[]): T {
  for (const field of fields) {
    const value = input[field];
    if (value !== undefined) (target as Record<string, unknown>)[field as string] = value;
  }
  return target;
}

/** Text PostgreSQL must take (a search, a filter value): it cannot hold the NUL character. */
export function storableText(field: string, value: string): string {
  if (value.includes('\u0000')) throw new BadInputError(field, 'must not contain the NUL character');
  return value;
}

/** A LocalDate PostgreSQL can take: the scalar lets "0000-01-01" through, but there is no year 0. */
export function calendarDay(field: string, value: string): string {
  if (value.startsWith('0000')) throw new BadInputError(field, 'is not a calendar day (there is no year 0)');
  return value;
}
