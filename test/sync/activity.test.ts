import { lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { agentById } from "../../src/agents/index.js";
import { latestRecordTime } from "../../src/agents/records.js";
import { ACTIVITY_TAIL_BYTES, stampActivity } from "../../src/sync/index.js";

/** Issue 24, point 4: a written transcript's mtime is its latest record's time. */

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), "gitctx-activity-"));
  dirs.push(d);
  return d;
};
const iso = (ms: number) => new Date(ms).toISOString();
const T1 = Date.UTC(2025, 2, 3, 10, 0, 0);
const T2 = Date.UTC(2025, 5, 7, 12, 30, 0);
const line = (ms: number, extra = "") => `${JSON.stringify({ type: "user", timestamp: iso(ms), message: { content: `hi${extra}` } })}\n`;

describe("latestRecordTime", () => {
  it("is the latest time of the whole records, not the last line's (another machine's lines are appended after this one's)", () => {
    const b = Buffer.from(line(T2) + line(T1) + '{"type":"summary"}\n');
    expect(latestRecordTime(b, true, (r) => r.timestamp as string)).toBe(T2);
  });
  it("skips the first line of a tail (it may be cut), torn lines and unparseable times", () => {
    const cut = line(Date.UTC(2030, 0, 1)).slice(5);
    const b = Buffer.from(`${cut}{"timestamp":"not a time"}\n${line(T1)}{"timestamp":"2031-01-0`);
    expect(latestRecordTime(b, false, (r) => r.timestamp as string)).toBe(T1);
    expect(latestRecordTime(Buffer.from('{"x":1}\n'), true, (r) => r.timestamp as string)).toBeUndefined();
  });
  it("property: equals the maximum of the records' times, whatever their order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { minLength: 1, maxLength: 30 }), (times) => {
        const b = Buffer.from(times.map((t) => line(t)).join(""));
        expect(latestRecordTime(b, true, (r) => r.timestamp as string)).toBe(Math.max(...times));
      }),
    );
  });
});

describe("each agent's activityTime", () => {
  it("Claude Code: transcripts and subagents, not memory or the index", () => {
    const a = agentById("claude");
    const b = Buffer.from(line(T1) + line(T2));
    expect(a.activityTime!("s.jsonl", b, true)).toBe(T2);
    expect(a.activityTime!("s/subagents/agent-1.jsonl", b, true)).toBe(T2);
    expect(a.activityTime!("memory/MEMORY.md", b, true)).toBeUndefined();
    expect(a.activityTime!("sessions-index.json", b, true)).toBeUndefined();
  });
  it("Codex: rollouts only", () => {
    const a = agentById("codex");
    const b = Buffer.from(line(T2) + line(T1));
    expect(a.activityTime!("2025/06/07/rollout-2025-06-07T12-00-00-0197.jsonl", b, true)).toBe(T2);
    expect(a.activityTime!("2025/06/07/notes.jsonl", b, true)).toBeUndefined();
  });
  it("Gemini: a JSON chat's latest message, a JSONL chat's $set.lastUpdated or timestamp; never logs.json", () => {
    const a = agentById("gemini");
    const json = JSON.stringify(
      {
        sessionId: "s",
        startTime: iso(T1),
        lastUpdated: iso(T1),
        messages: [
          { id: "1", timestamp: iso(T1) },
          { id: "2", timestamp: iso(T2) },
        ],
      },
      null,
      2,
    );
    expect(a.activityTime!("chats/session-2025-06-07T12-30-abcd1234.json", Buffer.from(json), true)).toBe(T2);
    const jsonl = `${JSON.stringify({ sessionId: "s", projectHash: "h" })}\n${JSON.stringify({ id: "1", timestamp: iso(T1) })}\n${JSON.stringify({ $set: { lastUpdated: iso(T2) } })}\n`;
    expect(a.activityTime!("chats/session-x.jsonl", Buffer.from(jsonl), true)).toBe(T2);
    expect(a.activityTime!("logs.json", Buffer.from(json), true)).toBeUndefined();
  });
});

describe("stampActivity", () => {
  const claude = agentById("claude");
  const setup = () => {
    const wt = tmp();
    mkdirSync(path.join(wt, "-p"));
    const f = path.join(wt, "-p", "s.jsonl");
    writeFileSync(f, line(T1) + line(T2));
    return { wt, f };
  };

  it("moves the mtime back to the latest record's time", () => {
    const { wt, f } = setup();
    const out = stampActivity(wt, claude, new Map([["-p/s.jsonl", undefined]]));
    expect(statSync(f).mtimeMs).toBe(T2);
    expect(out.get("-p/s.jsonl")?.mtimeMs).toBe(T2);
  });

  it("leaves a file that changed since git-ctx wrote it (its check fails), a future time and a newer mtime alone", () => {
    const { wt, f } = setup();
    const before = statSync(f).mtimeMs;
    expect(stampActivity(wt, claude, new Map([["-p/s.jsonl", () => false]])).size).toBe(0);
    expect(statSync(f).mtimeMs).toBe(before);
    writeFileSync(f, line(Date.now() + 3_600_000));
    const m = statSync(f).mtimeMs;
    expect(stampActivity(wt, claude, new Map([["-p/s.jsonl", undefined]])).size).toBe(0);
    expect(statSync(f).mtimeMs).toBe(m);
    writeFileSync(f, line(T2));
    utimesSync(f, new Date(T1), new Date(T1)); // already older than its content says: never moved forward
    stampActivity(wt, claude, new Map([["-p/s.jsonl", undefined]]));
    expect(statSync(f).mtimeMs).toBe(T1);
  });

  it("never follows a link (in the file's place or on the way)", () => {
    const { wt, f } = setup();
    const outside = tmp();
    const target = path.join(outside, "t.jsonl");
    writeFileSync(target, line(T1));
    const m = statSync(target).mtimeMs;
    symlinkSync(target, path.join(wt, "-p", "l.jsonl"));
    symlinkSync(outside, path.join(wt, "-q"));
    const out = stampActivity(
      wt,
      claude,
      new Map([
        ["-p/l.jsonl", undefined],
        ["-q/t.jsonl", undefined],
      ]),
    );
    expect(out.size).toBe(0);
    expect(statSync(target).mtimeMs).toBe(m);
    expect(lstatSync(f).isFile()).toBe(true);
  });

  it("reads only the tail: a record before the last ACTIVITY_TAIL_BYTES does not count", () => {
    const { wt, f } = setup();
    const big = line(T1, "x".repeat(ACTIVITY_TAIL_BYTES));
    writeFileSync(f, line(T2) + big);
    stampActivity(wt, claude, new Map([["-p/s.jsonl", undefined]]));
    expect(statSync(f).mtimeMs, "no whole record in the tail: the mtime stays").toBeGreaterThan(T2);
    writeFileSync(f, line(T2) + big + line(T1));
    stampActivity(wt, claude, new Map([["-p/s.jsonl", undefined]]));
    expect(statSync(f).mtimeMs).toBe(T1);
  });
});
