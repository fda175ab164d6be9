// One snapshot per document version: its lines, its parse and the engines built from it, each made on
// first use and kept while the version lasts. Requests for the same version share all of it.
import { EngineState, PolicyEngine } from '../policy/engine';
import type { Policy } from '../policy/model';
import { IncrementalPolicyParser, type PolicyParse } from './incremental-parse';
import { TextLines } from './text-lines';

// One state for every preview engine: previews count no rate limit and check no arguments, and a state
// holds a compiled JSON Schema validator that is costly to make.
let sharedState: EngineState | undefined;
function previewState(): EngineState {
  return (sharedState ??= new EngineState());
}

export class PolicySnapshot {
  private linesCache: TextLines | undefined;
  private parseCache: PolicyParse | undefined;
  private readonly engines = new Map<string, PolicyEngine>();
  /** Results derived from this version and a catalogue revision (language diagnostics). */
  readonly derived = new Map<string, { revision: number; value: unknown }>();

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
    private readonly parser: IncrementalPolicyParser,
  ) {}

  get lines(): TextLines {
    return (this.linesCache ??= new TextLines(this.text));
  }

  get parse(): PolicyParse {
    return (this.parseCache ??= this.parser.parse(this.lines));
  }

  get policy(): Policy {
    return this.parse.partial;
  }

  /**
   * An engine over one server's rules (cheap: it compiles that server only), for previews: its rules
   * carry no `args`, since an editor has no call's arguments to check; callers say when a rule has them.
   */
  engineFor(server: string): PolicyEngine {
    let engine = this.engines.get(server);
    if (!engine) {
      const policy = this.policy;
      const own = policy.servers.get(server);
      const preview = own ? { ...own, tools: own.tools.map((rule) => (rule.args ? { ...rule, args: undefined } : rule)) } : undefined;
      engine = new PolicyEngine({ ...policy, servers: preview ? new Map([[server, preview]]) : new Map() }, previewState());
      this.engines.set(server, engine);
    }
    return engine;
  }

  /** A value computed once per catalogue revision. */
  cached<T>(key: string, revision: number, compute: () => T): T {
    const hit = this.derived.get(key);
    if (hit && hit.revision === revision) return hit.value as T;
    const value = compute();
    this.derived.set(key, { revision, value });
    return value;
  }
}

/** The latest snapshot of each open document. */
export class PolicyDocuments {
  private readonly documents = new Map<string, { parser: IncrementalPolicyParser; snapshot: PolicySnapshot }>();

  /** The snapshot for this version, made from `text` when the version is new. */
  get(uri: string, version: number, text: string | (() => string), file?: string): PolicySnapshot {
    const known = this.documents.get(uri);
    if (known && known.snapshot.version === version) return known.snapshot;
    const parser = known?.parser ?? new IncrementalPolicyParser(file);
    const snapshot = new PolicySnapshot(uri, version, typeof text === 'string' ? text : text(), parser);
    this.documents.set(uri, { parser, snapshot });
    return snapshot;
  }

  forget(uri: string): void {
    this.documents.delete(uri);
  }
}
