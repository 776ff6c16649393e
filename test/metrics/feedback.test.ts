import { Channel, RejectionReason } from '../../src/common/enums';
import { leadFeedbackSummary } from '../../src/metrics/feedback.service';
import { LeadFeedbackCounts } from '../../src/metrics/feedback.types';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertCampaign, insertFeedback, insertLead, insertTouch, metricsContext } from './fixtures';

let db: TestDatabase;
let c1: string;
let c2: string;
let c3: string;
const from = new Date('2024-01-01T00:00:00Z');
const to = new Date('2024-02-01T00:00:00Z');

/** Expected counts: [feedbackCount, accepted, rejected, rejectionRate, { reason: count } (others 0)]. */
function expectCounts(actual: LeadFeedbackCounts | undefined, [n, accepted, rejected, rate, reasons]: [number, number, number, number | null, Partial<Record<RejectionReason, number>>]) {
  expect(actual).toMatchObject({ feedbackCount: n, accepted, rejected });
  if (rate === null) expect(actual?.rejectionRate).toBeNull();
  else expect(actual?.rejectionRate).toBeCloseTo(rate, 12);
  expect(actual?.reasons).toEqual(Object.values(RejectionReason).map((reason) => ({ reason, count: reasons[reason] ?? 0 })));
}

beforeAll(async () => {
  db = await createTestDatabase();
  c1 = await insertCampaign(db, 'EMAIL');
  c2 = await insertCampaign(db, 'EMAIL');
  c3 = await insertCampaign(db, 'EVENT');
  const created = '2023-11-01T00:00:00Z';

  // La: first touch C1 (in December: first touch ever), then C3. Accepted, then rejected BAD_FIT.
  const la = await insertLead(db, { createdAt: created });
  await insertTouch(db, la, c1, '2023-12-01T00:00:00Z');
  await insertTouch(db, la, c3, '2024-01-03T00:00:00Z');
  await insertFeedback(db, la, '2024-01-05T00:00:00Z', null);
  await insertFeedback(db, la, '2024-01-10T00:00:00Z', 'BAD_FIT');
  // Lb: first touch C2. Rejected NO_BUDGET, then BAD_FIT.
  const lb = await insertLead(db, { createdAt: created });
  await insertTouch(db, lb, c2, '2023-12-02T00:00:00Z');
  await insertFeedback(db, lb, '2024-01-15T00:00:00Z', 'NO_BUDGET');
  await insertFeedback(db, lb, '2024-01-20T00:00:00Z', 'BAD_FIT');
  // Lc: C3 and C1 at the same instant; C3's touch has the lower id -> first touch C3. Accepted.
  const lc = await insertLead(db, { createdAt: created });
  await insertTouch(db, lc, c3, '2023-12-03T00:00:00Z');
  await insertTouch(db, lc, c1, '2023-12-03T00:00:00Z');
  await insertFeedback(db, lc, '2024-01-02T00:00:00Z', null);
  // Ld: no touches. Rejected DUPLICATE just inside the window; accepted exactly at `to` (outside).
  const ld = await insertLead(db, { createdAt: created });
  await insertFeedback(db, ld, '2024-01-31T23:59:59.999Z', 'DUPLICATE');
  await insertFeedback(db, ld, '2024-02-01T00:00:00Z', null);
  // Le: first touch C1; rejected before the window (outside).
  const le = await insertLead(db, { createdAt: created });
  await insertTouch(db, le, c1, '2023-12-04T00:00:00Z');
  await insertFeedback(db, le, '2023-12-31T23:59:59Z', 'OTHER');
});

afterAll(() => db.drop());

describe('leadFeedbackSummary', () => {
  it('counts dispositions and reasons in total, per first-touch campaign and per channel', async () => {
    const summary = await leadFeedbackSummary(metricsContext(db), { window: { from, to } });
    // in the window: La accepted + BAD_FIT, Lb NO_BUDGET + BAD_FIT, Lc accepted, Ld DUPLICATE -> 6 entries, 2 accepted, 4 rejected
    expectCounts(summary.total, [6, 2, 4, 4 / 6, { BAD_FIT: 2, NO_BUDGET: 1, DUPLICATE: 1 }]);

    expect(summary.byCampaign.map((r) => [r.campaignId, r.channel])).toEqual([[c1, Channel.EMAIL], [c2, Channel.EMAIL], [c3, Channel.EVENT], [null, null]]);
    expectCounts(summary.byCampaign[0], [2, 1, 1, 0.5, { BAD_FIT: 1 }]); // La
    expectCounts(summary.byCampaign[1], [2, 0, 2, 1, { NO_BUDGET: 1, BAD_FIT: 1 }]); // Lb
    expectCounts(summary.byCampaign[2], [1, 1, 0, 0, {}]); // Lc
    expectCounts(summary.byCampaign[3], [1, 0, 1, 1, { DUPLICATE: 1 }]); // Ld, no touch

    expect(summary.byChannel.map((r) => r.channel)).toEqual([Channel.EMAIL, Channel.EVENT, null]);
    expectCounts(summary.byChannel[0], [4, 1, 3, 0.75, { BAD_FIT: 2, NO_BUDGET: 1 }]); // C1 + C2
    expectCounts(summary.byChannel[1], [1, 1, 0, 0, {}]);
    expectCounts(summary.byChannel[2], [1, 0, 1, 1, { DUPLICATE: 1 }]);
  });

  it('returns zeros, a null rate and no rows for a window without feedback', async () => {
    const summary = await leadFeedbackSummary(metricsContext(db), {
      window: { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z') },
    });
    expectCounts(summary.total, [0, 0, 0, null, {}]);
    expect(summary.byCampaign).toEqual([]);
    expect(summary.byChannel).toEqual([]);
  });
});
