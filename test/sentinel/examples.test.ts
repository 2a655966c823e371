import { describe, expect, it } from "vitest";
import { canonicalize, canonicalizeWithCounts, localize, residue, type Anchors } from "../../src/sentinel/index.js";
import { LINUX, LINUX_B, LINUX_NOHOME, LINUX_SRV, MAC, MAC_UNICODE, WIN, WIN_B, WIN_D, WIN_TEXT, WIN_UNICODE } from "./fixtures.js";

/** Canonicalize / localize on latin1 strings (JS string escapes below are the raw bytes). */
const c = (s: string, a: Anchors = LINUX) => canonicalize(Buffer.from(s, "latin1"), a).toString("latin1");
const l = (s: string, a: Anchors = LINUX) => localize(Buffer.from(s, "latin1"), a).toString("latin1");
/** Canonicalizes, checks the same-machine round trip, returns the canonical text. */
function rt(s: string, a: Anchors = LINUX): string {
  const out = c(s, a);
  expect(l(out, a)).toBe(s);
  return out;
}
const J = (s: string) => `{"x":"${s}"}`; // a JSON context (sniffed form "json")

describe("tiers, longest match first", () => {
  it("context dir, root, bare key and home", () => {
    expect(rt(J("/home/me/.claude/projects/-home-me-src-proj/s1/tool-results/a.txt"))).toBe(J("{{CC_PROJECT_CONTEXT_DIR}}/s1/tool-results/a.txt"));
    expect(rt(J("/home/me/src/proj/src/a.ts"))).toBe(J("{{CC_PROJECT_ROOT}}/src/a.ts"));
    expect(rt(J("cd ~/.claude/projects/-home-me-src-proj && ls -home-me-src-proj"))).toBe(J("cd ~/.claude/projects/{{CC_ENCODED_DIR}} && ls {{CC_ENCODED_DIR}}"));
    expect(rt(J("/home/me/.bashrc"))).toBe(J("{{CC_HOME}}/.bashrc"));
  });
  it("home is left alone when the roster policy turns it off", () => {
    expect(rt(J("/home/me/.bashrc /home/me/src/proj"), LINUX_NOHOME)).toBe(J("/home/me/.bashrc {{CC_PROJECT_ROOT}}"));
    expect(l(J("{{CC_HOME}}/x"), LINUX_NOHOME)).toBe(J("{{CC_HOME}}/x"));
  });
  it("a root outside home, and a root that is the home (root wins)", () => {
    expect(rt(J("/srv/proj/a /home/me/b"), LINUX_SRV)).toBe(J("{{CC_PROJECT_ROOT}}/a {{CC_HOME}}/b"));
    const same: Anchors = { os: "darwin", home: "/Users/x", root: "/Users/x", key: "-Users-x", rewriteHome: true };
    expect(rt(J("/Users/x/a"), same)).toBe(J("{{CC_PROJECT_ROOT}}/a"));
  });
  it("a root with a space (macOS Application Support style)", () => {
    expect(rt(J("/Users/me/Code/My Proj/a.md /Users/me/Code/My"), MAC)).toBe(J("{{CC_PROJECT_ROOT}}/a.md {{CC_HOME}}/Code/My"));
  });
});

