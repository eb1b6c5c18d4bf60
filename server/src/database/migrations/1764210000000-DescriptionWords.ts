import type { MigrationInterface, QueryRunner } from 'typeorm';
import { nameWords, searchTokens } from '../../resources/name-tokens.js';

/** Resources read per step, and word rows per INSERT. */
const BATCH = 1_000;
const INSERT_ROWS = 500;

interface Row {
  id: string;
  name: string;
  description: string;
  tags: string;
}

/**
 * Search finds descriptions and tags too: the word table (`resource_name_tokens`) gains
 * the words of each resource's description and tags that its name lacks (marked, see
 * `searchTokens`), and each tag whole (`?tag=`), next to its name's words. Only resources with a description or tags are touched; `down`
 * leaves their name words only. Uses the server's own tokenizer, so a later change to it
 * needs a migration of its own to rewrite the rows.
 */
export class DescriptionWords1764210000000 implements MigrationInterface {
  name = 'DescriptionWords1764210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ignore = queryRunner.connection.options.type === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await eachDescribed(queryRunner, async (rows) => {
      const values: string[] = [];
      for (const r of rows) {
        const own = new Set(nameWords(r.name));
        const tags = parseTags(r.tags);
        for (const token of searchTokens({ name: r.name, description: r.description, tags }))
          if (!own.has(token)) values.push(r.id, token);
      }
      for (let i = 0; i < values.length; i += 2 * INSERT_ROWS) {
        const slice = values.slice(i, i + 2 * INSERT_ROWS);
        const tuples = Array.from({ length: slice.length / 2 }, () => '(?, ?)').join(', ');
        await queryRunner.query(`${ignore} INTO resource_name_tokens (resourceId, token) VALUES ${tuples}`, slice);
      }
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await eachDescribed(queryRunner, async (rows) => {
      for (const r of rows) {
        const own = nameWords(r.name);
        const marks = own.map(() => '?').join(', ');
        await queryRunner.query(
          `DELETE FROM resource_name_tokens WHERE resourceId = ?${own.length ? ` AND token NOT IN (${marks})` : ''}`,
          [r.id, ...own],
        );
      }
    });
  }
}

/** The resources with a description or tags, in id order, a batch at a time. */
async function eachDescribed(queryRunner: QueryRunner, step: (rows: Row[]) => Promise<void>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = (await queryRunner.query(
      `SELECT id, name, description, tags FROM resources WHERE id > ? AND (description <> '' OR tags <> '[]') ORDER BY id LIMIT ${BATCH}`,
      [after],
    )) as Row[];
    if (!rows.length) return;
    await step(rows);
    after = rows[rows.length - 1].id;
  }
}

function parseTags(raw: string): string[] {
  try {
    const tags: unknown = JSON.parse(raw);
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
