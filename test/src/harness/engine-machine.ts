import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, generateTlsMaterial, NodeKey, type Logger } from '@shoal/agent';
import type { Api } from './api-client.js';

/** A machine running the agent's engine in the test process: what it logs is kept to assert on. */
export interface EngineMachine {
  nodeId: string;
  engine: Engine;
  lines: string[];
}

/**
 * Enrolls a client machine with `user`'s login on the real server and starts the engine for
 * it, with no listener: a dialer the test can hand any ticket or spec.
 */
export async function startEngineMachine(user: Api, name: string): Promise<EngineMachine> {
  const key = NodeKey.generate();
  const res = await user.post('/api/nodes/enroll', { name, role: 'client', addresses: [], publicKey: key.publicJwk() });
  if (res.status !== 201) throw new Error(`enrolling ${name} answered ${res.status}: ${res.text}`);
  const lines: string[] = [];
  const log: Logger = { log: (level, message) => lines.push(`${level} ${message}`) };
  const engine = await Engine.start({
    nodeId: res.body.nodeId,
    credential: () => res.body.credential,
    key,
    tls: await generateTlsMaterial(`shoal-node-${res.body.nodeId}`),
    serverUrl: user.baseUrl,
    trackerUrl: `${user.baseUrl}/api/tracker/announce`,
    stateDir: mkdtempSync(join(tmpdir(), `shoal-machine-${name}-`)),
    listen: null,
    log,
  });
  return { nodeId: res.body.nodeId as string, engine, lines };
}
