import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { fail, pass, warn, type AgentCheck, type AgentCheckContext } from "../check.js";
import { chooseGeminiSlug } from "./slug.js";
import { shellQuote } from "../../git/shell.js";

/**
 * `git ctx doctor`'s checks of a Gemini CLI view: each joined project's slug folder is the one
 * Gemini CLI looks in for the root; the `AfterAgent` hook; sessions Gemini's retention will delete.
 */

/** Gemini CLI's retention as its settings say (`general.sessionRetention`, defaults of 0.61.0: enabled, `30d`). */
export interface GeminiRetention {
  enabled: boolean;
  /** Milliseconds, or undefined when `maxAge` is absent or unreadable (then age deletes nothing). */
  maxAgeMs: number | undefined;
  maxAge: string | undefined;
}

/** Parses Gemini's period strings (`30d`, `7d`, `24h`, `1w`, `90m`); undefined when not one. */
export function parsePeriod(s: string): number | undefined {
  const m = /^(\d+)([mhdw])$/.exec(s.trim());
  if (!m) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as "m" | "h" | "d" | "w"];
  return Number(m[1]) * unit;
}

/** The retention of `settings.json` (parsed object, or undefined when the file is absent). */
export function retentionOf(settings: unknown): GeminiRetention {
  const r = (settings as { general?: { sessionRetention?: { enabled?: unknown; maxAge?: unknown } } } | undefined)?.general?.sessionRetention;
  const enabled = r?.enabled === undefined ? true : r.enabled === true;
  const maxAge = typeof r?.maxAge === "string" ? r.maxAge : r?.maxAge === undefined ? "30d" : undefined;
  return { enabled, maxAge, maxAgeMs: maxAge ? parsePeriod(maxAge) : undefined };
}

/** A chat's `lastUpdated` (ms) as Gemini reads it: the JSON's field, a JSONL chat's first line or last `$set`; else the file's mtime. */
export function chatLastUpdated(file: string): number {
  let last: string | undefined;
  try {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".jsonl")) {
      for (const line of text.split("\n")) {
        if (!line.includes('"lastUpdated"')) continue;
        try {
          const r = JSON.parse(line) as { lastUpdated?: unknown; $set?: { lastUpdated?: unknown } };
          const v = r.$set?.lastUpdated ?? r.lastUpdated;
          if (typeof v === "string") last = v;
        } catch {
          /* a line Gemini skips too */
        }
      }
    } else {
      const v = (JSON.parse(text) as { lastUpdated?: unknown }).lastUpdated;
      if (typeof v === "string") last = v;
    }
  } catch {
    /* unreadable: the mtime */
  }
  const t = last ? Date.parse(last) : Number.NaN;
  return Number.isNaN(t) ? statSync(file).mtimeMs : t;
}

/**
 * The checks (see the module comment). `settingsFile` is `~/.gemini/settings.json`, `home` the
 * Gemini home, `chats` lists a slug folder's chat files (relative), `now` in ms.
 */
export async function checkGemini(
  ctx: AgentCheckContext,
  o: { home: string; settingsFile: string; hookInstalled: boolean; chats: (folder: string) => string[]; now?: number },
): Promise<AgentCheck[]> {
  const out: AgentCheck[] = [];
  const st = ctx.state;
  for (const [id, p] of Object.entries(st?.projects ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = `project ${id}: Gemini CLI folder`;
    try {
      const want = chooseGeminiSlug(o.home, p.root, st!.machine.os, p.key).key;
      if (want === p.key) out.push(pass(name, `Gemini CLI looks in tmp/${p.key}/ for ${p.root}`));
      else
        out.push(
          fail(
            name,
            `Gemini CLI would look in tmp/${want}/ for ${p.root}, but the project is synced into tmp/${p.key}/`,
            `git ctx join --id ${shellQuote(id)} ${shellQuote(p.root)}`,
          ),
        );
    } catch (e) {
      out.push(fail(name, (e as Error).message, `repair ${shellQuote(path.join(o.home, "projects.json"))}, then git ctx doctor`));
    }
  }
  out.push(
    o.hookInstalled
      ? pass("AfterAgent hook", `${o.settingsFile} runs git ctx sync after each turn`)
      : fail("AfterAgent hook", `no AfterAgent hook in ${o.settingsFile} runs 'git ctx sync', so nothing syncs after a turn`, "git ctx hook install --agent gemini"),
  );
  let settings: unknown;
  try {
    settings = JSON.parse(readFileSync(o.settingsFile, "utf8"));
  } catch {
    settings = undefined;
  }
  const r = retentionOf(settings);
  if (!r.enabled || r.maxAgeMs === undefined) {
    out.push(pass("Gemini CLI retention", r.enabled ? `no readable maxAge in ${o.settingsFile}: age deletes nothing` : "session cleanup is off: synced chats stay"));
    return out;
  }
  const cutoff = (o.now ?? Date.now()) - r.maxAgeMs;
  let old = 0;
  for (const p of Object.values(st?.projects ?? {})) {
    const folder = path.join(ctx.workTree, p.key);
    for (const c of o.chats(folder)) if (chatLastUpdated(path.join(folder, c)) < cutoff) old++;
  }
  if (old === 0) out.push(pass("Gemini CLI retention", `no synced chat is older than ${r.maxAge}`));
  else
    out.push(
      warn(
        "Gemini CLI retention",
        `Gemini CLI deletes chats older than ${r.maxAge} at its next start: ${old} synced chat(s) of the joined projects are (the cluster keeps them, this machine would not)`,
        `keep them: set "general": {"sessionRetention": {"enabled": false}} (or a longer "maxAge") in ${o.settingsFile}`,
      ),
    );
  return out;
}
