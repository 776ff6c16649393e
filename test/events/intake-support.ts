import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { issueEventSource } from '../../src/events/event-sources';
import { App, createApp } from '../../src/http/server';
import { silentLogger } from '../helpers/app';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/** What /v1/* answers: Segment's `{"success": true}`, or a refusal. */
export interface IntakeAnswer {
  success: boolean;
  code?: string;
  message?: string;
  field?: string;
  reason?: string;
  rejected?: { index: number; field: string; reason: string }[];
}

export interface IntakeResponse {
  status: number;
  headers: Headers;
  body: IntakeAnswer;
}

export interface IntakeApp {
  db: TestDatabase;
  app: App;
  base: string;
  /** A working write key (of source `sourceId`). */
  writeKey: string;
  sourceId: string;
  adminKey: string;
  /** How many events each call of the wake hook said were stored, in order. */
  wakes: number[];
  newSource(name?: string): Promise<{ sourceId: string; writeKey: string }>;
  /** POSTs `body` (JSON.stringify'd unless a string or Buffer) to `path`. */
  send(path: string, body: unknown, headers?: Record<string, string>): Promise<IntakeResponse>;
  /** POSTs with `Authorization: Basic base64(<write key>:)`, as @segment/analytics-node does. */
  sendAs(writeKey: string, path: string, body: unknown, headers?: Record<string, string>): Promise<IntakeResponse>;
  close(): Promise<void>;
}

export function basic(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

export function gzip(body: unknown): Buffer {
  return gzipSync(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

/** The real HTTP server over a fresh database, with one event source and an ADMIN key. */
export async function startIntakeApp(env: Record<string, string> = {}): Promise<IntakeApp> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const db = await createTestDatabase();
  const config = loadConfig();
  config.production = false;
  const wakes: number[] = [];
  const app = await createApp({ ds: db.ds, config, logger: silentLogger, runImports: false, onEventsAccepted: (n) => wakes.push(n) });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
  const { port } = app.http.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const newSource = async (name = 'website') => {
    const { eventSource, writeKey } = await issueEventSource(db.ds, { name, createdBy: 'test' });
    return { sourceId: eventSource.id, writeKey };
  };
  const { sourceId, writeKey } = await newSource();
  const adminKey = (await issueApiKey(db.ds, { name: 'admin', role: Role.ADMIN, createdBy: 'test' })).secret;
  const send = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<IntakeResponse> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: IntakeAnswer;
    try {
      parsed = JSON.parse(text) as IntakeAnswer;
    } catch {
      throw new Error(`not JSON (HTTP ${response.status}): ${text}`);
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    db,
    app,
    base,
    writeKey,
    sourceId,
    adminKey,
    wakes,
    newSource,
    send,
    sendAs: (key, path, body, headers = {}) => send(path, body, { authorization: basic(key), ...headers }),
    async close() {
      await app.stop();
      await db.drop();
    },
  };
}

export interface StoredEvent {
  message_id: string;
  type: string;
  event: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  previous_id: string | null;
  group_id: string | null;
  occurred_at: string;
  received_at: string;
  payload: Record<string, unknown>;
}

/** The stored events of a source, oldest first (times as ISO strings). */
export function storedEvents(db: TestDatabase, sourceId: string): Promise<StoredEvent[]> {
  return db.sql<StoredEvent>(
    `SELECT message_id, type, event, anonymous_id, user_id, previous_id, group_id,
            to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
            to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at, payload
       FROM tracked_events WHERE source_id = $1 ORDER BY id`,
    [sourceId],
  );
}
