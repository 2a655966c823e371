import { z } from "zod";

/**
 * The JSON Claude Code writes on a hook's stdin (FORMATS.md "Hooks"): `session_id`,
 * `transcript_path`, `cwd`, `hook_event_name`, `stop_hook_active` (+ `reason` for SessionEnd).
 * Unknown fields are kept; every field is optional because the hook must never fail on input.
 */
export const HookInputSchema = z.looseObject({
  session_id: z.string().optional(),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
  hook_event_name: z.string().optional(),
  stop_hook_active: z.boolean().optional(),
  reason: z.string().optional(),
});
export type HookInput = z.infer<typeof HookInputSchema>;

/** Parses hook stdin text; `undefined` for empty or malformed input (never throws). */
export function parseHookInput(text: string): HookInput | undefined {
  if (!text.trim()) return undefined;
  try {
    const r = HookInputSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
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
