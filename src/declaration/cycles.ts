/**
 * Cycles in the value chain's graph: plain graph code without aws-cdk-lib, so the CLI and the scheduled review
 * function (bundled with esbuild) use the rules of the construct without bundling the CDK.
 */

/**
 * The cycles of a directed graph (an edge goes from a consumer to a service it consumes): one closed path per
 * strongly connected component with more than one node, e.g. `['checkout', 'search', 'checkout']`, starting at the
 * component's first node in `nodes` order. Iterative (Tarjan), linear in nodes and edges.
 */
export function findCycles(nodes: readonly string[], edges: (node: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const known = new Set(nodes);
  for (const root of nodes) {
    if (index.has(root)) {
      continue;
    }
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const out = edges(frame.node).filter((n) => known.has(n));
      if (frame.next < out.length) {
        const to = out[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        if (component.length > 1 || edges(frame.node).includes(frame.node)) {
          components.push(component);
        }
      }
    }
  }
  const order = new Map(nodes.map((n, i) => [n, i]));
  return components
    .map((c) => cyclePath([...c].sort((a, b) => order.get(a)! - order.get(b)!)[0], new Set(c), edges))
    .sort((a, b) => order.get(a[0])! - order.get(b[0])!);
}

/** A closed path from `start` back to it inside one strongly connected component (breadth first: a shortest one). */
function cyclePath(start: string, component: ReadonlySet<string>, edges: (node: string) => readonly string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const to of edges(node)) {
      if (!component.has(to)) {
        continue;
      }
      if (to === start) {
        const path: string[] = [];
        for (let n = node; n !== start; n = previous.get(n)!) {
          path.unshift(n);
        }
        return [start, ...path, start];
      }
      if (!previous.has(to) && to !== start) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** `a → b → a` */
export function describeCycle(cycle: readonly string[]): string {
  return cycle.join(' → ');
}
