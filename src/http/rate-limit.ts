import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';

function rateLimited(message: string, msBeforeNext: number, code = 'RATE_LIMITED'): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new GraphQLError(`${message}: retry in ${retryAfter} s`, {
    extensions: {
      code,
      retryAfterSeconds: retryAfter,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
    },
  });
}

/**
 * Requests per caller per minute, and failed authentications per client address per minute.
 * In memory by default (one replica); with REDIS_URL the counters are shared, so the limits hold
 * across replicas behind a load balancer.
 */
export class RateLimiter {
  private readonly limiter: RateLimiterAbstract | null;
  private readonly failedAuth: RateLimiterAbstract | null;
  private readonly redis: Redis | null;

  constructor(config: Config) {
    const { rateLimitPoints, rateLimitWindowSeconds: duration, failedAuthPerMinute } = config.limits;
    this.redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : null;
    const make = (points: number, seconds: number, prefix: string): RateLimiterAbstract | null => {
      if (points === 0) return null;
      if (!this.redis) return new RateLimiterMemory({ points, duration: seconds, keyPrefix: prefix });
      return new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.redisKeyPrefix}${prefix}`,
        points,
        duration: seconds,
        // if Redis is down, fall back to per-replica counting rather than refusing everyone
        insuranceLimiter: new RateLimiterMemory({ points, duration: seconds }),
      });
    };
    this.limiter = make(rateLimitPoints, duration, '');
    this.failedAuth = make(failedAuthPerMinute, 60, ':auth-failures');
  }

  /** Counts one request of `callerId`, or throws RATE_LIMITED (HTTP 429) with the wait. */
  async consume(callerId: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(callerId);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      throw rateLimited('rate limit exceeded', result.msBeforeNext);
    }
  }

  /**
   * Refuses (RATE_LIMITED, 429) a client address that failed to authenticate too often in the
   * last minute, before its credential costs a lookup.
   */
  async assertMayAuthenticate(address: string): Promise<void> {
    if (!this.failedAuth) return;
    const state = await this.failedAuth.get(address).catch(() => null);
    if (state && state.consumedPoints >= this.failedAuth.points) {
      throw rateLimited('too many failed authentications from this address', state.msBeforeNext);
    }
  }

  /** Counts a failed authentication of `address`. */
  async authenticationFailed(address: string): Promise<void> {
    await this.failedAuth?.penalty(address, 1).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}

/**
 * The address a client is counted under: the socket's peer, or with TRUST_PROXY the address the
 * (one) proxy in front saw, the last of X-Forwarded-For. IPv6 addresses count by their /64, the
 * block one subscriber usually holds, so rotating through it does not escape the count.
 */
export function clientAddress(remote: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  let address = remote ?? 'unknown';
  if (trustProxy && forwardedFor) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim()).filter(Boolean);
    address = hops[hops.length - 1] ?? address;
  }
  if (address.startsWith('::ffff:')) return address.slice(7);
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address.slice(0, 64);
}

function expandIpv6(address: string): string[] | null {
  const [head = '', tail] = address.split('%')[0]!.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (tail === undefined && left.length !== 8) return null;
  const fill = Array.from({ length: 8 - left.length - right.length }, () => '0');
  const groups = [...left, ...fill, ...right];
  return groups.length === 8 && groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups.map((g) => g.toLowerCase()) : null;
}
