#!/usr/bin/env node
// The CLI runs from one bundled file (dist/bundle/, built by `npm run build`): loading
// the compiled modules one by one took twice as long at every start.
import { main } from '../dist/bundle/shoal.mjs';

// Exit explicitly: the agent closes its sockets and workers itself, and a stray timer must
// never keep a finished `shoal get` alive in a script.
process.exit(await main(process.argv));
