import { InitialSchema1732300000000 } from './1732300000000-initial-schema';

/** Every migration, oldest first; listed explicitly so the same list runs from TypeScript and from dist/. */
export const MIGRATIONS = [InitialSchema1732300000000];
