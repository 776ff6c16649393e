/**
 * (i) The first page of leads ordered by score, highest first, with each lead's score: the list
 * a sales team opens every morning. Reads the stored lead scores (migration 1732800000000),
 * which the load stores and the server's sweep keeps current; its target is that of the other
 * lists that cannot follow an index.
 */
import type { Scenario } from './scenarios';

const LEADS_BY_SCORE_QUERY = `query LeadsByScore {
  leads(first: 50, orderBy: { field: SCORE, direction: DESC }) {
    edges { node { id stage createdAt score { fit engagement total qualifies } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function leadsByScoreScenario(): Scenario {
  return {
    key: 'i',
    label: '(i) leads(first: 50) ordered by SCORE, with scores',
    bodies: [JSON.stringify({ query: LEADS_BY_SCORE_QUERY, variables: {} })],
    check: (data) => {
      const edges = (data.leads as { edges?: { node: { score: { total: string } | null } }[] } | undefined)?.edges ?? [];
      if (edges.length !== 50) return `expected 50 leads, got ${edges.length}`;
      const totals = edges.map((e) => Number(e.node.score?.total ?? Number.NaN));
      if (totals.some((t) => Number.isNaN(t))) return 'a lead without a score (no policy in force?)';
      return totals.every((t, i) => i === 0 || totals[i - 1]! >= t) ? null : 'scores not in descending order';
    },
  };
}
