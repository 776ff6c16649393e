import { InitialSchema1732300000000 } from './1732300000000-initial-schema';
import { AccessControl1732400000000 } from './1732400000000-access-control';
import { AttributionJourneys1732500000000 } from './1732500000000-attribution-journeys';
import { AttributionCache1732510000000 } from './1732510000000-attribution-cache';
import { CampaignActivityCache1732520000000 } from './1732520000000-campaign-activity-cache';
import { VisibleEmails1732600000000 } from './1732600000000-visible-emails';
import { ImportJobs1732700000040 } from './1732700000040-import-jobs';
import { CorrectionsAndErasure1732720000010 } from './1732720000010-corrections-and-erasure';
import { SyncUpdatedAt1732730000000 } from './1732730000000-sync-updated-at';
import { SyncUpdatedAtRest1732740000000 } from './1732740000000-sync-updated-at-rest';
import { LeadQualification1732770000000 } from './1732770000000-lead-qualification';
import { AutomaticMql1732780000000 } from './1732780000000-automatic-mql';
import { BiSchema1732790000000 } from './1732790000000-bi-schema';
import { StoredLeadScores1732800000000 } from './1732800000000-stored-lead-scores';
import { BiMetricFunctions1732810000000 } from './1732810000000-bi-metric-functions';
import { AutoMqlKeyShare1732820000000 } from './1732820000000-auto-mql-key-share';
import { BacktestTouchTimes1732830000000 } from './1732830000000-backtest-touch-times';
import { EventIntake1732840000000 } from './1732840000000-event-intake';
import { EventProcessing1732850000000 } from './1732850000000-event-processing';
import { SqlPages1732860000000 } from './1732860000000-sql-pages';
import { AttributionReportScans1732870000000 } from './1732870000000-attribution-report-scans';
import { AttributionModelMonthly1732880000000 } from './1732880000000-attribution-model-monthly';
import { AttributionMaskMonthly1732890000000 } from './1732890000000-attribution-mask-monthly';

/** Every migration, oldest first; listed explicitly so the same list runs from TypeScript and from dist/. */
export const MIGRATIONS = [
  InitialSchema1732300000000,
  AccessControl1732400000000,
  AttributionJourneys1732500000000,
  AttributionCache1732510000000,
  CampaignActivityCache1732520000000,
  VisibleEmails1732600000000,
  ImportJobs1732700000040,
  CorrectionsAndErasure1732720000010,
  SyncUpdatedAt1732730000000,
  SyncUpdatedAtRest1732740000000,
  LeadQualification1732770000000,
  AutomaticMql1732780000000,
  BiSchema1732790000000,
  StoredLeadScores1732800000000,
  BiMetricFunctions1732810000000,
  AutoMqlKeyShare1732820000000,
  BacktestTouchTimes1732830000000,
  EventIntake1732840000000,
  EventProcessing1732850000000,
  SqlPages1732860000000,
  AttributionReportScans1732870000000,
  AttributionModelMonthly1732880000000,
  AttributionMaskMonthly1732890000000,
];
