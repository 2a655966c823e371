/**
 * A local stand-in for the OpenAI Responses API on 127.0.0.1 (random port), for the real Codex
 * CLI (FORMATS.md, "Finding and resuming a session"): it records every request, answers the
 * WebSocket attempt (`GET /v1/responses` with `Upgrade`) with `426 Upgrade Required` so Codex
 * falls back to HTTP at once, and answers `POST /v1/responses` with a complete streamed turn
 * (`response.created`, `response.output_item.done` holding one assistant message,
 * `response.completed`), so the client appends the turn to its rollout and exits 0.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One `POST /v1/responses` as the recorder saw it. */
export interface ResponsesRequest {
  url: string;
  /** Parsed JSON body (`input` holds the conversation items), undefined when not JSON. */
  body: { model?: string; input?: unknown[]; [k: string]: unknown } | undefined;
}

/** A running recorder. */
export interface ResponsesRecorder {
  /** `http://127.0.0.1:<port>/v1`, for `-c openai_base_url="…"`. */
  baseUrl: string;
  /** Every `POST /v1/responses`, in order. */
  posts: ResponsesRequest[];
  close(): Promise<void>;
}

/** The assistant text every reply carries (tests find it in the rollout afterwards). */
export const RESPONSES_REPLY = "Recorded by the git-ctx Responses recorder.";

/** Starts the recorder on 127.0.0.1, port chosen by the OS. */
export async function startResponsesRecorder(): Promise<ResponsesRecorder> {
  const posts: ResponsesRequest[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      if (req.method === "GET" || req.headers.upgrade) {
        res.writeHead(426, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "upgrade required", type: "invalid_request_error" } }));
        return;
      }
      if (req.method !== "POST" || !(req.url ?? "").endsWith("/responses")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      let body: ResponsesRequest["body"];
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      posts.push({ url: req.url ?? "", body });
      const id = `resp_${++n}`;
      const item = { type: "message", id: `msg_${n}`, role: "assistant", status: "completed", content: [{ type: "output_text", text: RESPONSES_REPLY, annotations: [] }] };
      const usage = { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 };
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const ev = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      ev("response.created", { response: { id, object: "response", status: "in_progress", output: [] } });
      ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } });
      ev("response.output_text.delta", { output_index: 0, content_index: 0, item_id: item.id, delta: RESPONSES_REPLY });
      ev("response.output_item.done", { output_index: 0, item });
      ev("response.completed", { response: { id, object: "response", status: "completed", output: [item], usage } });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    posts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
