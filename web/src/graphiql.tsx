import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';

/**
 * GraphiQL on the API's origin. The page holds no data and needs no key: the key goes in the
 * headers editor (prefilled with a template). Requests are POSTs with content-type
 * application/json, which Apollo's CSRF prevention lets through. The schema is the committed
 * SDL (/schema.graphql), so the IDE completes and validates even with introspection off.
 */

const HEADERS_TEMPLATE = JSON.stringify({ authorization: 'Bearer <key>' }, null, 2);

const DEFAULT_QUERY = `# Put your key in Headers (below), then run: Ctrl-Enter
query FirstCampaigns {
  campaigns(first: 5, orderBy: { field: NAME }) {
    totalCount
    edges { node { id name channel ownerTeam } }
  }
}
`;

type FetcherParams = { query: string; operationName?: string | null; variables?: unknown };
type FetcherOptions = { headers?: Record<string, unknown> };

async function fetcher(params: FetcherParams, options?: FetcherOptions): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    // the untouched template is not a key: send no Authorization rather than a broken one
    if (typeof value === 'string' && !value.includes('<key>')) headers[name.toLowerCase()] = value;
  }
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(params) });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

function Ide() {
  const [schema, setSchema] = useState<GraphQLSchema | 'loading' | 'introspect'>('loading');
  useEffect(() => {
    fetch('/schema.graphql')
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((sdl) => setSchema(buildSchema(sdl)))
      // without the SDL GraphiQL falls back to introspection (when the server allows it)
      .catch(() => setSchema('introspect'));
  }, []);
  if (schema === 'loading') return <p style={{ padding: 16, fontFamily: 'system-ui, sans-serif' }}>Loading the schema…</p>;
  return (
    <GraphiQL
      fetcher={fetcher as never}
      schema={schema === 'introspect' ? undefined : schema}
      defaultQuery={DEFAULT_QUERY}
      initialHeaders={HEADERS_TEMPLATE}
      defaultEditorToolsVisibility="headers"
      shouldPersistHeaders={false}
    />
  );
}

createRoot(document.getElementById('graphiql')!).render(<Ide />);
