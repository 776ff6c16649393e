/** Word lists and per-channel behaviour the demo generator draws from. */

export const FIRST_NAMES = [
  'Ada', 'Alan', 'Alice', 'Amara', 'Andre', 'Anna', 'Arjun', 'Ben', 'Bianca', 'Carla', 'Carlos', 'Chen', 'Chloe',
  'Daniel', 'Diana', 'Diego', 'Elena', 'Emeka', 'Emma', 'Ethan', 'Fatima', 'Felix', 'Grace', 'Hana', 'Hugo', 'Ines',
  'Isaac', 'Jade', 'James', 'Jonas', 'Julia', 'Kai', 'Kenji', 'Lara', 'Leo', 'Lina', 'Luca', 'Maya', 'Mateo', 'Mia',
  'Nadia', 'Noah', 'Nora', 'Omar', 'Olivia', 'Priya', 'Rafael', 'Rosa', 'Ryan', 'Sara', 'Sofia', 'Tariq', 'Theo',
  'Tom', 'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zoe',
] as const;

export const LAST_NAMES = [
  'Abbott', 'Adeyemi', 'Alvarez', 'Andersen', 'Bauer', 'Becker', 'Brooks', 'Castro', 'Chandra', 'Costa', 'Dubois',
  'Eriksen', 'Fischer', 'Fontaine', 'Garcia', 'Gupta', 'Hansen', 'Hayes', 'Ito', 'Jensen', 'Kapoor', 'Keller', 'Kim',
  'Kowalski', 'Larsen', 'Lopez', 'Martin', 'Meyer', 'Moreau', 'Murphy', 'Nakamura', 'Novak', 'Okafor', 'Olsen',
  'Patel', 'Perez', 'Quinn', 'Reyes', 'Rossi', 'Sato', 'Schmidt', 'Silva', 'Singh', 'Sousa', 'Tanaka', 'Torres',
  'Usman', 'Vargas', 'Vogel', 'Wagner', 'Walsh', 'Weber', 'Wright', 'Yamamoto', 'Zhang', 'Ziegler',
] as const;

export const TITLES = [
  'Marketing Manager', 'Head of Marketing', 'VP Marketing', 'Demand Generation Lead', 'Sales Director',
  'VP Sales', 'Chief Revenue Officer', 'Revenue Operations Manager', 'CFO', 'Finance Director', 'IT Manager',
  'CTO', 'Head of Operations', 'Procurement Lead', 'Product Manager', 'Data Analyst', 'Engineering Manager',
  'Customer Success Lead', 'COO', 'CEO',
] as const;

export const COMPANY_PREFIXES = [
  'Acme', 'Amber', 'Apex', 'Arbor', 'Atlas', 'Aurora', 'Beacon', 'Birch', 'Blue', 'Bright', 'Canyon', 'Cedar',
  'Cobalt', 'Comet', 'Coral', 'Crest', 'Delta', 'Echo', 'Ember', 'Falcon', 'Fern', 'Forge', 'Granite', 'Harbor',
  'Helix', 'Horizon', 'Indigo', 'Iron', 'Juniper', 'Keystone', 'Lark', 'Lumen', 'Maple', 'Meridian', 'Mosaic',
  'Nimbus', 'North', 'Nova', 'Oak', 'Onyx', 'Orbit', 'Pine', 'Pioneer', 'Prism', 'Quartz', 'Raven', 'Ridge',
  'River', 'Sage', 'Sierra', 'Silver', 'Solar', 'Spruce', 'Summit', 'Terra', 'Tidal', 'Vertex', 'Willow',
  'Zenith', 'Zephyr',
] as const;

