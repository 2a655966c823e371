/** Test helpers: build pkt-line byte transcripts by hand (independent of src/filter/pktline.ts). */

/** One data packet: 4 hex digits of length (payload + 4) then the payload. */
export function data(payload: string | Buffer): Buffer {
  const b = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from((b.length + 4).toString(16).padStart(4, "0"), "latin1"), b]);
}
/** A text packet: payload + LF. */
export const text = (s: string) => data(s + "\n");
export const FLUSH = Buffer.from("0000", "latin1");
export const DELIM = Buffer.from("0001", "latin1");
/** Concatenates parts of a transcript. */
export const wire = (...parts: Buffer[]) => Buffer.concat(parts);

/** git's side of the handshake as gitattributes documents it. */
export const GIT_HELLO = wire(text("git-filter-client"), text("version=2"), FLUSH, text("capability=clean"), text("capability=smudge"), text("capability=delay"), FLUSH);
/** Our expected answer to {@link GIT_HELLO}. */
export const SERVER_HELLO = wire(text("git-filter-server"), text("version=2"), FLUSH, text("capability=clean"), text("capability=smudge"), FLUSH);

/** A request: headers, flush, content split into packets of at most `max` bytes, flush. */
export function request(command: string, pathname: string, content: Buffer | string, max = 65516, extra: string[] = []): Buffer {
  const c = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const parts = [text(`command=${command}`), text(`pathname=${pathname}`), ...extra.map(text), FLUSH];
  for (let o = 0; o < c.length; o += max) parts.push(data(c.subarray(o, Math.min(c.length, o + max))));
  parts.push(FLUSH);
  return wire(...parts);
}

/** The success answer: status, flush, content packets (≤ 65516), flush, empty status list. */
export function success(content: Buffer | string): Buffer {
  const c = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const parts = [text("status=success"), FLUSH];
  for (let o = 0; o < c.length; o += 65516) parts.push(data(c.subarray(o, Math.min(c.length, o + 65516))));
  parts.push(FLUSH, FLUSH);
  return wire(...parts);
}
export const ERROR = wire(text("status=error"), FLUSH);

/** Splits bytes into chunks of `n` (to feed a reader in awkward pieces). */
export function* chunks(b: Buffer, n: number): Generator<Buffer> {
  for (let o = 0; o < b.length; o += n) yield b.subarray(o, Math.min(b.length, o + n));
}
