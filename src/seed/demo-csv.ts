import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { formatCents, formatDay, formatTime } from './copy-format';
import { REJECTION_REASONS } from './demo-catalog';
import { eachAccount, opportunityName, spendEntries } from './demo-generator';
import { createDemoPlan, DemoOptions, DemoPlan } from './demo-plan';
import { emitLeadTouches } from './demo-touches';
import { CUSTOMER, DISQUALIFIED, MQL, OPPORTUNITY, RECYCLED, SAL, segmentName, SQL, STAGES, STREAM_TOUCHES } from './demo-world';
import { Rng } from './prng';
import { csvField, ImportKind } from '../imports/engine';

/**
 * The demo data set as CSV files in the import format (docs/import.md), one per kind, so a
 * history of any size can be loaded through the import engine (`npm run import -- --bundle dir/`).
 * Same seed, size and anchor as the demo loader: the same rows. Rows refer to each other by
 * external ids (u1, a1, c1, l1...: the demo loader's ids), users by email. Rows are produced
 * lazily, account by account, so memory stays flat whatever the size.
 */

export const CSV_KINDS: readonly ImportKind[] = ['users', 'accounts', 'campaigns', 'spend', 'leads', 'touchpoints', 'opportunities', 'feedback'];

export interface DemoCsvFile {
  kind: ImportKind;
  header: readonly string[];
  rows(plan: DemoPlan): Iterable<string>;
}

const line = (values: readonly string[]): string => `${values.map(csvField).join(',')}\n`;
const time = (seconds: number): string => (seconds < 0 ? '' : formatTime(seconds));

function userEmails(plan: DemoPlan): Map<number, string> {
  return new Map(plan.users.map((u) => [u.id, u.email]));
}

