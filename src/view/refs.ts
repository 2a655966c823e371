/** View-repository ref prefix: fetched cluster tips (`refs/ctx/cluster/project/<id>`), written by the remote helper. */
export const CLUSTER_TRACKING_PREFIX = "refs/ctx/cluster/project/";

/** `refs/ctx/cluster/project/<id>`: where the view repository keeps the fetched tip of `project/<id>`. */
export function clusterTrackingRef(id: string): string {
  return CLUSTER_TRACKING_PREFIX + id;
}
