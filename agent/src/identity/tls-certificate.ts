export interface TlsMaterial {
  key: string;
  cert: string;
}

/**
 * A self-signed P-256 certificate for the node's TLS endpoint. Peers do not check it
 * against any CA: who a peer is comes from its server-signed node credential and a
 * signature over the TLS session's exporter (see docs/protocol.md), so the certificate
 * only has to give TLS 1.3 a key to run with. Generated once at enroll time.
 */
export async function generateTlsMaterial(commonName: string): Promise<TlsMaterial> {
  // Loaded here, not at start-up: it is needed once per enrolment and costs ~0.1 s to load.
  const { default: selfsigned } = await import('selfsigned');
  const now = new Date();
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName.slice(0, 64) || 'shoal-node' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 3600_000),
    notAfterDate: new Date(now.getTime() + 10 * 365 * 24 * 3600_000),
  });
  return { key: pems.private, cert: pems.cert };
}
