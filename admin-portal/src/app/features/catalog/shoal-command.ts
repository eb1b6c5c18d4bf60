/** A folder name for `-o` derived from the resource name: safe to paste in any shell. */
export function outputDirFor(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `./${slug || 'download'}`;
}

/** The command a user pastes to download a resource with the agent. */
export function shoalGetCommand(resource: { id: string; name: string }): string {
  return `shoal get ${resource.id} -o ${outputDirFor(resource.name)}`;
}
