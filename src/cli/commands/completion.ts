import type { CommandModule } from "yargs";
import { runCommand } from "../run.js";

/** Subcommand names completion offers (kept equal to `commands` in ./index.ts by test/cli/completion.test.ts). */
export const COMPLETION_WORDS = [
  "install",
  "init",
  "join",
  "leave",
  "projects",
  "sessions",
  "show",
  "agents",
  "resume",
  "sync",
  "status",
  "hook",
  "scan",
  "redact",
  "learn",
  "rules",
  "doctor",
  "completion",
] as const;

/**
 * The completion script for a shell (issue 10, conveniences). git's own completion calls a
 * function `_git_<subcommand>` for `git <subcommand>` (git-completion.bash, "user commands"), so
 * bash completes `git ctx <TAB>`; fish completes the `ctx` subcommand of `git`; zsh loads the
 * bash function through `bashcompinit`. Pure: returns the text.
 */
export function completionScript(shell: "bash" | "zsh" | "fish"): string {
  const words = COMPLETION_WORDS.join(" ");
  if (shell === "fish") {
    return [
      "# git ctx completion for fish: git ctx completion fish > ~/.config/fish/completions/git-ctx.fish",
      "complete -c git -n '__fish_seen_subcommand_from ctx; and not __fish_seen_subcommand_from " + words + "' -f -a '" + words + "'",
      "complete -c git-ctx -f -n 'not __fish_seen_subcommand_from " + words + "' -a '" + words + "'",
      "",
    ].join("\n");
  }
  const bash = [
    "# git ctx completion: git ctx completion bash >> ~/.bashrc (zsh: git ctx completion zsh >> ~/.zshrc)",
    "_git_ctx() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}"',
    '  if [ "$COMP_CWORD" -le 2 ]; then COMPREPLY=($(compgen -W "' + words + '" -- "$cur")); fi',
    "}",
    "_git_ctx_direct() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}"',
    '  if [ "$COMP_CWORD" -le 1 ]; then COMPREPLY=($(compgen -W "' + words + '" -- "$cur")); fi',
    "}",
    "complete -F _git_ctx_direct git-ctx",
    "",
  ].join("\n");
  return shell === "zsh" ? "autoload -U +X bashcompinit && bashcompinit\n" + bash : bash;
}

/** `git ctx completion bash|zsh|fish`: print the shell's completion script. */
export const completionCommand: CommandModule = {
  command: "completion <shell>",
  describe: "print a shell completion script (bash, zsh or fish)",
  builder: (y) =>
    y
      .positional("shell", { choices: ["bash", "zsh", "fish"] as const, demandOption: true })
      .example("git ctx completion bash >> ~/.bashrc", "complete 'git ctx <TAB>' in bash (with git's own completion)")
      .example("git ctx completion fish > ~/.config/fish/completions/git-ctx.fish", "fish"),
  handler: (o) =>
    runCommand(async () => {
      process.stdout.write(completionScript(o.shell as "bash" | "zsh" | "fish"));
    }),
};
