import { showProgress } from "./style.js";

/** A counter shown on stderr while a command works through `total` units (views, projects). */
export interface Progress {
  /** Whether a bar is shown (else every method does nothing). */
  shown: boolean;
  /** One more unit done; `what` names it (the view or project just finished). */
  tick(what?: string): void;
  /** Names the step running now, without counting (e.g. `fetching`). */
  step(what: string): void;
  /** Ends the display (the bar's last state stays on the terminal). Safe to call twice. */
  stop(): void;
}

/** The display that shows nothing (`--json`, `-q`, not a terminal). */
export const NO_PROGRESS: Progress = { shown: false, tick: () => {}, step: () => {}, stop: () => {} };

/**
 * A progress bar (`cli-progress`) on stderr: `<label> [====----] <done>/<total> <unit> <what>`,
 * shown by git's rule ({@link showProgress}: a terminal, or `--progress`; never `--quiet`). Into
 * a pipe (`--progress`) it writes its first and its last state as lines, no redraws. The
 * module is loaded only when a bar is shown.
 * @param label the line's start, e.g. `git ctx sync:`; `unit` the plural noun counted (`views`).
 */
export async function startProgress(o: { label: string; unit: string; total: number; progress?: boolean; quiet?: boolean }): Promise<Progress> {
  const stream = process.stderr;
  if (o.total <= 0 || !showProgress(stream, o)) return NO_PROGRESS;
  const { default: cli } = await import("cli-progress");
  const tty = stream.isTTY === true;
  const bar = new cli.SingleBar(
    {
      stream,
      format: `${o.label} [{bar}] {value}/{total} ${o.unit} {what}`,
      barsize: 20,
      hideCursor: false,
      noTTYOutput: !tty,
      notTTYSchedule: 60_000,
      clearOnComplete: !tty, // into a pipe: no empty line after the last state (a terminal keeps the bar)
      linewrap: false,
    },
    cli.Presets.legacy,
  );
  bar.start(o.total, 0, { what: "" });
  let stopped = false;
  return {
    shown: true,
    tick: (what) => void (stopped || bar.increment(1, what === undefined ? {} : { what })),
    step: (what) => void (stopped || bar.update({ what })),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.update({ what: "done" });
      bar.stop();
    },
  };
}
