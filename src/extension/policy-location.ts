// Where the workspace's policy lives: the `mcpWarden.policyPath` user setting, relative to the first folder.
import * as vscode from 'vscode';
import { wardenSetting } from './trust/warden-settings';

export const DEFAULT_POLICY_PATH = '.vscode/mcp-policy.yaml';

export function policyUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  // From user settings only: a workspace's own settings cannot point Warden at another policy.
  const configured = wardenSetting<string>('policyPath') || DEFAULT_POLICY_PATH;
  return vscode.Uri.joinPath(folder.uri, configured);
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export const STARTER_POLICY = `# MCP Warden policy: decides every tool call an agent makes through a protected MCP server.
# Reference: hover any key. Rules: an exact tool name beats a glob; the more specific glob wins;
# then the server's default, then the top-level default.
version: 1
default: allow          # when no rule matches: allow | ask | deny

servers: {}
  # my-server:          # the server's name as in .vscode/mcp.json
  #   default: ask
  #   tools:
  #     delete_*:
  #       action: deny
  #       reason: Deleting is not for agents.
`;
