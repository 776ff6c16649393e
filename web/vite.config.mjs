// The dashboard (index.html) and the GraphQL IDE (graphiql.html), built into dist/web, which the
// API serves at / and, for a browser, at /graphql (src/http/static.ts). Everything is bundled
// from node_modules: the pages load nothing from another origin.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/** The committed SDL as /schema.graphql: the IDE's schema when introspection is off. */
function committedSchema() {
  return {
    name: 'committed-schema',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'schema.graphql', source: readFileSync(resolve(here, '../schema/schema.graphql'), 'utf8') });
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  plugins: [committedSchema()],
  build: {
    outDir: resolve(here, '../dist/web'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      // libraries' "use client" directives mean nothing without server components
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: { index: resolve(here, 'index.html'), graphiql: resolve(here, 'graphiql.html') },
    },
  },
  worker: { format: 'es' },
});
