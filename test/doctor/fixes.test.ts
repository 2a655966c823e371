import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DoctorSchema } from "../../src/json/schemas.js";
import { claudeDirKey } from "../../src/agents/claude/dirkey.js";
import { BIN, makeMachine } from "../helpers/env.js";

/**
 * The fixes doctor names must actually fix: a view made by the real `git ctx init` (local
 * cluster) and `git ctx hook install` passes; each seeded fault fails with a fix command, and
 * running exactly that command makes doctor pass again.
 */
describe("git ctx doctor: the named fix fixes the fault (real bins)", () => {
  it("state root wrong → 'git ctx join …'; filter config removed → 'git ctx install'; hook missing → 'git ctx hook install'", async () => {
    const m = await makeMachine("fx");
    try {
      const root = path.join(m.pathHome, "src", "app");
      const key = claudeDirKey(root);
      mkdirSync(root, { recursive: true });
      mkdirSync(path.join(m.projects, key));
      writeFileSync(path.join(m.projects, key, "s.jsonl"), JSON.stringify({ cwd: root, message: { content: `${root}/a.ts` } }) + "\n");
      const sh = (cmd: string) => spawnSync("sh", ["-c", cmd], { cwd: m.projects, env: m.env, encoding: "utf8" });
      const ctx = (args: string[]) => spawnSync(process.execPath, [path.join(BIN, "git-ctx"), ...args], { cwd: m.projects, env: m.env, encoding: "utf8" });
      const doctor = () => {
        const r = ctx(["doctor", "--json"]);
        expect(r.stdout, `exit ${r.status}: ${r.stderr}`).not.toBe("");
        return { code: r.status, report: DoctorSchema.parse(JSON.parse(r.stdout)).views[0]! };
      };
      const fixOf = (name: RegExp) => {
        const d = doctor();
        expect(d.code).toBe(1);
        const c = d.report.checks.find((x) => !x.ok && name.test(x.name));
        expect(c, JSON.stringify(d.report.checks.filter((x) => !x.ok))).toBeDefined();
        return c!.fix!.split("   (")[0]!; // the command, without the explanation
      };

      expect(ctx(["init", "--remote", path.join(m.home, "..", "cluster.git"), root]).status).toBe(0);
      expect(fixOf(/^Stop hook$/)).toBe("git ctx hook install");
      expect(sh("git ctx hook install").status).toBe(0);
      const healthy = doctor();
      expect(healthy.code, JSON.stringify(healthy.report.checks.filter((c) => !c.ok))).toBe(0);

      const stateFile = path.join(m.projects, ".git", "ctx", "state.json");
      writeFileSync(stateFile, readFileSync(stateFile, "utf8").replace(JSON.stringify(root), JSON.stringify(`${root}_old`)));
      const join = fixOf(/: root$/);
      expect(join).toBe(`git ctx join --id app ${root}`);
      expect(sh(join).status).toBe(0);
      expect(doctor().code).toBe(0);

      expect(sh("git config --local --unset filter.ctx.process").status).toBe(0);
      const install = fixOf(/^filter config$/);
      expect(install).toBe("git ctx install");
      expect(sh(install).status).toBe(0); // global config: git reads it in the view too
      expect(doctor().code).toBe(0);
    } finally {
      await m.cleanup();
    }
  });
});
