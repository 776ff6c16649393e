import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** The heap as V8 reports it: what it holds now (live and not yet collected), and the old generation's limit. */
export interface HeapReading {
  usedBytes: number;
  limitBytes: number;
}

/** The last `--max-old-space-size` (or `--max_old_space_size`) of these options, in MB. */
export function oldSpaceFlagMb(options: readonly string[]): number | null {
  let mb: number | null = null;
  for (const option of options) {
    const match = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(option);
    if (match) mb = Number(match[1]);
  }
  return mb;
}

let oldGenerationLimit: number | null = null;

/**
 * The old generation's limit: the memory budget Node was started with (`--max-old-space-size` on
 * its command line, which wins, or in NODE_OPTIONS), else V8's whole heap limit (its own sizing).
 * The whole limit also counts the young generation (48 MB more than a 128 MB budget), which a
 * full collection empties: what it leaves live is old generation, held against that generation's limit.
 */
export function oldGenerationLimitBytes(): number {
  // Node's options do not change once it runs
  if (oldGenerationLimit === null) {
    const mb = oldSpaceFlagMb(process.execArgv) ?? oldSpaceFlagMb((process.env.NODE_OPTIONS ?? '').split(/\s+/));
    oldGenerationLimit = mb ? mb * 1024 * 1024 : getHeapStatistics().heap_size_limit;
  }
  return oldGenerationLimit;
}

export function readHeap(): HeapReading {
  return { usedBytes: getHeapStatistics().used_heap_size, limitBytes: oldGenerationLimitBytes() };
}

export interface MemoryGuardOptions {
  /** Share of the old generation's limit (0 to 1) that may be live after a full collection; 0 turns the guard off. */
  share: number;
  /** How long a full collection's finding holds: past it, new work is let in (and its allocations make the next one). */
  holdMs: number;
  read?: () => HeapReading;
  now?: () => number;
}

/**
 * Turns new requests away (503 BUSY, "retry") while the process is short of memory, instead of
 * letting one more request take the heap past its limit, where V8 ends the process for every
 * caller at once. The server runs with a memory budget (`--max-old-space-size`, see the README's
 * Configuration); every request's own size is bounded by the limits, so the guard is the last
 * line under many of them at once.
 *
 * What is in use now counts garbage not yet collected, so it alone would refuse requests on a
 * healthy heap just before each collection. The finding is what a full (mark-compact) collection
 * leaves live: when that exceeds `share` of the limit, requests are refused for `holdMs`, unless
 * the heap in use (which is at least what is live) has fallen below the share meanwhile.
 */
export class MemoryGuard {
  private readonly read: () => HeapReading;
  private readonly now: () => number;
  private liveAfterFullGc = 0;
  private measuredAt = Number.NEGATIVE_INFINITY;
  private observer: PerformanceObserver | null = null;

  constructor(private readonly options: MemoryGuardOptions) {
    this.read = options.read ?? readHeap;
    this.now = options.now ?? Date.now;
  }

  /** Watches V8's full collections (a PerformanceObserver of `gc` entries). */
  start(): void {
    if (this.observer || this.options.share <= 0) return;
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as unknown as { detail?: { kind?: number } | null }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.fullCollectionEnded();
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  /** Records what a full collection left live (called by the observer; tests call it directly). */
  fullCollectionEnded(): void {
    this.liveAfterFullGc = this.read().usedBytes;
    this.measuredAt = this.now();
  }

  /** Whether new work should wait: the last full collection left more than the share live, a moment ago. */
  shortOfMemory(): boolean {
    if (this.options.share <= 0) return false;
    const { usedBytes, limitBytes } = this.read();
    const bar = this.options.share * limitBytes;
    if (usedBytes < bar) return false;
    return this.liveAfterFullGc >= bar && this.now() - this.measuredAt < this.options.holdMs;
  }
}

export const SHORT_OF_MEMORY_MESSAGE = 'busy: the server is short of memory; retry shortly';
