/**
 * A local stand-in for the Anthropic Messages API on 127.0.0.1 (random port) that records every
 * request body and answers `/v1/messages` with a minimal valid reply: JSON when the request has
 * no `stream`, otherwise the SSE sequence message_start, content_block_start,
 * content_block_delta, content_block_stop, message_delta, message_stop (the event order of the
 * Messages streaming API). Every other path gets a 404 JSON error.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the recorder saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: { model?: string; stream?: boolean; messages?: unknown[]; system?: unknown; [k: string]: unknown } | undefined;
  raw: string;
}

/** A running recorder. */
export interface Recorder {
  /** `http://127.0.0.1:<port>` for `ANTHROPIC_BASE_URL`. */
  url: string;
  requests: RecordedRequest[];
  /** The `/v1/messages` POSTs recorded since the last {@link Recorder.take}, then forgets them. */
  take(): RecordedRequest[];
  close(): Promise<void>;
}

/** The assistant text every reply carries (so tests can find it in the transcript afterwards). */
export const RECORDER_REPLY = "Recorded by the git-ctx test recorder.";

function sse(res: import("node:http").ServerResponse, model: string, reply: string): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const ev = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev("message_start", {
    message: { id: "msg_recorder", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
  });
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: reply } });
  ev("content_block_stop", { index: 0 });
  ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 8 } });
  ev("message_stop", {});
  res.end();
}

/** Starts a recorder on 127.0.0.1 with a port chosen by the OS; `reply` is the assistant text it answers (default {@link RECORDER_REPLY}). */
export async function startRecorder(o: { reply?: string } = {}): Promise<Recorder> {
  const reply = o.reply ?? RECORDER_REPLY;
  const requests: RecordedRequest[] = [];
  let taken = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: RecordedRequest["body"];
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method ?? "", url: req.url ?? "", body, raw });
      const p = (req.url ?? "").split("?")[0];
      if (req.method === "POST" && p === "/v1/messages" && body) {
        const model = body.model ?? "claude-sonnet-4-6";
        if (body.stream) return sse(res, model, reply);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "msg_recorder",
            type: "message",
            role: "assistant",
            model,
            content: [{ type: "text", text: reply }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 1, output_tokens: 8 },
          }),
        );
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: `recorder: no ${req.method} ${p}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    take() {
      const out = requests.slice(taken).filter((r) => r.method === "POST" && r.url.split("?")[0] === "/v1/messages");
      taken = requests.length;
      return out;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
