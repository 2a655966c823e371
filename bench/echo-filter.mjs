#!/usr/bin/env node
// A minimal long-running filter process (git's protocol v2) that answers every clean/smudge with
// the content unchanged. bench/filter.bench.ts runs `git add` with it to measure the floor that
// any Node.js filter process pays under git (pipe round trips, framing, Node start-up), next to
// git-ctx-filter and to no filter at all. Not used by git-ctx itself.
const FLUSH = Buffer.from("0000");
const text = (s) => {
  const b = Buffer.from(s + "\n");
  return Buffer.concat([Buffer.from((b.length + 4).toString(16).padStart(4, "0")), b]);
};
let state = "welcome";
let content = [];
function onPacket(p /* Buffer, or null for a flush */) {
  if (state === "welcome" && p === null) {
    process.stdout.write(Buffer.concat([text("git-filter-server"), text("version=2"), FLUSH]));
    state = "caps";
  } else if (state === "caps" && p === null) {
    process.stdout.write(Buffer.concat([text("capability=clean"), text("capability=smudge"), FLUSH]));
    state = "request";
  } else if (state === "request" && p === null) state = "content";
  else if (state === "content") {
    if (p !== null) return void content.push(p);
    const parts = [text("status=success"), FLUSH];
    for (const c of content) parts.push(Buffer.from((c.length + 4).toString(16).padStart(4, "0")), c);
    parts.push(FLUSH, FLUSH);
    process.stdout.write(Buffer.concat(parts));
    content = [];
    state = "request";
  }
}
let buf = Buffer.alloc(0);
process.stdin.on("data", (d) => {
  buf = buf.length ? Buffer.concat([buf, d]) : d;
  let off = 0;
  while (buf.length - off >= 4) {
    const n = parseInt(buf.toString("latin1", off, off + 4), 16);
    if (n === 0) {
      onPacket(null);
      off += 4;
    } else if (buf.length - off >= n) {
      onPacket(Buffer.from(buf.subarray(off + 4, off + n)));
      off += n;
    } else break;
  }
  buf = buf.subarray(off);
});
