/** Settings of the event processing (docs/events.md), from the environment. */
export interface ProcessingSettings {
  /** How often the processor looks for pending events without being woken (EVENT_PROCESS_MS; 0: never on a timer). */
  pollMs: number;
  /** Events per chunk, one transaction each (EVENT_PROCESS_CHUNK). */
  chunkSize: number;
  /** Chunks processed at once by one processor, each on a connection of its own (EVENT_PROCESS_WORKERS). */
  workers: number;
  /** How far before an identification an anonymous id's events still join the lead (EVENT_STITCH_LOOKBACK_DAYS). */
  lookbackDays: number;
  /** How long after a link the catch-up stitches again what a concurrent chunk left anonymous (seconds). */
  catchUpSeconds: number;
}

function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return value;
}

export function processingSettingsFromEnv(): ProcessingSettings {
  return {
    pollMs: numberFromEnv('EVENT_PROCESS_MS', 5_000, 0),
    chunkSize: Math.floor(numberFromEnv('EVENT_PROCESS_CHUNK', 5_000, 1)),
    workers: Math.floor(numberFromEnv('EVENT_PROCESS_WORKERS', 2, 1)),
    lookbackDays: numberFromEnv('EVENT_STITCH_LOOKBACK_DAYS', 90, 0),
    catchUpSeconds: 600,
  };
}
