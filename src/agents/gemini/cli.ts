/** The shell command that continues Gemini CLI session `id` of project `root` in Gemini CLI itself (`cd <root> && gemini --resume <id>`). Pure. */
export function geminiResumeCommand(id: string, root: string): string {
  return `cd ${JSON.stringify(root)} && gemini --resume ${id}`;
}
