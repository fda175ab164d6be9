// The node objects Warden's own tree handed to VS Code. A command whose argument is one of them was run
// from the tree (a person's click); any other argument (a name, `{ server, tool }`, an object built
// elsewhere, whatever an agent or another extension passes) is not, and loosening goes through a review.
const handedOut = new WeakSet<object>();

/** Marks `nodes` as the tree's own and returns them. */
export function treeNodes<T extends object>(nodes: T[]): T[] {
  for (const node of nodes) handedOut.add(node);
  return nodes;
}

export function treeNode<T extends object>(node: T | undefined): T | undefined {
  if (node) handedOut.add(node);
  return node;
}

export function isTreeNode(value: unknown): boolean {
  return typeof value === 'object' && value !== null && handedOut.has(value);
}
