// Bundles the client, the language server and the linter with esbuild, so the extension ships no node_modules.
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.mjs';

const production = process.argv.includes('--production');
const common = bundleOptions(production);

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  build({ ...common, entryPoints: ['server/src/cli/lintMain.ts'], outfile: 'dist/lint.js' }),
]);
