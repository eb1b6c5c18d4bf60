/**
 * A pass-through HTTP proxy in front of the test IdP that, when told, rewrites the ID token
 * in the token endpoint's answer, as an attacker on the IdP's path (or a broken IdP) would:
 * a flipped signature byte, or claims re-signed with the IdP's real key but expired or for
 * another audience. `resign` re-signs the claims unchanged: the control that shows the
 * rewriting itself is not what a refusal is about.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { decodeJwt, SignJWT } from 'jose';

export type Tampering = 'flip-signature' | 'expired' | 'wrong-audience' | 'resign';

/** The token endpoint's answers are small; anything bigger is passed on untouched. */
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export interface TokenTamperer {
  set(mode: Tampering | null): void;
  /** How many ID tokens were rewritten so far (a test checks its tampering happened). */
  rewritten(): number;
  stop(): Promise<void>;
}

export async function startTamperer(opts: {
  port: number;
  upstreamPort: number;
  tokenPath: string;
  signingKey: CryptoKey;
  signingKid: string;
}): Promise<TokenTamperer> {
  let mode: Tampering | null = null;
  let count = 0;

  const rewrite = async (idToken: string, how: Tampering): Promise<string> => {
    if (how === 'flip-signature') {
      const [h, p, sig] = idToken.split('.') as [string, string, string];
      const bytes = Buffer.from(sig, 'base64url');
      bytes[0]! ^= 0x01;
      return `${h}.${p}.${bytes.toString('base64url')}`;
    }
    const claims = decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    if (how === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    if (how === 'wrong-audience') claims.aud = 'another-client';
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: opts.signingKid }).sign(opts.signingKey);
  };

  const server: Server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: opts.upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        const how = mode;
        if (!how || req.method !== 'POST' || req.url !== opts.tokenPath) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        answer.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_TOKEN_RESPONSE_BYTES) chunks.push(c);
        });
        answer.on('end', () => {
          void (async () => {
            let body = Buffer.concat(chunks);
            const parsed = JSON.parse(body.toString('utf8')) as { id_token?: string };
            if (parsed.id_token) {
              parsed.id_token = await rewrite(parsed.id_token, how);
              count++;
              body = Buffer.from(JSON.stringify(parsed));
            }
            res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(body.length) });
            res.end(body);
          })().catch((err: unknown) => {
            // A broken rewrite must show as itself, not as the relying party refusing a token.
            console.error('id-token-tamperer could not rewrite the answer', err);
            res.destroy();
          });
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((ok) => server.listen(opts.port, '127.0.0.1', ok));
  return {
    set: (m) => (mode = m),
    rewritten: () => count,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
