export { computeContentId } from '@shoal/contract';
export type { AnnounceRequest, NodeRole, PeerInfo } from '@shoal/contract';
import { decodeJwt } from 'jose';

export function decodeJwtPayload(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}
