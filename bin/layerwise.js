#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm ci` (the `prepare` script).
import('../dist/cli/main.js')
  .then((cli) => cli.main(process.argv.slice(2)))
  .then((code) => { process.exitCode = code; })
  .catch((err) => {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli')) {
      console.error('layerwise: not built yet; run `npm run build` (or `npm ci`) first');
    } else {
      console.error(`layerwise: ${err?.message ?? err}`);
    }
    process.exitCode = 1;
  });
