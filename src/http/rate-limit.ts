import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';

/**
 * Requests per caller per minute. In memory by default (one replica); with REDIS_URL the
 * counters are shared, so the limit holds across replicas behind a load balancer.
 */
export class RateLimiter {
  private readonly limiter: RateLimiterAbstract | null;
  private readonly redis: Redis | null;

  constructor(config: Config) {
    const { rateLimitPoints: points, rateLimitWindowSeconds: duration } = config.limits;
    this.redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : null;
    if (points === 0) this.limiter = null;
    else if (this.redis) {
      this.limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: config.redisKeyPrefix,
        points,
        duration,
        // if Redis is down, fall back to per-replica counting rather than refusing everyone
        insuranceLimiter: new RateLimiterMemory({ points, duration }),
      });
    } else this.limiter = new RateLimiterMemory({ points, duration });
  }

  /** Counts one request of `callerId`, or throws RATE_LIMITED (HTTP 429) with the wait. */
  async consume(callerId: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(callerId);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      const retryAfter = Math.ceil(result.msBeforeNext / 1000);
      throw new GraphQLError(`rate limit exceeded: retry in ${retryAfter} s`, {
        extensions: {
          code: 'RATE_LIMITED',
          retryAfterSeconds: retryAfter,
          http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
        },
      });
    }
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
