import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the daemon under /console as static files: every asset is local.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // One file per screen would cost a request each; the whole console stays small.
    assetsInlineLimit: 0,
  },
});