describe("path boundaries", () => {
  it("does not match inside longer names (right boundary)", () => {
    for (const s of ["2", "-old", "_x", ".bak", "é", "X"]) {
      expect(c(J(`/home/me/src/proj${s}`)), s).not.toContain("PROJECT_ROOT");
    }
  });
  it("matches before separators, quotes, blanks, punctuation and end of input", () => {
    for (const s of ["/", "\\", "\\n", '"', "'", " ", "\t", "\n", ",", ":", ")", "]", "}", ";", "!", "?", "#", "~", "@", ".", ". ", '."', "..", "*", "`", ""]) {
      const out = rt(`"/home/me/src/proj${s}`);
      expect(out.startsWith('"{{CC_PROJECT_ROOT'), JSON.stringify(s)).toBe(true);
    }
  });
  it("does not match when a path char precedes (left boundary)", () => {
    expect(c("/mnt/home/me/x")).toBe("/mnt/home/me/x");
    for (const p of ["x", "Z", "9", "_", "-", ".", "é", "n"]) expect(c(`${p}/home/me/src/proj/a`), p).not.toContain("{{CC_");
  });
  it("matches after the letter of a JSON escape (\\n, \\t, \\r, \\b, \\f, also \\\\n in JSON-in-JSON)", () => {
    for (const e of ["\\n", "\\t", "\\r", "\\b", "\\f", "\\\\n", "\\\\\\n"]) {
      expect(rt(J(`ls${e}/home/me/src/proj/a`))).toBe(J(`ls${e}{{CC_PROJECT_ROOT}}/a`));
    }
    expect(rt(J("a\\nC:\\\\Users\\\\me\\\\dev\\\\proj"), WIN)).toBe(J("a\\n{{CC_PROJECT_ROOT}}"));
  });
  it("matches after non-path chars: quotes, blanks, =, (, :, / (file:///)", () => {
    for (const p of ['"', " ", "=", "(", ":", "file://", "'"]) expect(rt(`${p}/home/me/src/proj`), p).toBe(`${p}{{CC_PROJECT_ROOT}}`);
  });
  it("Windows: drive letter needs a left boundary too", () => {
    expect(c(J("xC:\\\\Users\\\\me\\\\dev\\\\proj"), WIN)).toBe(J("xC:\\\\Users\\\\me\\\\dev\\\\proj"));
    expect(rt(J("\\\\?\\C:\\\\Users\\\\me\\\\dev\\\\proj"), WIN)).toBe(J("\\\\?\\{{CC_PROJECT_ROOT}}"));
  });
});

describe("posix spellings", () => {
  it("JSON-escaped slashes are a variant `e` with a converted tail", () => {
    expect(rt(J("\\/home\\/me\\/src\\/proj\\/a.ts"))).toBe(J("{{CC_PROJECT_ROOT@e}}/a.ts"));
    expect(l(J("{{CC_PROJECT_ROOT@e}}/a.ts"), LINUX_B)).toBe(J("\\/home\\/b\\/proj\\/a.ts"));
    expect(l(J("{{CC_PROJECT_ROOT@e}}/a.ts"), WIN_B)).toBe(J("C:\\/Users\\/b\\/work\\/proj\\/a.ts"));
  });
  it("posix paths are case-sensitive", () => {
    expect(c(J("/HOME/me/src/proj"))).toBe(J("/HOME/me/src/proj"));
  });
  it("a posix tail followed by a Windows default separator is kept raw (`r`), so Windows machines do not extend it", () => {
    expect(rt(J("/home/me/src/proj/x\\\\y"))).toBe(J("{{CC_PROJECT_ROOT@r}}/x\\\\y"));
    expect(l(J("{{CC_PROJECT_ROOT@r}}/x\\\\y"), WIN_B)).toBe(J("C:\\\\Users\\\\b\\\\work\\\\proj/x\\\\y"));
    expect(c(l(J("{{CC_PROJECT_ROOT@r}}/x\\\\y"), WIN_B), WIN_B)).toBe(J("{{CC_PROJECT_ROOT@r}}/x\\\\y"));
    // in a text file the Windows default separator is a single backslash
    expect(rt("/home/me/src/proj/x\\y")).toBe("{{CC_PROJECT_ROOT@r}}/x\\y");
  });
});

