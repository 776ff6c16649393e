import { SignJWT } from 'jose';
import { jwtConfigFromEnv } from '../../src/auth/jwt';
import { Role } from '../../src/auth/roles';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';

const SECRET = 'a shared secret of at least sixty-four bytes, for HS512 as well as HS256!!';
const ENV = {
  JWT_ISSUER: 'https://idp.example.test/',
  JWT_AUDIENCE: 'revenue-api',
  JWT_SECRET: SECRET,
  JWT_ROLE_CLAIM: 'groups',
  JWT_ROLE_MAP: 'okta-bi=ANALYST',
};
const USERS = '{ users { edges { node { name email } } } }';
const now = () => Math.floor(Date.now() / 1000);

interface Claims {
  groups?: unknown;
  iat?: number | null;
  exp?: number | null;
  nbf?: number;
  alg?: 'HS256' | 'HS384' | 'HS512';
}

/** A token of the identity provider: valid unless `claims` say otherwise (null leaves a claim out). */
function sign(c: Claims): Promise<string> {
  let jwt = new SignJWT(c.groups === undefined ? {} : { groups: c.groups })
    .setProtectedHeader({ alg: c.alg ?? 'HS256' })
    .setIssuer(ENV.JWT_ISSUER)
    .setAudience(ENV.JWT_AUDIENCE)
    .setSubject('bi-tool@corp.test');
  if (c.iat !== null) jwt = jwt.setIssuedAt(c.iat ?? now());
  if (c.exp !== null) jwt = jwt.setExpirationTime(c.exp ?? now() + 300);
  if (c.nbf !== undefined) jwt = jwt.setNotBefore(c.nbf);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

describe('JWT roles, lifetimes and algorithms, over HTTP', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    const saved = Object.keys(ENV).map((name) => [name, process.env[name]] as const);
    Object.assign(process.env, ENV);
    try {
      api = await startHttpApp(); // reads the JWT_* settings when it is created
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    await api.gql(`mutation { createUser(input: { name: "Pat Private", email: "pat@corp.test", team: SALES }) { user { id } } }`);
  });
  afterAll(() => api.close());

  const status = async (token: Promise<string>) => {
    const res = await api.gql<{ users: { edges: { node: { name: string } }[] } }>(USERS, {}, { key: await token });
    return { status: res.status, code: res.body.errors?.[0]?.extensions?.code ?? null, names: res.body.data?.users.edges.map((e) => e.node.name) ?? null };
  };
  const refused = { status: 401, code: 'UNAUTHENTICATED', names: null };

  it('takes a mapped claim value and an exact role name', async () => {
    expect(await status(sign({ groups: ['everyone', 'okta-bi'] }))).toEqual({ status: 200, code: null, names: ['[redacted]'] });
    expect(await status(sign({ groups: 'EXECUTIVE' }))).toEqual({ status: 200, code: null, names: ['Pat Private'] });
  });

  it.each(['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf'])(
    'refuses the role claim "%s" (a property of every object, not a role) instead of reading unmasked',
    async (value) => {
      expect(await status(sign({ groups: value }))).toEqual(refused);
      expect(await status(sign({ groups: [value] }))).toEqual(refused);
    },
  );

  it('refuses a role name that is not spelled exactly', async () => {
    expect(await status(sign({ groups: 'executive' }))).toEqual(refused);
    expect(await status(sign({ groups: 'OKTA-BI' }))).toEqual(refused);
  });

  it('refuses a token without exp (it would never expire)', async () => {
    expect(await status(sign({ groups: 'EXECUTIVE', exp: null }))).toEqual(refused);
  });

  it('refuses iat and nbf in the future beyond the clock skew, and allows a small skew', async () => {
    expect(await status(sign({ groups: 'EXECUTIVE', iat: now() + 600 }))).toEqual(refused);
    expect(await status(sign({ groups: 'EXECUTIVE', nbf: now() + 600 }))).toEqual(refused);
    expect((await status(sign({ groups: 'EXECUTIVE', iat: now() + 10, nbf: now() + 10 }))).status).toBe(200);
  });

  it('refuses an algorithm that is not configured (HS256 by default for a secret)', async () => {
    expect(await status(sign({ groups: 'EXECUTIVE', alg: 'HS512' }))).toEqual(refused);
    expect(await status(sign({ groups: 'EXECUTIVE', alg: 'HS384' }))).toEqual(refused);
  });
});

describe('JWT settings', () => {
  const base = { JWT_ISSUER: 'https://idp.example.test/', JWT_AUDIENCE: 'api' };

  it('defaults the algorithms to the key kind: HS256 for a secret, RS256 and ES256 for a JWKS', () => {
    expect(jwtConfigFromEnv({ ...base, JWT_SECRET: 's' })?.algorithms).toEqual(['HS256']);
    expect(jwtConfigFromEnv({ ...base, JWT_JWKS_URL: 'https://idp.example.test/jwks' })?.algorithms).toEqual(['RS256', 'ES256']);
    expect(jwtConfigFromEnv({ ...base, JWT_JWKS_URL: 'https://idp.example.test/jwks', JWT_ALGORITHMS: 'ES384, PS256' })?.algorithms).toEqual([
      'ES384',
      'PS256',
    ]);
  });

  it.each([
    ['none', { JWT_SECRET: 's', JWT_ALGORITHMS: 'none' }],
    ['an asymmetric algorithm for a secret', { JWT_SECRET: 's', JWT_ALGORITHMS: 'RS256' }],
    ['a secret algorithm for a JWKS', { JWT_JWKS_URL: 'https://idp.example.test/jwks', JWT_ALGORITHMS: 'HS256' }],
  ])('refuses %s in JWT_ALGORITHMS at start', (_what, env) => {
    expect(() => jwtConfigFromEnv({ ...base, ...env })).toThrow(/JWT_ALGORITHMS/);
  });

  it.each(['okta=constructor', 'okta=__proto__', 'okta=toString', 'okta=analyst', 'okta='])('refuses the JWT_ROLE_MAP entry "%s" at start', (entry) => {
    expect(() => jwtConfigFromEnv({ ...base, JWT_SECRET: 's', JWT_ROLE_MAP: entry })).toThrow(/JWT_ROLE_MAP/);
  });

  it('maps any claim value, even one named like an object property', () => {
    const config = jwtConfigFromEnv({ ...base, JWT_SECRET: 's', JWT_ROLE_MAP: '__proto__=ANALYST,okta-ops=REVENUE_OPS' });
    expect([...(config?.roleMap ?? [])]).toEqual([
      ['__proto__', Role.ANALYST],
      ['okta-ops', Role.REVENUE_OPS],
    ]);
  });
});
