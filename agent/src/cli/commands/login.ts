import type { LoginResponse } from '@shoal/contract';
import { callApi } from '../api-client.js';
import type { DataDir } from '../data-dir.js';
import { CliError, EXIT } from '../exit-codes.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Reads a password from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY)
      return reject(new CliError('no terminal to ask for a password: use --password-stdin', EXIT.usage));
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          return reject(new CliError('interrupted', EXIT.interrupted));
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export async function login(
  dataDir: DataDir,
  opts: { server: string; user: string; passwordStdin?: boolean },
): Promise<LoginResponse> {
  const password = opts.passwordStdin ? await readStdin() : await promptHidden(`password for ${opts.user}: `);
  const answer = await callApi<LoginResponse>(opts.server, '/api/auth/login', {
    body: { username: opts.user, password },
  });
  await dataDir.ensure();
  await dataDir.saveUserLogin({
    serverUrl: opts.server,
    username: answer.user.username,
    accessToken: answer.accessToken,
    expiresAt: answer.expiresAt,
  });
  return answer;
}
