/** The shell command that continues Codex CLI session `id` of project `root` in Codex CLI itself (`cd <root> && codex resume <id>`). Pure. */
export function codexResumeCommand(id: string, root: string): string {
  return `cd ${JSON.stringify(root)} && codex resume ${id}`;
}