/** Company suffix and the industry it suggests. */
export const COMPANY_SUFFIXES: readonly (readonly [string, string])[] = [
  ['Analytics', 'Software'], ['Bank', 'Financial Services'], ['Bio', 'Life Sciences'], ['Capital', 'Financial Services'],
  ['Cloud', 'Software'], ['Dynamics', 'Manufacturing'], ['Energy', 'Energy'], ['Foods', 'Consumer Goods'],
  ['Freight', 'Logistics'], ['Health', 'Healthcare'], ['Insurance', 'Financial Services'], ['Labs', 'Software'],
  ['Logistics', 'Logistics'], ['Media', 'Media'], ['Medical', 'Healthcare'], ['Motors', 'Manufacturing'],
  ['Networks', 'Telecommunications'], ['Pharma', 'Life Sciences'], ['Retail', 'Retail'], ['Robotics', 'Manufacturing'],
  ['Security', 'Software'], ['Software', 'Software'], ['Systems', 'Software'], ['Telecom', 'Telecommunications'],
  ['Textiles', 'Manufacturing'], ['Travel', 'Travel & Hospitality'], ['Works', 'Construction'], ['Foundry', 'Manufacturing'],
  ['Learning', 'Education'], ['Studios', 'Media'], ['Markets', 'Retail'], ['Grid', 'Energy'], ['Payments', 'Financial Services'],
  ['Clinics', 'Healthcare'], ['Builders', 'Construction'], ['Hotels', 'Travel & Hospitality'], ['Academy', 'Education'],
  ['Mobility', 'Logistics'], ['Data', 'Software'], ['Supply', 'Consumer Goods'],
];

export const TOP_LEVEL_DOMAINS = ['com', 'io', 'co', 'net', 'ai'] as const;

export const CAMPAIGN_THEMES = [
  'Pipeline analytics', 'Revenue forecasting', 'Attribution 101', 'CFO playbook', 'Launch week', 'Free trial push',
  'Upgrade offer', 'Product tour', 'Customer stories', 'Benchmark report', 'Ops summit', 'Data quality',
  'AI assistant', 'Integrations', 'Security & compliance', 'Onboarding', 'Partner showcase', 'Industry roundtable',
] as const;

export const LOST_REASONS = [
  'Lost to competitor', 'No decision', 'Price too high', 'Timing: revisit next year', 'Missing features',
  'Budget cut', 'Champion left',
] as const;

/** Market segments in table order, their share of accounts, and their lead volume. */
export const SEGMENTS = ['SMB', 'MID_MARKET', 'ENTERPRISE'] as const;
export const SEGMENT_SHARE = [0.55, 0.3, 0.15] as const;
export const SEGMENT_LEAD_FACTOR = [0.6, 1.0, 2.0] as const;
/** Wallet size ranges in dollars, and new-business deal sizes in dollars. */
export const WALLET_RANGE: readonly (readonly [number, number])[] = [[30_000, 250_000], [250_000, 2_000_000], [2_000_000, 20_000_000]];
export const DEAL_RANGE: readonly (readonly [number, number])[] = [[8_000, 40_000], [40_000, 180_000], [180_000, 900_000]];
/** How long a new-business deal takes to close, in days. */
export const CYCLE_DAYS: readonly (readonly [number, number])[] = [[14, 60], [30, 120], [60, 200]];
export const WIN_RATE = [0.4, 0.34, 0.28] as const;

export const CHANNELS = [
  'PAID_SEARCH', 'PAID_SOCIAL', 'EMAIL', 'EVENT', 'WEBINAR', 'CONTENT', 'DIRECT_MAIL', 'REFERRAL', 'ORGANIC',
  'OUTBOUND', 'PARTNER',
] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface ChannelProfile {
  label: string;
  /** How often a new campaign of the mix is of this channel. */
  campaignWeight: number;
  /** How much of the touch traffic an active campaign of this channel draws. */
  trafficWeight: number;
  /** Campaign length in days (min, max); events and webinars include their promotion weeks. */
  durationDays: readonly [number, number];
  /** Typical spend per active day in dollars at the S scale; 0 = no spend. */
  dailySpend: number;
  /** Lead quality: scales the chance to move on through the funnel. */
  quality: number;
  /** Always-on campaign that runs through the whole demo period. */
  evergreen: boolean;
  /** Touch kinds and their weights. */
  kinds: readonly (readonly [string, number])[];
  /** Kind of the touch that converts a lead to MQL. */
  conversionKind: string;
}

