/**
 * A shell command cut where a line may wrap: between arguments, never inside one, and
 * keeping a flag with its value (`--token abc`) and an operator with what follows (`&& shoal`).
 * Joining the groups with single spaces gives back the command (whose words are separated
 * by single spaces, as the commands the portal shows are).
 */
export function commandGroups(command: string): string[] {
  const words = splitWords(command);
  const groups: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    const takesNext =
      next !== undefined &&
      (OPERATORS.has(word) ||
        (word.startsWith('-') && !next.startsWith('-') && !OPERATORS.has(next)));
    if (takesNext) {
      groups.push(`${word} ${next}`);
      i++;
    } else {
      groups.push(word);
    }
  }
  return groups;
}

const OPERATORS = new Set(['&&', '||', '|', ';']);

/** Words split at spaces outside double quotes (`--name "$(hostname)"` stays two words). */
function splitWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of command) {
    if (c === '"') quoted = !quoted;
    if (c === ' ' && !quoted) {
      if (current) words.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current) words.push(current);
  return words;
}
