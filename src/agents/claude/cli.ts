/** The shell command that continues Claude Code session `id` of project `root` in Claude Code itself (`cd <root> && claude --resume <id>`). Pure. */
export function claudeResumeCommand(id: string, root: string): string {
  return `cd ${JSON.stringify(root)} && claude --resume ${id}`;
}
