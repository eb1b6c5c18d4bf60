import type { LoginResponse, OidcDevicePoll, OidcDeviceStart } from '@shoal/contract';
import { callApi } from '../api-client.js';
import type { DataDir } from '../data-dir.js';
import { CliError, EXIT } from '../exit-codes.js';

/** The server holds each poll up to 20 s; the request must outlast that. */
const POLL_TIMEOUT_MS = 45_000;

/**
 * `shoal login --sso`: the device authorization grant (RFC 8628) through the server, which
 * keeps the client secret. Prints where to go and the code to type, then waits until the
 * user approves in a browser, the code expires, or the IdP refuses.
 */
export async function loginSso(
  dataDir: DataDir,
  opts: { server: string },
  print: (line: string) => void,
): Promise<LoginResponse> {
  const start = await callApi<OidcDeviceStart>(opts.server, '/api/auth/oidc/device', { body: {} });
  print(`To sign in, open ${start.verificationUri} in a browser and enter the code ${start.userCode}`);
  if (start.verificationUriComplete) print(`(or open ${start.verificationUriComplete})`);
  print('waiting for the sign-in to be approved ...');
  const deadline = Date.now() + start.expiresIn * 1000;
  while (Date.now() < deadline) {
    const poll = await callApi<OidcDevicePoll>(opts.server, '/api/auth/oidc/device/token', {
      body: { handle: start.handle },
      timeoutMs: POLL_TIMEOUT_MS,
    });
    if (poll.status === 'done') {
      await dataDir.ensure();
      await dataDir.saveUserLogin({
        serverUrl: opts.server,
        username: poll.user.username,
        accessToken: poll.accessToken,
        expiresAt: poll.expiresAt,
      });
      return poll;
    }
  }
  throw new CliError(
    'the sign-in code expired before it was approved: run "shoal login --sso" again',
    EXIT.unauthorized,
  );
}
