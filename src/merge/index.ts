/**
 * `src/merge`: the pure merges behind the merge driver (`git-ctx-filter merge %O %A %B %L %P`,
 * GIT.md "Merge drivers"). Inputs and outputs are the repository (canonical) form, as bytes.
 * Rules and their reasons: docs/cluster-format.md, "Merges".
 */
import { mergeGeminiChatJson, mergeGeminiJsonl, mergeGeminiLogs } from "./gemini.js";
import { mergeJsonNewer } from "./json.js";
import { mergeLearnCursors, mergeLearnings } from "./learnings.js";
import { mergeJsonl } from "./jsonl.js";
import { mergeMemoryIndex, mergeText } from "./memory.js";
import { mergeRosterFile } from "./roster.js";

export { mergeJsonl, transcriptTime, type JsonlMergeResult } from "./jsonl.js";
export { mergeMemoryIndex, mergeText, hasConflictMarkers, type TextMergeResult } from "./memory.js";
export { mergeRosters, mergeRosterFile } from "./roster.js";
export { mergeJsonNewer, jsonTimeHint, TIME_HINT_FIELDS } from "./json.js";
export { mergeLearnCursors, mergeLearnings, normalizeLearning } from "./learnings.js";
export { mergeGeminiChatJson, mergeGeminiJsonl, mergeGeminiLogs, type GeminiMergeResult } from "./gemini.js";
export { readGeminiJsonl, type GeminiMessage } from "../agents/index.js";
export { mergeSequences, type SequenceMergeOptions, type SequenceMergeResult } from "./sequence.js";

/** Result of merging one file. */
export interface MergeOutcome {
  /** The merged bytes, to be written into `%A`. */
  merged: Buffer;
  /** True when conflict markers were written (the driver then exits 1). */
  conflict: boolean;
  /** Human-readable reports (non-append changes, which JSON side won, conflicts), for stderr/logs. */
  notes: string[];
}

/** The strategy {@link mergeFile} uses for a path. */
export type MergeStrategy = "jsonl" | "gemini-jsonl" | "gemini-chat" | "gemini-logs" | "learnings" | "learn-cursors" | "memory-index" | "memory-topic" | "roster" | "json" | "text";

/**
 * Chooses the merge strategy from a repository-relative path (`%P`; `/`-separated; view form
 * `-home-me-proj/x.jsonl` or cluster form `context/-x/memory/MEMORY.md`, `roster.json`):
 * `*.jsonl` → `jsonl`; `…/memory/MEMORY.md` → `memory-index`; `…/memory/*.md` → `memory-topic`;
 * a file named `roster.json` → `roster`; Gemini CLI's files (a `chats/` folder above them, which
 * no Claude Code or Codex store has): `*.jsonl` → `gemini-jsonl`, `*.json` → `gemini-chat`, and
 * `logs.json` → `gemini-logs`; other `*.json` → `json`; anything else → `text`.
 * Name matching is case-sensitive (Claude Code writes these exact names).
 */
export function mergeStrategy(path: string): MergeStrategy {
  const parts = path.split("/");
  const name = parts[parts.length - 1] ?? "";
  const dir = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  if (dir === ".ctx" && name === "learnings.md") return "learnings";
  if (dir === ".ctx" && name === "learn-cursors.json") return "learn-cursors";
  const chat = parts.slice(0, -1).includes("chats");
  if (chat && name.endsWith(".jsonl")) return "gemini-jsonl";
  if (chat && name.endsWith(".json")) return "gemini-chat";
  if (name === "logs.json") return "gemini-logs";
  if (name.endsWith(".jsonl")) return "jsonl";
  if (dir === "memory" && name === "MEMORY.md") return "memory-index";
  if (dir === "memory" && name.endsWith(".md")) return "memory-topic";
  if (name === "roster.json") return "roster";
  if (name.endsWith(".json")) return "json";
  return "text";
}

/**
 * Merges one file three ways, picking the strategy by path ({@link mergeStrategy}):
 * - `jsonl`: {@link mergeJsonl} — symmetric union, never conflicts; non-append changes in notes;
 * - `memory-index`: {@link mergeMemoryIndex} — three-way line union, never conflicts;
 * - `memory-topic` and `text`: {@link mergeText} — diff3; a real conflict keeps both sides
 *   between markers of `opts.markerSize` (`%L`, default 7) and sets `conflict`;
 * - `roster`: {@link mergeRosterFile} — per machine entry (falls back to `text` if unparsable);
 * - `json`: {@link mergeJsonNewer} — the newer side wins, reported;
 * - `learnings` (by entry) and `learn-cursors` (largest cursor per session): src/merge/learnings.ts;
 * - `gemini-jsonl`, `gemini-chat`, `gemini-logs`: src/merge/gemini.ts — unions that Gemini CLI
 *   reads as both sides' messages (chats) and prompts (`logs.json`), never conflicts.
 * @param path repository-relative path (`%P`).
 * @param base common ancestor (`%O`); empty when the file was added on both sides.
 * @param ours our version (`%A`). @param theirs their version (`%B`).
 * Pure; never throws for any bytes.
 */
export function mergeFile(path: string, base: Buffer, ours: Buffer, theirs: Buffer, opts: { markerSize?: number } = {}): MergeOutcome {
  const markerSize = opts.markerSize ?? 7;
  switch (mergeStrategy(path)) {
    case "jsonl": {
      const r = mergeJsonl(base, ours, theirs);
      return { merged: r.merged, conflict: false, notes: r.nonAppend };
    }
    case "gemini-jsonl":
    case "gemini-chat":
    case "gemini-logs": {
      const f = { "gemini-jsonl": mergeGeminiJsonl, "gemini-chat": mergeGeminiChatJson, "gemini-logs": mergeGeminiLogs }[mergeStrategy(path) as "gemini-jsonl"];
      const r = f(base, ours, theirs);
      return { merged: r.merged, conflict: false, notes: r.notes };
    }
    case "learnings":
      return mergeLearnings(base, ours, theirs);
    case "learn-cursors":
      return mergeLearnCursors(base, ours, theirs);
    case "memory-index":
      return mergeMemoryIndex(base, ours, theirs);
    case "roster":
      return mergeRosterFile(path, base, ours, theirs, markerSize);
    case "json":
      return mergeJsonNewer(base, ours, theirs);
    case "memory-topic":
    case "text":
      return mergeText(base, ours, theirs, markerSize);
  }
}
