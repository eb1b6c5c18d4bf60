import type { AnnounceResponse, PeerInfo } from '@shoal/contract';

/** Each peer entry's JSON, kept as long as the entry object lives (entries are never mutated). */
const peerJson = new WeakMap<PeerInfo, string>();

/**
 * `JSON.stringify(response)`, byte for byte, with each peer's JSON built once per peer
 * object: the tracker hands out the same entries (TrackerService.peerOf, the providers'
 * cached seed list) to every announce of a steady swarm.
 */
export function announceJson(response: AnnounceResponse): string {
  let out = `{"intervalSeconds":${JSON.stringify(response.intervalSeconds)},"peers":[`;
  const peers = response.peers;
  for (let i = 0; i < peers.length; i++) {
    let json = peerJson.get(peers[i]);
    if (json === undefined) {
      json = JSON.stringify(peers[i]);
      peerJson.set(peers[i], json);
    }
    out += i === 0 ? json : `,${json}`;
  }
  // A grant is small and made for one answer: plain JSON.stringify, same key order as the object.
  return response.session ? `${out}],"session":${JSON.stringify(response.session)}}` : `${out}]}`;
}
