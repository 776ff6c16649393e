import { getMetadataStorage, validateOrReject, ValidationError } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';

const OPTIONS = { skipMissingProperties: true, forbidUnknownValues: false };
const constrained = new Map<unknown, boolean>();

/** Whether class-validator has any rule for the class of `value` (cached per class). */
function hasRules(value: object): boolean {
  const target = value.constructor;
  let known = constrained.get(target);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).length > 0;
    constrained.set(target, known);
  }
  return known;
}

/**
 * Validates arguments with class-validator as type-graphql does, but only for classes that
 * declare rules: paging arguments of a nested list, resolved once per parent row, cost nothing.
 */
export async function validateArgs(argValue: unknown): Promise<void> {
  const items = Array.isArray(argValue) ? argValue : [argValue];
  const checked = items.filter((item): item is object => item !== null && typeof item === 'object' && hasRules(item));
  if (checked.length === 0) return;
  try {
    await Promise.all(checked.map((item) => validateOrReject(item, OPTIONS)));
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
}
