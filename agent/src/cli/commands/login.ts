import { API_TOKEN_PATTERN, type ApiTokenSummary, type LoginResponse, type UserSummary } from '@shoal/contract';
import { callApi } from '../api-client.js';
import type { DataDir } from '../data-dir.js';
import { CliError, EXIT } from '../exit-codes.js';

/** More than any password or token; what is piped in beyond it is refused, not buffered. */
const MAX_STDIN_BYTES = 64 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > MAX_STDIN_BYTES) throw new CliError(`standard input is over ${MAX_STDIN_BYTES} bytes`, EXIT.usage);
    chunks.push(c as Buffer);
  }
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

export interface LoginOptions {
  server: string;
  user?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
}

/** Who is logged in now and until when, as `shoal login` prints it. */
export interface LoginAnswer {
  user: UserSummary;
  expiresAt: string;
}

export async function login(dataDir: DataDir, opts: LoginOptions): Promise<LoginAnswer> {
  if (opts.tokenStdin) {
    if (opts.user || opts.passwordStdin)
      throw new CliError('--token-stdin takes no --user or --password-stdin', EXIT.usage);
    return loginWithToken(dataDir, opts.server);
  }
  if (!opts.user) throw new CliError('give --user (or --token-stdin with an API token)', EXIT.usage);
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
    kind: 'session',
  });
  return answer;
}

/**
 * Stores an API token (from the portal's "My tokens") as this data dir's login, once the
 * server has said whose it is and until when it works. It needs no refresh: it works
 * until it expires or is revoked, where a password login lasts one short session.
 */
async function loginWithToken(dataDir: DataDir, server: string): Promise<LoginAnswer> {
  const token = (await readStdin()).trim();
  if (!API_TOKEN_PATTERN.test(token)) {
    throw new CliError('standard input holds no API token (one looks like shoal_pat_<id>_<secret>)', EXIT.usage);
  }
  const user = await callApi<UserSummary>(server, '/api/auth/me', { token });
  const current = await callApi<ApiTokenSummary>(server, '/api/me/tokens/current', { token });
  await dataDir.ensure();
  await dataDir.saveUserLogin({
    serverUrl: server,
    username: user.username,
    accessToken: token,
    expiresAt: current.expiresAt,
    kind: 'api-token',
  });
  return { user, expiresAt: current.expiresAt };
}
