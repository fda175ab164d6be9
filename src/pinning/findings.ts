/**
 * Findings about hostile text in a server's tool definitions and instructions: what the agent reads
 * but the user rarely does. Pure (no vscode, no file system): the proxy, the `scan` command and the
 * editor all call `findingsFor` on the definitions as listed.
 *
 * The input is untrusted JSON. `findingsFor` never throws and bounds its work: every detector is a
 * single linear pass, each text is read up to FIELD_SCAN_LIMIT characters and the whole server up to
 * SERVER_SCAN_LIMIT; text left unread is itself reported (an `oversized-description` error), since
 * an attacker would put the payload exactly there.
 */

import { collectFields, toolName } from './fields';
import { quoted, visible } from './visible';
import { DETECTORS } from './detectors';
import { annotationMismatches } from './detectors/annotation-mismatch';
import type { DetectorContext } from './detectors/detector';
import type { Lockfile } from './lockfile';

export type FindingCode =
  | 'hidden-unicode'
  | 'look-alike'
  | 'ansi-escape'
  | 'hidden-instructions'
  | 'sensitive-path'
  | 'tool-shadowing'
  | 'oversized-description'
  | 'annotation-mismatch';

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** Plain words; names the tool (made visible) when there is one. */
  message: string;
  /** Absent for the server's instructions. */
  tool?: string;
  /** 'description' | 'title' | 'instructions' | 'inputSchema.properties.path.description' ... */
  field: string;
  /** UTF-16 offsets of the offending text within the field's text. */
  start: number;
  end: number;
  /** The offending text, made visible: invisible and control characters written as \u{...}. */
  excerpt: string;
}

/** A server's definitions as listed: `tools` is untrusted JSON, anything at all. */
export interface ServerDefinitions {
  name: string;
  instructions?: string;
  tools: readonly unknown[];
}

/** What else the agent sees, for `tool-shadowing`: the other servers and their tool names. */
export interface FindingContext {
  otherServers?: { name: string; tools: string[] }[];
  /**
   * All of this server's tool names, when its tools (or its instructions) are checked one at a
   * time: naming a sibling tool is not shadowing. The tools passed count as this server's anyway.
   */
  ownTools?: readonly string[];
}

/** The other servers a lockfile pins, with their tool names: what `server`'s texts must not talk about. */
export function lockfileContext(lockfile: Lockfile | undefined, server: string): FindingContext {
  if (!lockfile) return {};
  return { otherServers: [...lockfile.servers].filter(([name]) => name !== server).map(([name, pins]) => ({ name, tools: [...pins.tools.keys()] })) };
}

/** Every finding for a server's instructions and tools, in order of tool, field, then offset. */
export function findingsFor(server: ServerDefinitions, context: FindingContext = {}): Finding[] {
  const findings: Finding[] = [];
  try {
    const tools = Array.isArray(server?.tools) ? server.tools : [];
    const detectorContext: DetectorContext = {
      ownTools: ownToolNames(tools, context?.ownTools),
      otherServers: otherServers(context, typeof server?.name === 'string' ? server.name : ''),
    };
    const unread: Finding[] = [];
    for (const group of collectFields(server?.instructions, tools, unread)) {
      const found: Finding[] = [];
      for (const field of group.fields) {
        const inField: Finding[] = [];
        for (const detect of DETECTORS) detect(field, detectorContext, inField);
        found.push(...inField.sort((a, b) => a.start - b.start));
      }
      if (group.tool !== undefined) annotationMismatches(group.tool, group.definition, found);
      findings.push(...found, ...unread.filter((f) => f.tool === group.tool));
    }
  } catch (error) {
    // A bug here must not let definitions through unchecked: fail closed, with an error for every tool.
    return failedClosed(server, error);
  }
  return findings;
}

/** Whether any finding about `tool` is an error: what `poisoning: deny` holds back. */
export function hasErrorFinding(findings: readonly Finding[], tool: string): boolean {
  return findings.some((f) => f.tool === tool && f.severity === 'error');
}

function ownToolNames(tools: readonly unknown[], listed: unknown): ReadonlySet<string> {
  const names = new Set<string>(Array.isArray(listed) ? listed.filter((name) => typeof name === 'string') : []);
  for (const tool of tools) {
    const name = (tool as { name?: unknown } | null)?.name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

function otherServers(context: FindingContext, own: string): DetectorContext['otherServers'] {
  const servers = Array.isArray(context?.otherServers) ? context.otherServers : [];
  return servers
    .filter((s) => typeof s?.name === 'string' && s.name !== own)
    .map((s) => ({ name: s.name, tools: Array.isArray(s.tools) ? s.tools.filter((t) => typeof t === 'string') : [] }));
}

function failedClosed(server: ServerDefinitions, error: unknown): Finding[] {
  let tools: readonly unknown[] = [];
  try {
    tools = Array.isArray(server?.tools) ? server.tools : [];
  } catch {
    // nothing more can be read; the instructions' finding still says why
  }
  const why = error instanceof Error ? error.message : String(error);
  const failed = (tool: string | undefined): Finding => ({
    code: 'oversized-description',
    severity: 'error',
    message: `${tool === undefined ? "The server's instructions" : `Tool ${quoted(tool)}`} could not be checked: ${visible(why, 200)}`,
    ...(tool !== undefined ? { tool } : {}),
    field: tool === undefined ? 'instructions' : 'tool',
    start: 0,
    end: 0,
    excerpt: '',
  });
  return [failed(undefined), ...tools.map((t, i) => failed(safeName(t, i)))];
}

function safeName(tool: unknown, index: number): string {
  try {
    return toolName(tool, index);
  } catch {
    return `#${index + 1}`;
  }
}
