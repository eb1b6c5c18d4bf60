/**
 * The commit this agent was built from. `npm run build` writes it into dist/build-info.js
 * (scripts/stamp-commit.mjs); run from the sources, as the unit specs do, it is unknown.
 */
export const AGENT_COMMIT: string | null = null;
