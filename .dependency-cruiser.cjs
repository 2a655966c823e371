/**
 * Allowed import directions of src/ (docs/architecture.md, "Folders"): a folder imports only
 * folders below it. Layers, lowest first:
 *   errors.ts → git → roster, view → sentinel → agents → merge → filter → scan, rules, learn, gate → cluster, sync →
 *   helper → doctor → json → commands → cli
 * (roster reads a project's git remote; the codec takes roster's OS type; the merge-driver entry
 * of the filter process uses merge; cluster uses scan for the push gate; sync uses filter, merge
 * and scan; helper uses cluster; cluster and sync do not know each other; peers never import
 * each other.) Checked by test/architecture/imports.test.ts.
 */
const LAYERS = [
  ["errors\\.ts"],
  ["git"],
  ["roster", "view"],
  ["sentinel"],
  ["agents"],
  ["merge"],
  ["filter"],
  ["scan", "rules", "learn", "gate"],
  ["cluster", "sync"],
  ["helper"],
  ["doctor"],
  ["json"],
  ["commands"],
  ["cli"],
];
const dir = (name) => (name.endsWith("\\.ts") ? `^src/${name}$` : `^src/${name}/`);
const forbidden = [];
LAYERS.forEach((layer, i) => {
  const higher = LAYERS.slice(i + 1).flat();
  for (const name of layer) {
    if (higher.length) forbidden.push({ name: `no-upward-${name.replace("\\.ts", "")}`, comment: `${name} may not import a higher layer`, severity: "error", from: { path: dir(name) }, to: { path: higher.map(dir) } });
    const peers = layer.filter((x) => x !== name);
    if (peers.length) forbidden.push({ name: `no-sideways-${name.replace("\\.ts", "")}`, comment: `${name} may not import its peers`, severity: "error", from: { path: dir(name) }, to: { path: peers.map(dir) } });
  }
});
forbidden.push({ name: "no-circular", severity: "error", from: {}, to: { circular: true } });
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
