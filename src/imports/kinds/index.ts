import type { ImportKind } from '../engine';
import type { KindSpec } from './kind';
import { leads } from './leads';
import { opportunities } from './opportunities';
import { accounts, campaigns, feedback, spend, touchpoints, users } from './simple';

/** Every kind the engine imports. */
export const KINDS: Record<ImportKind, KindSpec> = { users, accounts, campaigns, spend, leads, touchpoints, opportunities, feedback };
