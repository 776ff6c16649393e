import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lists answered in one statement (issue 16, src/graphql/sql-pages.ts): PostgreSQL builds the
 * JSON of a page, and where a value cannot be written as its GraphQL scalar would write it (a time
 * outside years 1-9999, an amount with more than two decimals, a null in a non-null field, an
 * unknown enum value) the statement calls ra_unrepresentable, which fails it, and the operation
 * runs through the resolvers, which give graphql-js's own answer or error. VOLATILE, so the planner
 * never folds it away in a branch no row reaches.
 */
export class SqlPages1732860000000 implements MigrationInterface {
  name = 'SqlPages1732860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ra_unrepresentable(value text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RAISE EXCEPTION 'a value the page cannot write as its GraphQL scalar: %', left(value, 64) USING ERRCODE = 'RA001';
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION ra_unrepresentable(text)');
  }
}