export const DEMO_CSV_FILES: readonly DemoCsvFile[] = [
  {
    kind: 'users',
    header: ['externalId', 'name', 'email', 'team', 'createdAt'],
    *rows(plan) {
      for (const u of plan.users) yield line([`u${u.id}`, u.name, u.email, u.team, formatTime(u.createdAt)]);
    },
  },
  {
    kind: 'accounts',
    header: ['externalId', 'name', 'domain', 'segment', 'industry', 'walletSize', 'ownerEmail', 'createdAt'],
    *rows(plan) {
      const emails = userEmails(plan);
      for (const { index, account: a } of eachAccount(plan)) {
        yield line([`a${index + 1}`, a.name, a.domain, segmentName(a.segment), a.industry ?? '', a.walletCents < 0 ? '' : formatCents(a.walletCents), emails.get(a.ownerId) ?? '', formatTime(a.createdAt)]);
      }
    },
  },
  {
    kind: 'campaigns',
    header: ['externalId', 'name', 'channel', 'ownerTeam', 'startsOn', 'endsOn', 'budget', 'createdAt'],
    *rows(plan) {
      for (const c of plan.campaigns) {
        yield line([`c${c.id}`, c.name, c.channel, c.ownerTeam, formatDay(c.startDay), c.endDay < 0 ? '' : formatDay(c.endDay), c.budgetCents < 0 ? '' : formatCents(c.budgetCents), formatTime(c.createdAt)]);
      }
    },
  },
  {
    kind: 'spend',
    header: ['externalId', 'campaignExternalId', 'spentOn', 'amount'],
    *rows(plan) {
      for (const { id, campaignId, day, cents } of spendEntries(plan)) yield line([`s${id}`, `c${campaignId}`, formatDay(day), formatCents(cents)]);
    },
  },
  {
    kind: 'leads',
    header: ['externalId', 'email', 'firstName', 'lastName', 'title', 'accountExternalId', 'stage', 'createdAt', 'mqlAt', 'salAt', 'sqlAt', 'opportunityAt', 'customerAt', 'recycledAt', 'disqualifiedAt'],
    *rows(plan) {
      for (const { index, account, firstLeadId } of eachAccount(plan)) {
        for (let i = 0; i < account.leads.length; i++) {
          const l = account.leads[i];
          if (!l) continue;
          const r = l.reached;
          yield line([
            `l${firstLeadId + i}`, l.email, l.firstName, l.lastName, l.title, `a${index + 1}`, STAGES[l.stage] ?? 'NEW', formatTime(l.createdAt),
            time(r[MQL] ?? -1), time(r[SAL] ?? -1), time(r[SQL] ?? -1), time(r[OPPORTUNITY] ?? -1), time(r[CUSTOMER] ?? -1),
            time(r[RECYCLED] ?? -1), time(r[DISQUALIFIED] ?? -1),
          ]);
        }
      }
    },
  },
  {
    kind: 'touchpoints',
    header: ['externalId', 'leadExternalId', 'campaignExternalId', 'kind', 'occurredAt'],
    *rows(plan) {
      let id = 0;
      const buffer: string[] = [];
      for (const { index, account, firstLeadId } of eachAccount(plan)) {
        const rng = new Rng(plan.seed, STREAM_TOUCHES, index);
        for (let i = 0; i < account.leads.length; i++) {
          const lead = account.leads[i];
          if (!lead) continue;
          const leadId = `l${firstLeadId + i}`;
          emitLeadTouches(plan, rng, lead, (campaign, kind, at) => {
            buffer.push(`t${++id},${leadId},c${campaign + 1},${kind},${formatTime(at)}\n`);
          });
          yield* buffer;
          buffer.length = 0;
        }
      }
    },
  },
  {
    kind: 'opportunities',
    header: ['externalId', 'accountExternalId', 'name', 'kind', 'stage', 'amount', 'ownerEmail', 'lostReason', 'createdAt', 'closedAt', 'contactEmails'],
    *rows(plan) {
      const emails = userEmails(plan);
      let id = 0;
      for (const { index, account } of eachAccount(plan)) {
        for (const o of account.opportunities) {
          const contacts = o.contacts.map((c) => account.leads[c]?.email ?? '').filter((e) => e !== '');
          yield line([
            `o${++id}`, `a${index + 1}`, opportunityName(account, o.kind, o.createdAt), o.kind, o.stage, formatCents(o.amountCents),
            emails.get(account.ownerId) ?? '', o.lostReason ?? '', formatTime(o.createdAt), time(o.closedAt), contacts.join(';'),
          ]);
        }
      }
    },
  },
  {
    kind: 'feedback',
    header: ['externalId', 'leadExternalId', 'disposition', 'reason', 'note', 'givenByEmail', 'givenAt'],
    *rows(plan) {
      const emails = userEmails(plan);
      let id = 0;
      for (const { account, firstLeadId } of eachAccount(plan)) {
        for (let i = 0; i < account.leads.length; i++) {
          const l = account.leads[i];
          if (!l || l.feedback < 0) continue;
          const reason = l.feedback === 0 ? '' : (REJECTION_REASONS[l.feedback - 1] ?? 'OTHER');
          yield line([`f${++id}`, `l${firstLeadId + i}`, l.feedback === 0 ? 'ACCEPTED' : 'REJECTED', reason, l.feedbackNote, emails.get(account.ownerId) ?? '', formatTime(l.feedbackAt)]);
        }
      }
    },
  },
];

/** Writes `rows` after `header` to `path`, minding back-pressure; resolves with the number of data rows. */
export async function writeCsvFile(path: string, header: readonly string[], rows: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  let chunk = line(header);
  const flush = async (): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  try {
    for (const row of rows) {
      chunk += row;
      count++;
      if (chunk.length >= 1 << 16) await flush();
    }
    await flush();
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  return count;
}

/** Writes one CSV file per kind (users.csv, accounts.csv...) into `dir`; resolves with the data rows per kind. */
export async function writeDemoCsv(dir: string, options: DemoOptions = {}, kinds: readonly ImportKind[] = CSV_KINDS): Promise<Partial<Record<ImportKind, number>>> {
  await mkdir(dir, { recursive: true });
  const plan = createDemoPlan(options);
  const written: Partial<Record<ImportKind, number>> = {};
  for (const file of DEMO_CSV_FILES) {
    if (!kinds.includes(file.kind)) continue;
    written[file.kind] = await writeCsvFile(join(dir, `${file.kind}.csv`), file.header, file.rows(plan));
  }
  return written;
}
