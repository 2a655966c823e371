/**
 * The JSON Claude Code writes on a hook's stdin (FORMATS.md "Hooks"): `session_id`,
 * `transcript_path`, `cwd`, `hook_event_name`, `stop_hook_active` (+ `reason` for SessionEnd).
 * Every field is optional because the hook must never fail on input; fields of the wrong type
 * are dropped, unknown fields are ignored. (Hand-written rather than zod: the hook path must
 * start fast, see {@link readStdinWithin}.)
 */
export interface HookInput {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  hook_event_name?: string;
  stop_hook_active?: boolean;
  reason?: string;
}

/** Parses hook stdin text; `undefined` for empty or malformed input (never throws). */
export function parseHookInput(text: string): HookInput | undefined {
  if (!text.trim()) return undefined;
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) return undefined;
  const o = j as Record<string, unknown>;
  const out: HookInput = {};
  for (const k of ["session_id", "transcript_path", "cwd", "hook_event_name", "reason"] as const) if (typeof o[k] === "string") out[k] = o[k] as string;
  if (typeof o.stop_hook_active === "boolean") out.stop_hook_active = o.stop_hook_active;
  return out;
}

/**
 * Reads stdin until EOF or `timeoutMs` (whichever first) and returns what arrived. A hook must
 * return fast even if its caller never closes stdin; a TTY stdin yields "" at once.
 */
export async function readStdinWithin(timeoutMs: number, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) return "";
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      stdin.removeAllListeners("data");
      stdin.removeAllListeners("end");
      stdin.removeAllListeners("error");
      stdin.pause();
      stdin.unref?.();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(done, timeoutMs);
    stdin.on("data", (b: Buffer) => chunks.push(b));
    stdin.on("end", done);
    stdin.on("error", done);
  });
}
