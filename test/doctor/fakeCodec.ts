import type { Codec, DoctorAnchors } from "../../src/doctor/folder.js";

/**
 * A deliberately simple stand-in for src/sentinel used to test doctor's own logic (summing,
 * problems, exit codes) independently of the real codec: plain string replacement, longest
 * tier first, no boundary rules. `breakOn` makes localize drop the first byte of any file
 * containing that marker; `residueOf` reports each occurrence of that text as residue.
 */
export function fakeCodec(o: { breakOn?: string; residueOf?: string } = {}): Codec {
  const tiers = (a: DoctorAnchors) =>
    [
      ["contextDir", `${a.home}/.claude/projects/${a.key}`, "{{CC_PROJECT_CONTEXT_DIR}}"],
      ["root", a.root, "{{CC_PROJECT_ROOT}}"],
      ["key", a.key, "{{CC_ENCODED_DIR}}"],
      ["home", a.home, "{{CC_HOME}}"],
    ] as const;
  return {
    canonicalizeWithCounts(input, a) {
      let s = input.toString("latin1");
      const counts = { contextDir: 0, root: 0, key: 0, home: 0 };
      for (const [t, from, to] of tiers(a)) {
        const parts = s.split(from);
        counts[t] += parts.length - 1;
        s = parts.join(to);
      }
      return { output: Buffer.from(s, "latin1"), counts };
    },
    localize(input, a) {
      let s = input.toString("latin1");
      for (const [, from, to] of [...tiers(a)].reverse()) s = s.split(to).join(from);
      if (o.breakOn && s.includes(o.breakOn)) s = s.slice(1);
      return Buffer.from(s, "latin1");
    },
    residue(canonical) {
      const s = canonical.toString("latin1");
      const hits: { tier: string; offset: number; text: string }[] = [];
      if (o.residueOf) for (let i = s.indexOf(o.residueOf); i >= 0; i = s.indexOf(o.residueOf, i + 1)) hits.push({ tier: "root", offset: i, text: o.residueOf });
      return hits;
    },
  };
}
