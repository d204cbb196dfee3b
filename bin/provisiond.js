#!/usr/bin/env node
// The bundled CLI and daemon; `npm install` builds them through the package's prepare script.
import('../dist/bundle/provisiond/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error(
      'provisiond: the build is missing; run `npm run build` (npm install does this for you).',
    );
    process.exit(1);
  }
  throw error;
});
