import { registerEnumType } from 'type-graphql';

export enum Role {
  ADMIN = 'ADMIN',
  REVENUE_OPS = 'REVENUE_OPS',
  MARKETING = 'MARKETING',
  SALES = 'SALES',
  EXECUTIVE = 'EXECUTIVE',
  ANALYST = 'ANALYST',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What a caller may do.',
  valuesConfig: {
    ADMIN: { description: 'Everything, including API keys and the audit log.' },
    REVENUE_OPS: { description: 'Writes everything of the domain.' },
    MARKETING: { description: 'Writes campaigns, spend, touchpoints, and leads up to MQL; approves agreements for marketing.' },
    SALES: { description: 'Writes opportunities, feedback and lead stages from SAL on; approves agreements for sales.' },
    EXECUTIVE: { description: 'Reads everything.' },
    ANALYST: {
      description: 'Reads everything but personal data (names, emails, job titles, free text; each such field says so): BI tools.',
    },
  },
});

/** Who is calling: an API key or a JWT subject, with its role. */
export interface Actor {
  kind: 'API_KEY' | 'JWT';
  /** "key:<id>" or "jwt:<sub>": what the audit log and idempotency keys record. */
  id: string;
  role: Role;
  /** User the caller acts as, when known (agreement approvals). */
  userId: string | null;
}
