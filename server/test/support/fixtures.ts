import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Node } from '../../src/nodes/node.entity.js';
import { searchTokens } from '../../src/resources/name-tokens.js';
import { ResourceNameToken } from '../../src/resources/resource-name-token.entity.js';
import { Resource } from '../../src/resources/resource.entity.js';

/** A published resource row (with its name's words), for specs whose subject is not publishing. */
export async function insertResource(db: DataSource, o: Partial<Resource> = {}): Promise<Resource> {
  const id = o.id ?? randomUUID();
  const name = o.name ?? `resource ${id.slice(0, 8)}`;
  const resource = db.getRepository(Resource).create({
    id,
    contentId: id.replace(/-/g, '').padEnd(64, '0'),
    name,
    nameLower: name.toLocaleLowerCase('en-US'),
    description: '',
    tags: [],
    totalSize: 4096,
    pieceSize: 1024,
    pieceCount: 4,
    fileCount: 1,
    files: [{ path: 'file.bin', size: 4096 }],
    pieceHashes: 'ab'.repeat(32 * 4),
    publishedBy: null,
    seedCount: 0,
    downloaderCount: 0,
    ...o,
  });
  await db.getRepository(Resource).insert(resource);
  await db.getRepository(ResourceNameToken).insert(searchTokens(resource).map((token) => ({ resourceId: id, token })));
  return resource;
}

/** A node row as enrollment leaves it, for specs whose subject is not enrollment. */
export async function insertNode(db: DataSource, o: Partial<Node> & Pick<Node, 'role'>): Promise<Node> {
  const id = o.id ?? randomUUID();
  const node = db.getRepository(Node).create({
    id,
    name: `${o.role}-${id.slice(0, 8)}`,
    site: null,
    addresses: [`10.0.0.${Math.floor(Math.random() * 250) + 1}:7070`],
    publicKeyX: 'x'.repeat(43),
    enrolledBy: null,
    lastHeartbeatAt: null,
    revokedAt: null,
    ...o,
  });
  await db.getRepository(Node).insert(node);
  return node;
}
