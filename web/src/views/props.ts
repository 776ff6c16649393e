import type { PageState } from '../state';

export interface ViewProps {
  apiKey: string;
  state: PageState;
  update: (change: Partial<PageState>) => void;
}

export const CHANNEL_ORDER = ['PAID_SEARCH', 'PAID_SOCIAL', 'EMAIL', 'EVENT', 'WEBINAR', 'CONTENT', 'DIRECT_MAIL', 'REFERRAL', 'ORGANIC', 'OUTBOUND', 'PARTNER'];
