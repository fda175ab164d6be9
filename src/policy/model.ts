// The policy model: what a policy file means, with where each part was written.
// Pure data; produced by parse.ts, consumed by the engine, the language service and the proxy.

export type Action = 'allow' | 'ask' | 'deny';
export const ACTIONS: readonly Action[] = ['allow', 'ask', 'deny'];

export type RiskCategory = 'read' | 'write' | 'execute' | 'destructive';
export const RISK_CATEGORIES: readonly RiskCategory[] = ['read', 'write', 'execute', 'destructive'];

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/** Where a risk label came from, strongest first. */
export type RiskSource = 'policy' | 'annotations' | 'name' | 'description' | 'default';

export type RateLimitScope = 'session' | 'user' | 'server' | 'global';
export const RATE_LIMIT_SCOPES: readonly RateLimitScope[] = ['session', 'user', 'server', 'global'];

/** Who makes a call, as an identity of the gateway established it (a token or a verified OIDC token). */
export interface Principal {
  /** Never empty. */
  name: string;
  groups: readonly string[];
}

/** The callers a rule is `only` for: users and groups by exact name. */
export interface CallerList {
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  /** The entries as written (`alice`, `user:bob`, `group:security`), for reasons. */
  entries: readonly string[];
}

/** A zero-based position, as in the Language Server Protocol. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  range: Range;
  severity: Severity;
  message: string;
  /** A stable identifier, e.g. `yaml-syntax`, `unknown-key`, `invalid-value`, `bad-duration`. */
  code: string;
  /** Values that would fix the problem (a valid enum value, the right spelling of a key). */
  suggestions?: string[];
}

export interface RateLimit {
  max: number;
  windowSeconds: number;
  scope: RateLimitScope;
}

export interface RiskOverride {
  category?: RiskCategory;
  level?: RiskLevel;
}

export interface ToolRule {
  /** The key as written: an exact tool name or a glob (`*` any run of characters, `?` one character). */
  pattern: string;
  isGlob: boolean;
  /** Characters of the pattern that are not wildcards; the more, the more specific the glob. */
  literalChars: number;
  /** The rule's action; `allow` when the rule does not say. */
  action: Action;
  reason?: string;
  rateLimit?: RateLimit;
  /** JSON Schema the call's arguments must satisfy. */
  args?: Record<string, unknown>;
  hide: boolean;
  risk?: RiskOverride;
  /** The only callers the rule applies to; any other call it decides is denied. Absent: everyone. */
  only?: CallerList;
  /** Position of the rule's key in the file. */
  keyRange: Range;
  /** The whole rule (key and value). */
  range: Range;
  /** One-based line of the rule's key, as reported to users. */
  line: number;
  /** Index of the rule within its server, in file order. */
  index: number;
}

export interface ServerPolicy {
  name: string;
  /** This server's fallback; the top-level default when absent. */
  default?: Action;
  /** One-based line of this server's `default`, when written. */
  defaultLine?: number;
  /** This server's `pin` and `poisoning`, when written (they override the top level's). */
  pin?: PinMode;
  poisoning?: PoisoningMode;
  /** Who may answer this server's calls on a team's approvals page, instead of the top level's. */
  approvers?: CallerList;
  tools: ToolRule[];
  keyRange: Range;
  range: Range;
  line: number;
}

/** Whether tool definitions are held to the lockfile: changed and new tools refused, only reported, or not compared. */
export type PinMode = 'enforce' | 'warn' | 'off';
export const PIN_MODES: readonly PinMode[] = ['enforce', 'warn', 'off'];

/** What a tool with an error-level description finding gets: refused like a changed tool, or reported. */
export type PoisoningMode = 'deny' | 'warn';
export const POISONING_MODES: readonly PoisoningMode[] = ['deny', 'warn'];

export interface AuditSettings {
  /** Write the (secret-masked) raw arguments into the audit log. */
  args: boolean;
}

export interface Policy {
  version: 1;
  /** When no rule matches and the server has no default. `allow` when the file does not say. */
  default: Action;
  /** One-based line of the top-level `default`, when written. */
  defaultLine?: number;
  servers: Map<string, ServerPolicy>;
  audit: AuditSettings;
  /** The top-level `pin` and `poisoning`, when written (absent: enforce for servers the lockfile knows; warn). */
  pin?: PinMode;
  poisoning?: PoisoningMode;
  /** Who may answer calls on a team's approvals page (absent: nobody there). */
  approvers?: CallerList;
  /** The file the policy was read from, when known; used in reasons shown to users. */
  file?: string;
}

/** What the engine says about one call. The shape `mcp-warden explain` prints. */
export interface Decision {
  decision: Action;
  reason: string | null;
  /** The pattern of the deciding rule, or null when a default decided. */
  rule: string | null;
  /** One-based line of the deciding rule (or of the default that decided), when known. */
  line: number | null;
  rateLimit: { max: number; windowSeconds: number } | null;
  hidden: boolean;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** A tool as a server lists it (the parts Warden reads). */
export interface ToolInfo {
  name: string;
  description?: string;
  annotations?: ToolAnnotations;
  inputSchema?: Record<string, unknown>;
  /** As listed, when known: with the fields above, the definition a lockfile pins. */
  title?: string;
  outputSchema?: Record<string, unknown>;
}

export interface RiskAssessment {
  category: RiskCategory;
  level: RiskLevel;
  source: RiskSource;
  /** Human-readable doubts, e.g. annotations that contradict the name. */
  warnings: string[];
}
