import type { Request, Response } from 'express';

/** Every cookie of ours lives only under the routes that read it. */
const COOKIE_PATH = '/api/auth/oidc';

/** One cookie's value from the Cookie header (no cookie-parser for two cookies). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Lax (sent on the IdP's top-level redirect back,
 * not on a cross-site POST), Secure whenever the portal is served over https.
 */
export function setCookie(res: Response, name: string, value: string, maxAgeSeconds: number, secure: boolean): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure, path: COOKIE_PATH, maxAge: maxAgeSeconds * 1000 });
}

export function clearCookie(res: Response, name: string, secure: boolean): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure, path: COOKIE_PATH });
}