describe("Windows spellings", () => {
  it("JSON default `C:\\\\Users\\\\...` becomes the plain sentinel with `/` separators", () => {
    const x = '{"cwd":"C:\\\\Users\\\\me\\\\dev\\\\proj\\\\src\\\\a.ts"}';
    expect(rt(x, WIN)).toBe('{"cwd":"{{CC_PROJECT_ROOT}}/src/a.ts"}');
  });
  it("localizes the plain sentinel with native separators on Windows and `/` on Linux", () => {
    const canon = '{"cwd":"{{CC_PROJECT_ROOT}}/src/a.ts"}';
    expect(l(canon, WIN_B)).toBe('{"cwd":"C:\\\\Users\\\\b\\\\work\\\\proj\\\\src\\\\a.ts"}');
    expect(l(canon, LINUX_B)).toBe('{"cwd":"/home/b/proj/src/a.ts"}');
  });
  it("every other spelling is a variant and round-trips", () => {
    const cases: [string, string][] = [
      ["C:\\Users\\me\\dev\\proj\\src", "{{CC_PROJECT_ROOT@b1}}/src"],
      ["C:\\\\\\\\Users\\\\\\\\me\\\\\\\\dev\\\\\\\\proj\\\\\\\\src", "{{CC_PROJECT_ROOT@b4}}/src"],
      ["C:/Users/me/dev/proj/src", "{{CC_PROJECT_ROOT@f}}/src"],
      ["C:\\/Users\\/me\\/dev\\/proj\\/src", "{{CC_PROJECT_ROOT@e}}/src"],
      ["/c/Users/me/dev/proj/src", "{{CC_PROJECT_ROOT@g}}/src"],
      ["\\/c\\/Users\\/me\\/dev\\/proj\\/src", "{{CC_PROJECT_ROOT@ge}}/src"],
      ["c:\\\\Users\\\\me\\\\dev\\\\proj", "{{CC_PROJECT_ROOT@c1}}"],
      ["C:\\\\USERS\\\\me\\\\dev\\\\proj", "{{CC_PROJECT_ROOT@c1o}}"],
      ["/C/Users/me/dev/proj", "{{CC_PROJECT_ROOT@gc1}}"],
      ["c:/users/me/dev/proj/x", "{{CC_PROJECT_ROOT@fc3}}/x"],
    ];
    for (const [x, want] of cases) expect(rt(J(x), WIN), x).toBe(J(want));
  });
  it("text files: `C:\\Users\\...` is the default and `\\\\` the variant", () => {
    expect(rt("see C:\\Users\\me\\dev\\proj\\src\\a.ts", WIN_TEXT)).toBe("see {{CC_PROJECT_ROOT}}/src/a.ts");
    expect(rt("see C:\\\\Users\\\\me\\\\dev\\\\proj", WIN_TEXT)).toBe("see {{CC_PROJECT_ROOT@b2}}");
    // sniffed: a memory file starting with '#' is text
    expect(rt("# notes\nC:\\Users\\me\\dev\\proj\\a.md\n", WIN)).toBe("# notes\n{{CC_PROJECT_ROOT}}/a.md\n");
    expect(l("# notes\n{{CC_PROJECT_ROOT}}/a.md\n", WIN_B)).toBe("# notes\nC:\\Users\\b\\work\\proj\\a.md\n");
  });
  it("a tail whose separators switch is kept raw (`r`)", () => {
    expect(rt(J("C:\\\\Users\\\\me\\\\dev\\\\proj/x\\\\y"), WIN)).toBe(J("{{CC_PROJECT_ROOT@r}}/x\\\\y"));
    expect(rt(J("C:\\\\Users\\\\me\\\\dev\\\\proj\\\\src/a.ts"), WIN)).toBe(J("{{CC_PROJECT_ROOT@r}}\\\\src/a.ts"));
  });
  it("a tail ends at blanks, quotes and escapes", () => {
    expect(rt(J("C:\\\\Users\\\\me\\\\dev\\\\proj\\\\Big Files\\\\a.md"), WIN)).toBe(J("{{CC_PROJECT_ROOT}}/Big Files\\\\a.md"));
    expect(rt(J('C:\\\\Users\\\\me\\\\dev\\\\proj\\\\a\\"b'), WIN)).toBe(J('{{CC_PROJECT_ROOT}}/a\\"b'));
    expect(rt(J("C:\\\\Users\\\\me\\\\dev\\\\proj\\\\a\\\\"), WIN)).toBe(J("{{CC_PROJECT_ROOT}}/a/"));
  });
  it("context dir and key on Windows, case-insensitive drive", () => {
    expect(rt(J("c:\\\\users\\\\me\\\\.claude\\\\projects\\\\C--Users-me-dev-proj\\\\s\\\\t.txt"), WIN)).toBe(J("{{CC_PROJECT_CONTEXT_DIR@c3}}/s/t.txt"));
    expect(rt(J("c--users-me-dev-proj"), WIN)).toBe(J("{{CC_ENCODED_DIR@c3}}"));
  });
  it("a root on another drive than home", () => {
    expect(rt(J("D:\\\\work\\\\proj\\\\a C:\\\\Users\\\\me\\\\x d:/work/proj"), WIN_D)).toBe(J("{{CC_PROJECT_ROOT}}/a {{CC_HOME}}/x {{CC_PROJECT_ROOT@fc1}}"));
  });
  it("case flips follow to another Windows machine and are ignored on posix", () => {
    expect(l(J("{{CC_PROJECT_ROOT@c1}}"), WIN_B)).toBe(J("c:\\\\Users\\\\b\\\\work\\\\proj"));
    expect(l(J("{{CC_PROJECT_ROOT@c1}}"), LINUX_B)).toBe(J("/home/b/proj"));
    expect(l(J("{{CC_PROJECT_ROOT@gc1}}/x"), WIN_B)).toBe(J("/C/Users/b/work/proj/x"));
  });
  it("Windows-only spellings become the posix spelling on Linux", () => {
    for (const v of ["b1", "b4", "f", "g", "b2", "p"]) expect(l(J(`{{CC_HOME@${v}}}/x`), LINUX_B), v).toBe(J("/home/b/x"));
    expect(l(J("{{CC_HOME@ge}}/x"), LINUX_B)).toBe(J("\\/home\\/b\\/x"));
    expect(l(J("{{CC_HOME@p}}/x"), WIN_B)).toBe(J("C:\\\\Users\\\\b\\\\x"));
  });
  it("non-ASCII anchors are matched as their UTF-8 bytes", () => {
    const x = Buffer.from(J("C:\\\\Users\\\\Zoë\\\\projé\\\\ü.md c:\\\\users\\\\ZOË"), "utf8").toString("latin1");
    const out = rt(x, WIN_UNICODE);
    expect(Buffer.from(out, "latin1").toString("utf8")).toBe(J("{{CC_PROJECT_ROOT}}/ü.md c:\\\\users\\\\ZOË"));
  });
});