export const CHANNEL_PROFILES: Record<ChannelName, ChannelProfile> = {
  PAID_SEARCH: { label: 'Paid search', campaignWeight: 3, trafficWeight: 3, durationDays: [30, 120], dailySpend: 420, quality: 1.0, evergreen: false, kinds: [['AD_CLICK', 6], ['AD_VIEW', 2], ['WEB_VISIT', 2]], conversionKind: 'FORM_FILL' },
  PAID_SOCIAL: { label: 'Paid social', campaignWeight: 2.5, trafficWeight: 2.5, durationDays: [14, 90], dailySpend: 320, quality: 0.65, evergreen: false, kinds: [['AD_VIEW', 5], ['AD_CLICK', 4], ['WEB_VISIT', 1]], conversionKind: 'FORM_FILL' },
  EMAIL: { label: 'Email nurture', campaignWeight: 2.5, trafficWeight: 3, durationDays: [7, 45], dailySpend: 90, quality: 1.0, evergreen: false, kinds: [['EMAIL_OPEN', 6], ['EMAIL_CLICK', 4]], conversionKind: 'EMAIL_CLICK' },
  EVENT: { label: 'Event', campaignWeight: 2, trafficWeight: 4, durationDays: [20, 60], dailySpend: 900, quality: 1.2, evergreen: false, kinds: [['EVENT_ATTENDED', 6], ['MEETING', 3], ['FORM_FILL', 1]], conversionKind: 'EVENT_ATTENDED' },
  WEBINAR: { label: 'Webinar', campaignWeight: 2, trafficWeight: 4, durationDays: [14, 40], dailySpend: 120, quality: 1.1, evergreen: false, kinds: [['WEBINAR_ATTENDED', 6], ['FORM_FILL', 3], ['EMAIL_CLICK', 1]], conversionKind: 'WEBINAR_ATTENDED' },
  CONTENT: { label: 'Content', campaignWeight: 1.5, trafficWeight: 2, durationDays: [30, 180], dailySpend: 110, quality: 0.9, evergreen: true, kinds: [['CONTENT_DOWNLOAD', 5], ['WEB_VISIT', 5]], conversionKind: 'CONTENT_DOWNLOAD' },
  DIRECT_MAIL: { label: 'Direct mail', campaignWeight: 0.6, trafficWeight: 1, durationDays: [14, 45], dailySpend: 300, quality: 0.8, evergreen: false, kinds: [['DIRECT_MAIL_RESPONSE', 1]], conversionKind: 'DIRECT_MAIL_RESPONSE' },
  REFERRAL: { label: 'Referral program', campaignWeight: 0.5, trafficWeight: 1, durationDays: [60, 365], dailySpend: 45, quality: 1.6, evergreen: true, kinds: [['REFERRAL', 7], ['MEETING', 3]], conversionKind: 'REFERRAL' },
  ORGANIC: { label: 'Organic', campaignWeight: 0.5, trafficWeight: 2.5, durationDays: [90, 365], dailySpend: 0, quality: 1.1, evergreen: true, kinds: [['WEB_VISIT', 8], ['FORM_FILL', 1], ['OTHER', 1]], conversionKind: 'FORM_FILL' },
  OUTBOUND: { label: 'Outbound', campaignWeight: 1.5, trafficWeight: 3, durationDays: [30, 120], dailySpend: 260, quality: 0.9, evergreen: true, kinds: [['CALL', 6], ['MEETING', 3], ['OTHER', 1]], conversionKind: 'MEETING' },
  PARTNER: { label: 'Partner', campaignWeight: 0.6, trafficWeight: 1, durationDays: [60, 365], dailySpend: 60, quality: 1.3, evergreen: true, kinds: [['REFERRAL', 5], ['MEETING', 3], ['OTHER', 2]], conversionKind: 'MEETING' },
};

/** Rejection reasons; the first two send a lead back to nurture, the rest disqualify it. */
export const REJECTION_REASONS = ['BAD_TIMING', 'NO_BUDGET', 'UNREACHABLE', 'BAD_FIT', 'DUPLICATE', 'ALREADY_CUSTOMER', 'OTHER'] as const;
export const REJECTION_WEIGHTS = [3, 2.5, 2, 3, 0.8, 0.5, 0.7] as const;
export const RECYCLING_REASONS = 3;

export const FEEDBACK_NOTES: Record<string, readonly string[]> = {
  ACCEPTED: ['Good fit, booked discovery call', 'Clear pain, budget this year', 'Strong intent from the demo request'],
  BAD_TIMING: ['Interested, but not before next fiscal year', 'Mid-migration, revisit in six months'],
  NO_BUDGET: ['No budget allocated this year', 'Budget frozen until the next round'],
  UNREACHABLE: ['No reply after three calls and two emails', 'Phone number invalid'],
  BAD_FIT: ['Too small for our product', 'Student / researcher, not a buyer', 'Wrong region'],
  DUPLICATE: ['Duplicate of an existing lead'],
  ALREADY_CUSTOMER: ['Already a customer, routed to account manager'],
  OTHER: ['Competitor doing research', 'Job seeker'],
};
