import { createRemoteJWKSet, JWTPayload, jwtVerify } from 'jose';
import type { Actor } from './roles';
import { Role } from './roles';

/** How far the identity provider's clock may be ahead of ours (seconds): `nbf`, `iat` and `exp`. */
export const JWT_CLOCK_SKEW_SECONDS = 30;

const SECRET_ALGORITHMS = new Set(['HS256', 'HS384', 'HS512']);
const KEY_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

/** The role names, as the claim must spell them (a Set: no lookup can reach Object.prototype). */
const ROLE_NAMES: ReadonlySet<string> = new Set(Object.values(Role));

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLE_NAMES.has(value);
}

export interface JwtConfig {
  issuer: string;
  audience: string;
  /** JWKS endpoint of the identity provider (RS256/ES256...), or */
  jwksUrl?: string;
  /** a shared secret (HS256); ignored when jwksUrl is set. */
  secret?: string;
  /** Signing algorithms accepted; a token signed otherwise is refused. */
  algorithms: string[];
  /** Claim holding the role (a string or a list of strings). */
  roleClaim: string;
  /** Claim values to roles, e.g. "okta-revops" → REVENUE_OPS; role names themselves (exactly) always map. */
  roleMap: ReadonlyMap<string, Role>;
}

/** JWT_ALGORITHMS, or the default of the key kind: HS256 for a secret, RS256 and ES256 for a JWKS. */
function algorithmsFromEnv(raw: string | undefined, withSecret: boolean): string[] {
  const allowed = withSecret ? SECRET_ALGORITHMS : KEY_ALGORITHMS;
  const algorithms = (raw ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  if (algorithms.length === 0) return withSecret ? ['HS256'] : ['RS256', 'ES256'];
  for (const algorithm of algorithms) {
    if (!allowed.has(algorithm)) {
      throw new Error(`JWT_ALGORITHMS: "${algorithm}" is not one of ${[...allowed].join(', ')} (the algorithms of ${withSecret ? 'JWT_SECRET' : 'JWT_JWKS_URL'})`);
    }
  }
  return algorithms;
}

export function jwtConfigFromEnv(env: NodeJS.ProcessEnv = process.env): JwtConfig | null {
  if (!env.JWT_ISSUER) return null;
  if (!env.JWT_AUDIENCE) throw new Error('JWT_AUDIENCE is required with JWT_ISSUER');
  if (!env.JWT_JWKS_URL && !env.JWT_SECRET) throw new Error('JWT_JWKS_URL or JWT_SECRET is required with JWT_ISSUER');
  const roleMap = new Map<string, Role>();
  for (const pair of (env.JWT_ROLE_MAP ?? '').split(',').filter(Boolean)) {
    const [value, role] = pair.split('=').map((p) => p.trim());
    if (!value || !isRole(role)) throw new Error(`JWT_ROLE_MAP entry "${pair}" must be claimValue=ROLE`);
    roleMap.set(value, role);
  }
  return {
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    jwksUrl: env.JWT_JWKS_URL,
    secret: env.JWT_SECRET,
    algorithms: algorithmsFromEnv(env.JWT_ALGORITHMS, !env.JWT_JWKS_URL),
    roleClaim: env.JWT_ROLE_CLAIM ?? 'role',
    roleMap,
  };
}

/** The first claim value that is a role name exactly, or a value of the configured map. */
function roleOf(payload: JWTPayload, config: JwtConfig): Role | null {
  const claim = payload[config.roleClaim];
  const values: unknown[] = Array.isArray(claim) ? claim : [claim];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const role = config.roleMap.get(value) ?? (isRole(value) ? value : undefined);
    if (role) return role;
  }
  return null;
}

/** Verifies tokens of the company's identity provider and maps a claim to a role. */
export class JwtAuthenticator {
  private readonly verify: (token: string) => Promise<{ payload: JWTPayload }>;

  constructor(private readonly config: JwtConfig) {
    const options = {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: config.algorithms,
      requiredClaims: ['exp'],
      clockTolerance: JWT_CLOCK_SKEW_SECONDS,
    };
    if (config.jwksUrl) {
      const jwks = createRemoteJWKSet(new URL(config.jwksUrl));
      this.verify = (token) => jwtVerify(token, jwks, options);
    } else {
      const secret = new TextEncoder().encode(config.secret);
      this.verify = (token) => jwtVerify(token, secret, options);
    }
  }

  /** The caller, or null when the token is invalid, expired, not yet valid or carries no known role. */
  async authenticate(token: string): Promise<Actor | null> {
    try {
      const { payload } = await this.verify(token);
      // jose checks `nbf` against the skew, but `iat` only with a maximum age: a token issued in the future is forged or from a broken clock
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + JWT_CLOCK_SKEW_SECONDS) return null;
      const role = roleOf(payload, this.config);
      if (!role || typeof payload.sub !== 'string' || payload.sub === '') return null;
      return { kind: 'JWT', id: `jwt:${payload.sub}`, role, userId: null };
    } catch {
      return null;
    }
  }
}