describe("literal sentinel text", () => {
  it("is escaped one _LIT level up and back", () => {
    expect(rt("{{CC_PROJECT_ROOT}}")).toBe("{{CC_PROJECT_ROOT_LIT}}");
    expect(rt("{{CC_PROJECT_ROOT_LIT}}")).toBe("{{CC_PROJECT_ROOT_LIT_LIT}}");
    expect(rt("{{CC_PROJECT_ROOT@b1}}")).toBe("{{CC_PROJECT_ROOT_LIT@b1}}");
    expect(rt("{{CC_HOME@zz}}")).toBe("{{CC_HOME_LIT@zz}}");
    expect(rt("{{CC_ENCODED_DIR}} {{CC_PROJECT_CONTEXT_DIR}}")).toBe("{{CC_ENCODED_DIR_LIT}} {{CC_PROJECT_CONTEXT_DIR_LIT}}");
  });
  it("leaves other brace text alone", () => {
    for (const s of ["{{CC_FOO}}", "{{CC_HOME", "{{ CC_HOME }}", "{{CC_HOME@}}", "{{CC_HOME@B1}}", "{{cc_home}}"]) expect(rt(s), s).toBe(s);
  });
  it("next to a rewritten path", () => {
    expect(rt("{{CC_HOME}}/home/me")).toBe("{{CC_HOME_LIT}}{{CC_HOME}}");
    expect(rt("{{CC_HOME/home/me")).toBe("{{CC_HOME/home/me");
    expect(rt("{{CC_HOME@/home/me}}")).toBe("{{CC_HOME@{{CC_HOME}}}}");
  });
  it("localize keeps tokens it cannot resolve (unknown variant, variant on the key)", () => {
    for (const s of ["{{CC_HOME@zz}}", "{{CC_ENCODED_DIR@b1}}", "{{CC_HOME@c0}}", "{{CC_HOME@rr}}"]) expect(l(s), s).toBe(s);
  });
});

