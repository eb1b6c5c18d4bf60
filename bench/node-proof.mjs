// CPU per node-proof check, the work the tracker does for every announce: the contract's
// verifyNodeProof (node:crypto, synchronous) against jose's jwtVerify (WebCrypto) on the
// same proofs, in one process, alternating. `node bench/node-proof.mjs [N]`.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { signNodeProof, verifyNodeProof } from '@shoal/contract';

const N = Number(process.argv[2] ?? 20000);
const { privateKey } = generateKeyPairSync('ed25519');
const key = createPublicKey(privateKey);
const credential = 'header.payload.signature';
const path = '/api/tracker/announce';
const proofs = await Promise.all(Array.from({ length: N }, () => signNodeProof({ credential, key: privateKey, method: 'POST', url: path })));

async function cpuPerCheck(check) {
  const t0 = process.cpuUsage();
  for (const p of proofs) await check(p);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / N;
}
const contract = (p) => verifyNodeProof(p, { credential, key, method: 'POST', path });
const jose = (p) => jwtVerify(p, key, { algorithms: ['EdDSA'] });
const rounds = { contract: [], jose: [] };
for (let r = 0; r < 3; r++) {
  rounds.jose.push(await cpuPerCheck(jose));
  rounds.contract.push(await cpuPerCheck(contract));
}
const med = (a) => [...a].sort((x, y) => x - y)[1].toFixed(1);
console.log(JSON.stringify({ checks: N, cpuUsPerCheck: { contract: med(rounds.contract), jose: med(rounds.jose) }, rounds }));
