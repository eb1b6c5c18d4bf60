import { API_VERSION } from '@shoal/contract';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_VERSION } from '../version.js';
import { callApi } from './api-client.js';
import { VersionNotice } from './version-notice.js';

/** A loopback server answering every call with `{}` and the given server release. */
async function serverOf(release: string) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-shoal-server': `${release}; api=${API_VERSION}` });
    res.end('{}');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

describe('the notice that agent and server releases differ', () => {
  it('says it once, naming both releases and where the matching agent is', () => {
    const lines: string[] = [];
    const notice = new VersionNotice((l) => lines.push(l));
    notice.check({ release: AGENT_VERSION, api: API_VERSION }, 'https://shoal.example');
    expect(lines).toEqual([]);
    notice.check({ release: '7.0.0', api: API_VERSION }, 'https://shoal.example');
    notice.check({ release: '8.0.0', api: API_VERSION }, 'https://shoal.example');
    expect(lines).toEqual([
      `shoal: this agent is ${AGENT_VERSION} and the server at https://shoal.example runs 7.0.0; get the matching agent at https://shoal.example/downloads/shoal\n`,
    ]);
  });

  it('comes once per process on stderr, however many calls the agent makes', async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const same = await serverOf(AGENT_VERSION);
    const other = await serverOf('9.9.9');
    try {
      await callApi(same.url, '/api/version');
      expect(written).toEqual([]);
      for (let i = 0; i < 3; i++) await callApi(other.url, '/api/version');
      await callApi(same.url, '/api/version');
    } finally {
      process.stderr.write = write;
      await same.close();
      await other.close();
    }
    expect(written).toEqual([
      `shoal: this agent is ${AGENT_VERSION} and the server at ${other.url} runs 9.9.9; get the matching agent at ${other.url}/downloads/shoal\n`,
    ]);
  });
});
