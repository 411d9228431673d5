/** The esbuild options every bundle shares: the extension's three bundles, and the engine the benchmark measures. */
export function bundleOptions(production) {
  return {
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  };
}
