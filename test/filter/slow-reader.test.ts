import { execFileSync, spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMachine, type TestMachine } from "../helpers/env.js";
import { GIT_HELLO, request, SERVER_HELLO, success, wire } from "./pkt.js";
import { gitOk } from "./view.js";

/**
 * The real filter process (stdin read with blocking reads) against a peer that reads answers
 * slowly, as git does while it hashes and compresses: an answer the OS does not take at once must
 * still be sent completely before the filter blocks waiting for the next request (this deadlocked
 * `git add` of a large view once).
 */
describe("git-ctx-filter process with a slow reader", () => {
  let m: TestMachine;
  beforeAll(async () => {
    m = await makeMachine("slow");
    gitOk(m, ["-c", "init.defaultBranch=main", "init", "-q", "repo"], m.home);
  });
  afterAll(async () => m.cleanup());

  it("answers every request in full, then exits 0 when the peer closes", async () => {
    const big = Buffer.alloc(48 * 65516 + 10_000, 0x61); // the last packet is below the stream's high-water mark: its write does not wait for drain
    // real pipes (FIFOs) like git's, not the socket pairs Node's spawn creates: a pipe holds 64 KiB
    const fin = path.join(m.home, "in.fifo");
    const fout = path.join(m.home, "out.fifo");
    execFileSync("mkfifo", [fin, fout]);
    const proc = spawn("sh", ["-c", `exec git-ctx-filter process < '${fin}' > '${fout}'`], { cwd: path.join(m.home, "repo"), env: m.env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr!.on("data", (b: Buffer) => (stderr += b));
    const stdin = createWriteStream(fin);
    const stdout = createReadStream(fout, { highWaterMark: 16 * 1024 });
    // read the answer slowly: pause the stream after each chunk
    const got: Buffer[] = [];
    let have = 0;
    let want = 0;
    let notify: (() => void) | undefined;
    stdout.on("data", (c: Buffer | string) => {
      const b = Buffer.from(c);
      got.push(b);
      have += b.length;
      stdout.pause();
      setTimeout(() => stdout.resume(), 25);
      if (have >= want) notify?.();
    });
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        want = n;
        const t = setTimeout(() => reject(new Error(`stalled at ${have} of ${n} bytes; stderr: ${stderr}`)), 60_000);
        notify = () => {
          clearTimeout(t);
          resolve();
        };
        if (have >= n) notify();
      });
    stdin.write(GIT_HELLO);
    await until(SERVER_HELLO.length);
    stdin.write(request("clean", "big.txt", big));
    const one = success(big);
    await until(SERVER_HELLO.length + one.length);
    stdin.write(request("smudge", "small.txt", "tiny"));
    const two = success("tiny");
    await until(SERVER_HELLO.length + one.length + two.length);
    const code = await new Promise<number | null>((resolve) => {
      proc.on("close", resolve);
      stdin.end();
    });
    expect(code, stderr).toBe(0);
    expect(Buffer.concat(got).equals(wire(SERVER_HELLO, one, two))).toBe(true);
  });
});
