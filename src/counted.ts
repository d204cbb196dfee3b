/** "1 member", "3 members": an English count with its noun in the singular or the plural. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
