/**
 * Description findings and lockfile drift as SARIF 2.1.0, so CI can upload `mcp-warden scan
 * --format sarif` to code scanning. One run, tool "mcp-warden"; every rule carries its help text.
 * Results point at the lockfile or policy (line 1: the definitions are not lines of a file) and
 * name server, tool and field as a logical location.
 */

import type { Finding, FindingCode, FindingSeverity } from './findings';
import { DRIFT_RULE_IDS, DRIFT_RULES, FINDING_RULES, type DriftKind, type RuleText } from './rules';

export interface DriftResult {
  tool: string;
  kind: DriftKind;
  fields?: string[];
  message: string;
}

export interface SarifServerResults {
  server: string;
  /** The lockfile or policy path the results are about, as the command line was given it. */
  artifact: string;
  findings: Finding[];
  drift?: DriftResult[];
}

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<FindingSeverity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

/** The SARIF log for every server's findings and drift. */
export function toSarif(results: readonly SarifServerResults[], toolVersion: string): object {
  const rules = allRules();
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const sarifResults: object[] = [];
  for (const server of results) {
    const uri = artifactUri(server.artifact);
    for (const f of server.findings) {
      sarifResults.push(result(f.code, ruleIndex, LEVEL[f.severity] ?? 'warning', f.message, uri, server.server, f.tool, f.field, {
        excerpt: f.excerpt,
        start: f.start,
        end: f.end,
      }));
    }
    for (const d of server.drift ?? []) {
      const id = DRIFT_RULE_IDS[d.kind];
      const level = LEVEL[DRIFT_RULES[id].level];
      const tool = d.kind === 'instructions' ? undefined : d.tool;
      sarifResults.push(
        result(id, ruleIndex, level, d.message, uri, server.server, tool, d.kind === 'instructions' ? 'instructions' : undefined, {
          ...(d.fields ? { fields: d.fields } : {}),
        }),
      );
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mcp-warden',
            version: toolVersion,
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
}

function allRules(): SarifRule[] {
  const finding = Object.entries(FINDING_RULES).map(([id, text]) => rule(id, text));
  const drift = Object.entries(DRIFT_RULES).map(([id, text]) => rule(id, text));
  return [...finding, ...drift];
}

function rule(id: string, text: RuleText): SarifRule {
  return {
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _dash: string, letter: string) => letter.toUpperCase()),
    shortDescription: { text: text.short },
    fullDescription: { text: text.full },
    help: { text: text.help },
    defaultConfiguration: { level: LEVEL[text.level] },
  };
}

function result(
  ruleId: FindingCode | string,
  ruleIndex: Map<string, number>,
  level: SarifLevel,
  message: string,
  uri: string,
  server: string,
  tool: string | undefined,
  field: string | undefined,
  properties: Record<string, unknown>,
): object {
  const path = [server, tool, field].filter((part): part is string => part !== undefined);
  const fullyQualifiedName = path.map(escapeNamePart).join('/');
  return {
    ruleId,
    ruleIndex: ruleIndex.get(ruleId),
    level,
    message: { text: message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
        logicalLocations: [
          {
            name: field ?? tool ?? server,
            fullyQualifiedName,
            kind: field !== undefined ? 'member' : tool !== undefined ? 'function' : 'module',
          },
        ],
      },
    ],
    partialFingerprints: { 'mcpWardenLocation/v1': `${ruleId}:${fullyQualifiedName}` },
    properties: { server, ...(tool !== undefined ? { tool } : {}), ...(field !== undefined ? { field } : {}), ...properties },
  };
}

/** A `/` inside a server, tool or field name would read as a separator. */
function escapeNamePart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('/', '%2F');
}

/** A relative path with forward slashes, or a file: URI for an absolute one. */
function artifactUri(path: string): string {
  const slashed = path.replaceAll('\\', '/');
  if (/^[A-Za-z]:\//.test(slashed)) return `file:///${encodeURI(slashed)}`;
  if (slashed.startsWith('/')) return `file://${encodeURI(slashed)}`;
  return encodeURI(slashed);
}