describe("bytes", () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
  const same = (x: Buffer, a: Anchors = LINUX) => {
    const out = canonicalize(x, a);
    expect(localize(out, a).equals(x)).toBe(true);
    return out;
  };
  it("empty input", () => {
    expect(canonicalize(Buffer.alloc(0), LINUX).length).toBe(0);
    expect(localize(Buffer.alloc(0), LINUX).length).toBe(0);
  });
  it("invalid UTF-8, NUL bytes and lone surrogate escapes next to paths", () => {
    const x = bytes([0xff, 0xfe], " /home/me/src/proj", [0xc3], " ", [0], "/home/me/src/proj/a", [0xed, 0xa0, 0x80], ' "\\ud800/home/me/x"');
    const out = same(x);
    // a byte >= 0x80 continues a path (so the root is not matched before 0xc3), a hex digit too
    expect(out.toString("latin1")).toBe(
      bytes([0xff, 0xfe], " {{CC_HOME}}/src/proj", [0xc3], " ", [0], "{{CC_PROJECT_ROOT}}/a", [0xed, 0xa0, 0x80], ' "\\ud800/home/me/x"').toString("latin1"),
    );
  });
  it("U+2028/U+2029 inside strings round-trip; like any non-ASCII char they continue a path", () => {
    const out = same(bytes('{"t":"a\u2028/home/me/src/proj\u2029b \\u2028/home/me/src/proj \u2028 /home/me/src/proj\u2029"}'));
    // (the root is not matched before U+2029, its parent the home is)
    expect(out.toString("utf8")).toBe('{"t":"a\u2028/home/me/src/proj\u2029b \\u2028/home/me/src/proj \u2028 {{CC_HOME}}/src/proj\u2029"}');
    const out2 = same(bytes('{"t":"\u2028 /home/me/src/proj \u2029"}'));
    expect(out2.toString("utf8")).toBe('{"t":"\u2028 {{CC_PROJECT_ROOT}} \u2029"}');
  });
  it("CRLF, no final newline", () => {
    const out = same(bytes("/home/me/src/proj\r\n/home/me/src/proj/a\r\n/home/me"));
    expect(out.toString()).toBe("{{CC_PROJECT_ROOT}}\r\n{{CC_PROJECT_ROOT}}/a\r\n{{CC_HOME}}");
  });
  it("a 10 MB single line", () => {
    const unit = '{"cwd":"/home/me/src/proj","t":"\\n/home/me/src/proj/a.ts {{CC_HOME}} x"},';
    const x = Buffer.from("[" + unit.repeat(Math.ceil(10_000_000 / unit.length)) + "]");
    expect(x.length).toBeGreaterThan(10_000_000);
    const { output, counts } = canonicalizeWithCounts(x, LINUX);
    expect(counts.root).toBe(2 * Math.ceil(10_000_000 / unit.length));
    expect(output.includes("/home/me")).toBe(false);
    expect(localize(output, LINUX).equals(x)).toBe(true);
  });
});

