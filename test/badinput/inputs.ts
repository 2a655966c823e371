/**
 * The bad inputs of issue 5, scope 4 ("bad input, nothing lost"), as byte generators shared by
 * the matrix tests in this folder. Each is something a real `~/.claude/projects` can hold.
 */
export interface BadInput {
  name: string;
  /** File name inside a project folder. */
  file: string;
  bytes: () => Buffer;
}

const line = (o: object) => JSON.stringify(o);
const user = (i: number, text: string) =>
  line({ type: "user", uuid: `u-${i}`, sessionId: "s-1", timestamp: `2026-01-02T10:00:0${i}.000Z`, cwd: "/home/me/proj", message: { role: "user", content: text } });

export const BAD_INPUTS: readonly BadInput[] = [
  {
    name: "malformed JSONL lines (truncated, garbage, two objects on one line, no final newline)",
    file: "11111111-0000-4000-8000-000000000001.jsonl",
    bytes: () =>
      Buffer.from([user(1, "ok"), '{"type":"user","message":{"role":"us', "not json at all", '{"a":1}{"b":2}', user(2, "after the damage"), '{"type":"assistant"'].join("\n")),
  },
  {
    name: "invalid UTF-8 (0xFF, overlong, lone surrogate, cut multibyte) inside a JSON line",
    file: "11111111-0000-4000-8000-000000000002.jsonl",
    bytes: () =>
      Buffer.concat([
        Buffer.from(user(1, "before") + "\n"),
        Buffer.from('{"type":"user","message":{"content":"bad '),
        Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82]),
        Buffer.from(' in /home/me/proj/src"}}\n'),
        Buffer.from(user(2, "after") + "\n"),
      ]),
  },
  {
    name: "binary file (PNG header, NUL and newline bytes)",
    file: "11111111-0000-4000-8000-000000000003/tool-results/image.png",
    bytes: () => {
      const b = Buffer.alloc(70_000);
      let x = 12345;
      for (let i = 0; i < b.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        b[i] = x >>> 24;
      }
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
      return b;
    },
  },
  { name: "0-byte session", file: "11111111-0000-4000-8000-000000000004.jsonl", bytes: () => Buffer.alloc(0) },
  {
    name: "CRLF line endings and a NUL byte inside a line",
    file: "11111111-0000-4000-8000-000000000005.jsonl",
    bytes: () => Buffer.from(user(1, "crlf") + "\r\n" + user(2, "nul \0 here") + "\r\n"),
  },
];
