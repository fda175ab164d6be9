// Makes the `yaml` package's nodes quickly, for the fast reader. yaml's constructors mark each node's
// kind with Object.defineProperty under a registered symbol (`Symbol.for('yaml.node.type')`), which is
// what isMap/isScalar/isPair test; that one call is most of what building a 5,000-line tree costs. Here
// the mark sits on a prototype below yaml's class instead, so the nodes are still instances of yaml's
// classes and pass its tests. Should a yaml release mark nodes differently, the self-check below sees it
// and the constructors are used.
import { isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

const NODE_TYPE = Symbol.for('yaml.node.type');

function marked<T extends object>(base: T, kind: string): T {
  const prototype = Object.create(base) as T;
  Object.defineProperty(prototype, NODE_TYPE, { value: Symbol.for(kind) });
  return prototype;
}

const SCALAR = marked(Scalar.prototype, 'yaml.scalar');
const MAP = marked(YAMLMap.prototype, 'yaml.map');
const SEQ = marked(YAMLSeq.prototype, 'yaml.seq');
const PAIR = marked(Pair.prototype, 'yaml.pair');

const fast =
  isScalar(Object.create(SCALAR)) && isMap(Object.create(MAP)) && isSeq(Object.create(SEQ)) && isPair(Object.create(PAIR)) && Object.create(MAP) instanceof YAMLMap;

export function makeScalar(value: unknown, type: Scalar.Type, range: [number, number, number]): Scalar {
  const scalar: Scalar = fast ? Object.create(SCALAR) : new Scalar(undefined);
  scalar.value = value;
  scalar.type = type;
  scalar.range = range;
  return scalar;
}

export function makeMap(flow: boolean): YAMLMap {
  const map: YAMLMap = fast ? Object.create(MAP) : new YAMLMap();
  map.items = [];
  if (flow) map.flow = true;
  return map;
}

export function makeSeq(flow: boolean): YAMLSeq {
  const seq: YAMLSeq = fast ? Object.create(SEQ) : new YAMLSeq();
  seq.items = [];
  if (flow) seq.flow = true;
  return seq;
}

export function makePair(key: Scalar, value: Node): Pair {
  const pair: Pair = fast ? Object.create(PAIR) : new Pair(null);
  pair.key = key;
  pair.value = value;
  return pair;
}

/** The plain JavaScript value of a tree of the reader's nodes (maps with string keys, lists, scalars), as `toJS` gives it. */
export function plainValue(node: Node): unknown {
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return node.items.map((item) => plainValue(item as Node));
  const object: Record<string, unknown> = {};
  for (const pair of (node as YAMLMap).items) {
    const key = (pair.key as Scalar).value as string;
    const value = plainValue(pair.value as Node);
    // yaml defines, rather than assigns, a key that is already there: `__proto__` stays a key.
    if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    else object[key] = value;
  }
  return object;
}
