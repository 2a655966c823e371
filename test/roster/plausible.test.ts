import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { implausibleParticipant, implausiblePath, isPlausiblePath } from "../../src/roster/plausible.js";
import { NUM_RUNS } from "../helpers/env.js";

/** Issue 22, case 4: a roster root that is not a plausible absolute path for its OS never counts (src/roster/plausible.ts). */
describe("implausiblePath", () => {
  it("accepts real roots of each OS", () => {
    for (const p of ["/home/al/proj", "/Users/bob/proj", "/srv/x", "/a"]) {
      expect(isPlausiblePath("linux", p), p).toBe(true);
      expect(isPlausiblePath("darwin", p), p).toBe(true);
    }
    for (const p of ["C:\\Users\\carol\\proj", "c:/work/p", "D:\\x", "\\\\server\\share", "\\\\server\\share\\proj", "//server/share/p"])
      expect(isPlausiblePath("windows", p), p).toBe(true);
  });

  it("refuses any text, relative paths, roots alone, dot segments, control characters and the other OS's form", () => {
    const posixBad = ["evil", "e", "", " /home/x", "/home/x ", "/", "//", "home/x", "./x", "/home/../etc", "/a/./b", "/a\u0000b", "/a\nb", "C:\\Users\\x"];
    for (const p of posixBad) {
      expect(implausiblePath("linux", p), JSON.stringify(p)).toBeDefined();
      expect(implausiblePath("darwin", p), JSON.stringify(p)).toBeDefined();
    }
    const winBad = ["evil", "C:", "C:\\", "C:/", "C:proj", "\\\\server", "\\\\server\\", "/home/x", "C:\\a|b", "C:\\a:b", "C:\\a\\..\\b", "C:\\a\tb", "1:\\x"];
    for (const p of winBad) expect(implausiblePath("windows", p), JSON.stringify(p)).toBeDefined();
  });

  it("a posix path is plausible iff it is '/' plus non-empty segments without control characters, '.' or '..' (property)", () => {
    const seg = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes("/") && s.trim() === s);
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), (segs) => {
        const p = `/${segs.join("/")}`;
        const want = !/[\u0000-\u001f\u007f]/.test(p) && !segs.some((s) => s === "." || s === "..") && p.trim() === p;
        expect(isPlausiblePath("linux", p)).toBe(want);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never accepts a string without a leading '/' on posix, nor one without a drive or UNC prefix on Windows (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        if (!s.startsWith("/")) expect(isPlausiblePath("linux", s)).toBe(false);
        if (!/^[A-Za-z]:[\\/]/.test(s) && !/^[\\/]{2}/.test(s)) expect(isPlausiblePath("windows", s)).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("implausibleParticipant names the field and the value", () => {
    expect(implausibleParticipant({ os: "linux", home: "/home/x", project_root: "evil" })).toMatch(/^project_root 'evil': /);
    expect(implausibleParticipant({ os: "linux", home: "x", project_root: "/home/x/p" })).toMatch(/^home 'x': /);
    expect(implausibleParticipant({ os: "windows", home: "C:\\Users\\c", project_root: "C:\\Users\\c\\p" })).toBeUndefined();
  });
});
