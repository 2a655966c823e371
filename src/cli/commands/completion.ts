import type { CommandModule } from "yargs";
import { COMPLETE } from "../global.js";
import { runCommand } from "../run.js";

/**
 * The completion script for a shell (issue 10, conveniences; issue 24, point 8). Each calls back
 * `git ctx __complete <words after ctx>` (../complete.ts), which knows the subcommands, their
 * flags and choices, the joined projects' ids and the sessions' ids; when it offers nothing the
 * shell completes file names. bash: git's own completion calls `_git_<subcommand>` for `git
 * <subcommand>` (git-completion.bash, "user commands") with `words` and `cword` set; `git-ctx`
 * typed directly is completed too. zsh: zsh's `_git` calls `_git-<subcommand>`. fish: the `ctx`
 * subcommand of `git`, and `git-ctx`. Pure: returns the text.
 */
export function completionScript(shell: "bash" | "zsh" | "fish"): string {
  const call = `git ctx ${COMPLETE}`;
  if (shell === "fish") {
    return [
      "# git ctx completion for fish: git ctx completion fish > ~/.config/fish/completions/git-ctx.fish",
      "function __git_ctx_complete",
      "    set -l t (commandline -opc)",
      "    set -l i (contains -i -- ctx $t); or set i 1",
      "    set -e t[1..$i]",
      `    ${call} $t (commandline -ct)`,
      "end",
      "complete -c git -n '__fish_seen_subcommand_from ctx' -f -a '(__git_ctx_complete)'",
      "complete -c git-ctx -f -a '(__git_ctx_complete)'",
      "",
    ].join("\n");
  }
  if (shell === "zsh") {
    return [
      "# git ctx completion for zsh: git ctx completion zsh >> ~/.zshrc (after compinit)",
      "_git-ctx() {",
      "  local -a c",
      `  c=(\${(f)"$(${call} "\${(@)words[2,CURRENT]}" 2>/dev/null)"})`,
      "  if (( ${#c} )); then compadd -a c; else _files; fi",
      "}",
      "compdef _git-ctx git-ctx",
      "",
    ].join("\n");
  }
  return [
    "# git ctx completion for bash: git ctx completion bash >> ~/.bashrc (with git's own completion for 'git ctx')",
    "_git_ctx_words() {",
    "  local IFS=$'\\n'",
    `  COMPREPLY=($(${call} "$@" 2>/dev/null))`,
    '  if [ ${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- "${@: -1}")); fi',
    "}",
    "_git_ctx() {",
    "  local i=${__git_cmd_idx:-1}",
    '  _git_ctx_words "${words[@]:i+1:cword-i}"',
    "}",
    "_git_ctx_direct() {",
    "  local cur words cword",
    "  if declare -F _get_comp_words_by_ref >/dev/null; then _get_comp_words_by_ref -n =: cur words cword",
    '  else words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; fi',
    '  _git_ctx_words "${words[@]:1:cword}"',
    "}",
    "complete -F _git_ctx_direct git-ctx",
    "",
  ].join("\n");
}

/** `git ctx completion bash|zsh|fish`: print the shell's completion script. */
export const completionCommand: CommandModule = {
  command: "completion <shell>",
  describe: "print a shell completion script (bash, zsh or fish): subcommands, flags, project and session ids",
  builder: (y) =>
    y
      .positional("shell", { choices: ["bash", "zsh", "fish"] as const, demandOption: true, describe: "the shell whose script is printed" })
      .example("git ctx completion bash >> ~/.bashrc", "complete 'git ctx <TAB>' in bash (with git's own completion)")
      .example("git ctx completion zsh >> ~/.zshrc", "zsh (after compinit): 'git-ctx <TAB>', and 'git ctx <TAB>' through zsh's git completion")
      .example("git ctx completion fish > ~/.config/fish/completions/git-ctx.fish", "fish"),
  handler: (o) =>
    runCommand(async () => {
      process.stdout.write(completionScript(o.shell as "bash" | "zsh" | "fish"));
    }),
};
