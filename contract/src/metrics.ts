/**
 * Prometheus names the server and the agent both export, so one dashboard query
 * (`shoal_build_info`) finds every Shoal process whichever job scrapes it.
 */
export const BUILD_INFO_METRIC = {
  name: 'shoal_build_info',
  help: 'Always 1; its labels say which release and commit this process runs',
  labelNames: ['version', 'commit'],
} as const;
