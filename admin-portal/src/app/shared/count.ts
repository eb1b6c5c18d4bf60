import { Pipe, PipeTransform } from '@angular/core';

const numbers = new Intl.NumberFormat('en-US');

/**
 * A count with its noun, singular for exactly one: "1 node", "2 nodes", "1,024 seed
 * servers". `plural` for nouns that do not just take an "s".
 */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${numbers.format(n)} ${n === 1 ? singular : plural}`;
}

/** `{{ n | count: 'node' }}`: see `countOf`. */
@Pipe({ name: 'count' })
export class CountPipe implements PipeTransform {
  transform(n: number, singular: string, plural?: string): string {
    return countOf(n, singular, plural);
  }
}
