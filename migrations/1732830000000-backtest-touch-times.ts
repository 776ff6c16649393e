import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The touches of a period by time: the backtest's cohort (leads with a touch in the window)
 * reads the window's (time, lead) pairs from this index alone, instead of the whole table or one
 * probe per lead.
 */
export class BacktestTouchTimes1732830000000 implements MigrationInterface {
  name = 'BacktestTouchTimes1732830000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX touchpoints_time_lead_idx ON touchpoints (occurred_at, lead_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX touchpoints_time_lead_idx`);
  }
}
