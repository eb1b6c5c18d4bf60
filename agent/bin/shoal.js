#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Exit explicitly: the agent closes its sockets and workers itself, and a stray timer must
// never keep a finished `shoal get` alive in a script.
process.exit(await main(process.argv));
