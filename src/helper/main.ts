/** Entry point of bin/git-remote-ctx. (Placeholder until its issue lands.) */
export async function main(_argv: string[]): Promise<void> {
  process.stderr.write("not available yet\n");
  process.exitCode = 2;
}