describe("cross-machine examples", () => {
  it("Linux → Windows (JSON and text) → canonical again", () => {
    const canon = J("{{CC_PROJECT_ROOT}}/src/a.ts {{CC_HOME}}/.x {{CC_PROJECT_CONTEXT_DIR}}/s.jsonl {{CC_ENCODED_DIR}}");
    const w = l(canon, WIN_B);
    expect(w).toBe(
      J("C:\\\\Users\\\\b\\\\work\\\\proj\\\\src\\\\a.ts C:\\\\Users\\\\b\\\\.x C:\\\\Users\\\\b\\\\.claude\\\\projects\\\\C--Users-b-work-proj\\\\s.jsonl C--Users-b-work-proj"),
    );
    expect(c(w, WIN_B)).toBe(canon);
    expect(l("{{CC_PROJECT_ROOT}}/src/a.ts\n", WIN_B)).toBe("C:\\Users\\b\\work\\proj\\src\\a.ts\n");
  });
  it("macOS root with a space and Unicode → Linux", () => {
    const x = Buffer.from(J("/Users/zoë/projé ü/a.md"), "utf8").toString("latin1");
    const canon = rt(x, MAC_UNICODE);
    expect(canon).toBe(J("{{CC_PROJECT_ROOT}}/a.md"));
    expect(l(canon, LINUX_B)).toBe(J("/home/b/proj/a.md"));
  });
});

describe("counts and residue", () => {
  it("counts rewrites per tier", () => {
    const { counts } = canonicalizeWithCounts(
      Buffer.from(J("/home/me/src/proj /home/me/src/proj/a /home/me/x -home-me-src-proj /home/me/.claude/projects/-home-me-src-proj")),
      LINUX,
    );
    expect(counts).toEqual({ contextDir: 1, root: 2, key: 1, home: 1 });
  });
  it("residue lists machine paths the canonical form still holds, with byte offsets", () => {
    const canon = canonicalize(Buffer.from("é /mnt/home/me/src/proj {{CC_HOME}} /home/me/src/proj2"), LINUX);
    const r = residue(canon, LINUX);
    expect(r.map((x) => [x.tier, x.text])).toEqual([["root", "/home/me/src/proj"]]);
    expect(canon.subarray(r[0]!.offset, r[0]!.offset + 17).toString()).toBe("/home/me/src/proj");
    expect(residue(canonicalize(Buffer.from("/home/me/src/proj"), LINUX), LINUX)).toEqual([]);
  });
});

describe("long paths", () => {
  it("a 400-letter Windows root in another case round-trips (long case masks)", () => {
    const root = "C:\\Users\\me\\" + Array.from({ length: 40 }, (_, i) => `Folder${String.fromCharCode(65 + (i % 26))}xyz`).join("\\");
    const a: Anchors = { os: "windows", home: "C:\\Users\\me", root, key: "k", rewriteHome: true };
    const x = J(root.toLowerCase().replaceAll("\\", "\\\\") + "\\\\A.ts");
    const out = rt(x, a);
    expect(out).toMatch(/^\{"x":"\{\{CC_PROJECT_ROOT@c[0-9a-z]{60,}\}\}\/A\.ts"\}$/);
  });
});

describe("form sniffing is the same on local and canonical bytes", () => {
  it("a file starting with `{` and a path, with a literal token, with a path", () => {
    for (const x of ["{C:\\\\Users\\\\me\\\\x", "{{CC_HOME}}C:\\\\Users\\\\me\\\\x", "C:\\\\Users\\\\me\\\\x", "{{{CC_HOME@c1}}", "\ufeff {C:\\Users\\me"]) {
      const b = Buffer.from(x, "utf8");
      expect(localize(canonicalize(b, WIN), WIN).equals(b), x).toBe(true);
    }
    expect(c("{C:\\\\Users\\\\me\\\\x", WIN)).toBe("{{{CC_HOME}}/x"); // `{` + path: JSON, `\\` is the default
    expect(c("C:\\\\Users\\\\me\\\\x", WIN)).toBe("{{CC_HOME@b2}}/x"); // a path first: text
  });
});
