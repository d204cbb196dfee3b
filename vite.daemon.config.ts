import { defineConfig } from 'vite';

// The daemon and the CLI as `bin/provisiond.js` runs them: our modules bundled into a few chunks
// (a dynamic import stays a chunk of its own, loaded when a command needs it). Node resolves,
// reads and compiles each module file on its own: a CLI command answered by the daemon loaded
// about 250 files and spent a third of its CPU in the module loader; a daemon loaded about 1,200.
//
// The packages inlined are pure JavaScript that read no files of their own and would otherwise load
// as many small files: zod (about 95), yaml (72), nodemailer (39), the OpenTelemetry API (44),
// prom-client (32). The others stay external: native addons, WebAssembly (PGlite, xmllint) and
// packages that find files beside their own (knex's dialects, pino's transports, zxcvbn's
// dictionaries).
const INLINED = [
  'zod',
  'yaml',
  'nodemailer',
  '@opentelemetry/api',
  'prom-client',
  'commander',
  'cli-table3',
];

export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  build: {
    ssr: true,
    // Two folders under dist, as the compiled src/store is: the migrations are found at
    // ../../migrations/ from the module that runs them, which is dist/migrations from both.
    outDir: 'dist/bundle/provisiond',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rolldownOptions: {
      input: {
        main: 'src/cli/main.ts',
        // PGlite's thread is started from the file beside the module that starts it.
        'pglite-worker': 'src/store/pglite-worker.ts',
      },
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: '[name]-[hash].js',
        // Errors name themselves after their class (plugin-api's SourceError): a class renamed to
        // avoid a clash in a chunk must keep its name.
        keepNames: true,
      },
    },
  },
  ssr: { target: 'node', noExternal: INLINED },
});
