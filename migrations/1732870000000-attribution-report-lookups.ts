import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyBiFiles } from './1732810000000-bi-metric-functions';

/**
 * bi.attribution_report again (sql/bi/attribution.sql, issue 16, (c) at size L): the monthly
 * credits multiply by a lookup of the weights per shape and class mask instead of working them
 * out on every monthly row, and the cached journeys of the window's partial months are not
 * scanned when whole months cover the window. The figures are the same to the last decimal
 * (the lookup holds the same exact products and quotients).
 *
 * Down leaves the functions as they are: the earlier text is not kept, and it computed the
 * same figures.
 */
export class AttributionReportLookups1732870000000 implements MigrationInterface {
  name = 'AttributionReportLookups1732870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await applyBiFiles(queryRunner, ['attribution.sql']);
  }

  async down(): Promise<void> {
    // nothing to undo (see above)
  }
}
