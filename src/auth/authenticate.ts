import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { API_KEY_PREFIX, ApiKeyAuthenticator } from './api-key.service';
import { JwtAuthenticator, JwtConfig } from './jwt';
import type { Actor } from './roles';

function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Turns the Authorization header into the caller, or refuses the request. */
export class Authenticator {
  readonly apiKeys: ApiKeyAuthenticator;
  private readonly jwt: JwtAuthenticator | null;

  constructor(ds: DataSource, jwtConfig: JwtConfig | null, apiKeyCacheMs?: number) {
    this.apiKeys = new ApiKeyAuthenticator(ds, apiKeyCacheMs);
    this.jwt = jwtConfig ? new JwtAuthenticator(jwtConfig) : null;
  }

  async authenticate(authorization: string | undefined): Promise<Actor> {
    if (!authorization) throw unauthenticated('authentication required: send Authorization: Bearer <API key or token>');
    const match = /^Bearer\s+(\S{10,4096})$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <API key or token>"');
    const credential = match[1] as string;
    const actor = credential.startsWith(API_KEY_PREFIX)
      ? await this.apiKeys.authenticate(credential)
      : this.jwt
        ? await this.jwt.authenticate(credential)
        : null;
    if (!actor) throw unauthenticated('the API key or token is not valid (unknown, revoked or expired)');
    return actor;
  }
}
