import { createRemoteJWKSet, JWTPayload, jwtVerify } from 'jose';
import type { Actor } from './roles';
import { Role } from './roles';

export interface JwtConfig {
  issuer: string;
  audience: string;
  /** JWKS endpoint of the identity provider (RS256/ES256...), or */
  jwksUrl?: string;
  /** a shared secret (HS256). */
  secret?: string;
  /** Claim holding the role (a string or a list of strings). */
  roleClaim: string;
  /** Claim values to roles, e.g. {"okta-revops": REVENUE_OPS}; role names themselves always map. */
  roleMap: Record<string, Role>;
}

export function jwtConfigFromEnv(env: NodeJS.ProcessEnv = process.env): JwtConfig | null {
  if (!env.JWT_ISSUER) return null;
  if (!env.JWT_AUDIENCE) throw new Error('JWT_AUDIENCE is required with JWT_ISSUER');
  if (!env.JWT_JWKS_URL && !env.JWT_SECRET) throw new Error('JWT_JWKS_URL or JWT_SECRET is required with JWT_ISSUER');
  const roleMap: Record<string, Role> = {};
  for (const pair of (env.JWT_ROLE_MAP ?? '').split(',').filter(Boolean)) {
    const [value, role] = pair.split('=').map((p) => p.trim());
    if (!value || !role || !(role in Role)) throw new Error(`JWT_ROLE_MAP entry "${pair}" must be claimValue=ROLE`);
    roleMap[value] = role as Role;
  }
  return {
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    jwksUrl: env.JWT_JWKS_URL,
    secret: env.JWT_SECRET,
    roleClaim: env.JWT_ROLE_CLAIM ?? 'role',
    roleMap,
  };
}

function roleOf(payload: JWTPayload, config: JwtConfig): Role | null {
  const claim = payload[config.roleClaim];
  const values = Array.isArray(claim) ? claim : [claim];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const mapped = config.roleMap[value] ?? (value.toUpperCase() in Role ? (value.toUpperCase() as Role) : null);
    if (mapped) return mapped;
  }
  return null;
}

/** Verifies tokens of the company's identity provider and maps a claim to a role. */
export class JwtAuthenticator {
  private readonly verify: (token: string) => Promise<{ payload: JWTPayload }>;

  constructor(private readonly config: JwtConfig) {
    const options = { issuer: config.issuer, audience: config.audience, clockTolerance: 30 };
    if (config.jwksUrl) {
      const jwks = createRemoteJWKSet(new URL(config.jwksUrl));
      this.verify = (token) => jwtVerify(token, jwks, options);
    } else {
      const secret = new TextEncoder().encode(config.secret);
      this.verify = (token) => jwtVerify(token, secret, options);
    }
  }

  /** The caller, or null when the token is invalid, expired or carries no known role. */
  async authenticate(token: string): Promise<Actor | null> {
    try {
      const { payload } = await this.verify(token);
      const role = roleOf(payload, this.config);
      if (!role || !payload.sub) return null;
      return { kind: 'JWT', id: `jwt:${payload.sub}`, role, userId: null };
    } catch {
      return null;
    }
  }
}
