import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyBiFiles } from './1732810000000-bi-metric-functions';

/**
 * bi.attribution_report again (sql/bi/attribution.sql, issue 16, (c) at size L): the cached
 * journeys of a window's partial months are not scanned when whole months cover the window
 * (PostgreSQL 15 read every cached journey to find none), and the activity figures are summed per
 * campaign before the row campaigns are kept, with one read of the daily sourcing for leads
 * and MQLs. The figures are the same.
 *
 * Down leaves the functions as they are: the earlier text is not kept, and it computed the
 * same figures.
 */
export class AttributionReportScans1732870000000 implements MigrationInterface {
  name = 'AttributionReportScans1732870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await applyBiFiles(queryRunner, ['attribution.sql']);
  }

  async down(): Promise<void> {
    // nothing to undo (see above)
  }
}
