import { useEffect, useRef, useState } from 'react';

/**
 * A tiny typed GraphQL client: POST /graphql with content-type application/json (what Apollo's
 * CSRF prevention lets through), the key as a bearer token, errors as GraphQLRequestError.
 */

export const KEY_STORAGE = 'revenue-alignment.api-key';

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(key: string, query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new GraphQLRequestError('The API cannot be reached. Check your connection and try again.', 'NETWORK', 0);
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await response.json()) as GraphQLResponse<T>;
  } catch {
    throw new GraphQLRequestError(`The API answered HTTP ${response.status}.`, undefined, response.status);
  }
  const first = body.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code, response.status);
  if (!body.data) throw new GraphQLRequestError('The API answered no data.', undefined, response.status);
  return body.data;
}

export type QueryState<T> = { status: 'loading' } | { status: 'error'; error: GraphQLRequestError } | { status: 'done'; data: T };

/** Runs `query` whenever its variables change; a newer run aborts the older one. */
export function useQuery<T>(key: string, query: string, variables: Record<string, unknown>, skip = false): [QueryState<T>, () => void] {
  const [state, setState] = useState<QueryState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const vars = JSON.stringify(variables);
  const latest = useRef(0);
  const shown = useRef('');
  useEffect(() => {
    if (skip) return;
    const run = ++latest.current;
    const controller = new AbortController();
    // a reload of the same question keeps what is on screen until the answer comes
    const target = `${query}\n${vars}`;
    setState((current) => (current.status === 'done' && shown.current === target ? current : { status: 'loading' }));
    shown.current = target;
    gql<T>(key, query, JSON.parse(vars) as Record<string, unknown>, controller.signal).then(
      (data) => run === latest.current && setState({ status: 'done', data }),
      (error: unknown) => {
        if (run !== latest.current || controller.signal.aborted) return;
        setState({ status: 'error', error: error instanceof GraphQLRequestError ? error : new GraphQLRequestError(String(error), undefined, 0) });
      },
    );
    return () => controller.abort();
  }, [key, query, vars, tick, skip]);
  return [state, () => setTick((t) => t + 1)];
}
