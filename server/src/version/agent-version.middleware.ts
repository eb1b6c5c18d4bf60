import {
  AGENT_VERSION_HEADER,
  API_VERSION,
  apiTooOld,
  OLDEST_API_VERSION,
  parseVersionHeader,
  SERVER_VERSION_HEADER,
  versionHeader,
} from '@shoal/contract';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SERVER_RELEASE } from './server-version.js';

const ANSWERED_WITH = versionHeader(SERVER_RELEASE);

/** The header every answer carries, for paths answered before Express (the tracker's fast path). */
export const SERVER_VERSION: [string, string] = [SERVER_VERSION_HEADER, ANSWERED_WITH];

/**
 * Every answer names the server's release and API version, so an agent can tell a server it
 * cannot work with. An agent too old for this server is refused with one sentence naming both
 * versions and what to do, before its call is handled (login, enroll and heartbeat included).
 */
export function agentVersionCheck(publicUrl: string) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    res.setHeader(SERVER_VERSION_HEADER, ANSWERED_WITH);
    const agent = parseVersionHeader(req.headers[AGENT_VERSION_HEADER]);
    if (!agent || !apiTooOld(agent.api)) return next();
    const body = JSON.stringify({
      statusCode: 426,
      code: 'agent_too_old',
      message:
        `this agent (${agent.release}, API ${agent.api}) is older than this server (${SERVER_RELEASE}, API ${API_VERSION}) ` +
        `works with (API ${OLDEST_API_VERSION} or later): get the matching agent at ${publicUrl}/downloads/shoal`,
    });
    res.writeHead(426, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };
}
