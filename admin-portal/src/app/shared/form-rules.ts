import type { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import { LIMITS, NOT_BLANK, TAG_PATTERN, TAG_RULE } from '@shoal/contract/limits';

/**
 * Form checks with the server's own rules and numbers (from contract/), so a form refuses
 * what the server would, before sending it, with the same sentence.
 */

/** Something other than whitespace (an empty value is `required`'s to report). */
export const notBlank: ValidatorFn = (c: AbstractControl<string>): ValidationErrors | null =>
  typeof c.value === 'string' && c.value.length > 0 && !NOT_BLANK.test(c.value)
    ? { blank: true }
    : null;

/** A list of tags: at most `LIMITS.maxTags`, each one `TAG_PATTERN`. */
export const validTags: ValidatorFn = (c: AbstractControl<string[]>): ValidationErrors | null => {
  const tags = c.value ?? [];
  if (tags.length > LIMITS.maxTags) return { tooManyTags: LIMITS.maxTags };
  const bad = tags.find((t) => !TAG_PATTERN.test(t));
  return bad === undefined ? null : { badTag: bad };
};

/** "A tag must be 1-64 letters, …" */
export const TAG_HINT = `A tag must ${TAG_RULE}`;

/** Tags typed in one go ("linux, qa"): split on commas and spaces, blanks and repeats dropped. */
export function splitTags(text: string, existing: readonly string[] = []): string[] {
  const seen = new Set(existing.map((t) => t.toLocaleLowerCase('en-US')));
  const out: string[] = [];
  for (const tag of text.split(/[\s,]+/).filter(Boolean)) {
    const key = tag.toLocaleLowerCase('en-US');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}
