// @ts-check
// The Warden demo agent: a chat model for Copilot's agent mode that understands four plain prompts about the
// sample workspace's security scanner. For each it asks the agent loop to call the matching MCP tool (VS Code
// and MCP Warden then decide the call exactly as for any model), and once the result is handed back it says
// in plain words what came back: Warden's refusal and its reason, the scanner's answer, or that the person
// declined. `npm start` installs it beside Warden; it is never part of Warden's package.
'use strict';
const vscode = require('vscode');
const { matchPrompt, HELP, report } = require('./prompts');

const VENDOR = 'mcp-warden-demo';
const MODEL = {
  id: 'warden-demo', name: 'Warden demo agent', family: 'warden-demo', version: '1.0.0',
  tooltip: 'A scripted agent for trying MCP Warden offline: type "help" for what it understands',
  maxInputTokens: 200_000, maxOutputTokens: 8_192, capabilities: { toolCalling: 128, imageInput: false }, isUserSelectable: true,
};
/** Where Copilot puts the person's own words in an agent request; the rest is context it adds. */
const USER_REQUEST = /<userRequest>([\s\S]*?)<\/userRequest>/g;

function activate(context) {
  /** Everything the demo agent said to the person, oldest first (read by the project's tests). */
  const said = [];
  const say = (progress, text) => {
    said.push(text);
    progress.report(new vscode.LanguageModelTextPart(text));
  };
  const provider = {
    provideLanguageModelChatInformation: () => [MODEL],

    async provideLanguageModelChatResponse(_model, messages, options, progress) {
      const offered = (options.tools ?? []).map((tool) => tool.name);
      // A request without tools is one of the chat's chores (a title, a summary), not the person's prompt.
      if (offered.length === 0) return progress.report(new vscode.LanguageModelTextPart('Warden demo'));
      const last = messages[messages.length - 1];
      const results = (last?.content ?? []).filter((part) => part instanceof vscode.LanguageModelToolResultPart);
      if (results.length > 0) {
        const calls = toolCallsIn(messages);
        return say(progress, results.map((part) => report(calls.get(part.callId) ?? 'the tool', textOf(part))).join('\n\n'));
      }
      const wanted = matchPrompt(promptOf(last));
      if (!wanted) return say(progress, HELP);
      const name = offered.find((tool) => tool.endsWith(`_${wanted.tool}`));
      if (!name) {
        return say(progress,
          `The security scanner's \`${wanted.tool}\` tool is not offered to me. Is \`security-scanner\` running? ` +
          'The MCP Warden view lists it; click the hint under it, or start it from the chat\'s tools button.');
      }
      progress.report(new vscode.LanguageModelToolCallPart(`demo_${Date.now().toString(36)}`, name, wanted.input));
    },

    provideTokenCount: (_model, text) => Math.ceil((typeof text === 'string' ? text : JSON.stringify(text)).length / 4),
  };
  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider(VENDOR, provider));
  // A test run of the project loads it beside Warden and sets its own stage.
  if (context.extensionMode !== vscode.ExtensionMode.Test) void setTheStage(context);
  return { selector: { vendor: VENDOR, id: MODEL.id }, said };
}

/**
 * Once per browser profile, the Copilot Chat that ships with VS Code is turned on: a fresh profile keeps it
 * disabled until chat is set up with an account ("chat set up is not completed"), which this offline demo
 * cannot do, and no setting changes that (it is state kept in the browser's storage). Running the same
 * command the test suite runs is the one way in. A person who later disables it again is not overruled.
 * Once per workspace, the MCP Warden view and the sample policy are shown, which no setting can open.
 */
async function setTheStage(context) {
  if (!context.globalState.get('copilotTurnedOn') && !vscode.extensions.getExtension('GitHub.copilot-chat')) {
    await vscode.commands.executeCommand('workbench.extensions.action.enableAll').then(undefined, () => undefined);
  }
  await context.globalState.update('copilotTurnedOn', true);
  const policy = vscode.workspace.workspaceFolders?.[0] && vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, '.vscode', 'mcp-policy.yaml');
  if (context.workspaceState.get('staged') || !policy) return;
  await context.workspaceState.update('staged', true);
  await vscode.commands.executeCommand('workbench.view.extension.mcpWarden').then(undefined, () => undefined);
  await vscode.window.showTextDocument(policy, { preview: false, preserveFocus: true }).then(undefined, () => undefined);
}

/** The person's prompt: what Copilot marks as their request, else the text of the last message. */
function promptOf(message) {
  const text = (message?.content ?? []).map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('\n');
  const marked = [...text.matchAll(USER_REQUEST)].map((match) => match[1]);
  return marked.length > 0 ? marked[marked.length - 1] : text;
}

/** The tool each call id of the conversation named, without the prefix VS Code adds (`mcp_<server>_`). */
function toolCallsIn(messages) {
  const calls = new Map();
  for (const message of messages) {
    for (const part of message.content ?? []) {
      if (part instanceof vscode.LanguageModelToolCallPart) calls.set(part.callId, part.name);
    }
  }
  return calls;
}

/** The text of a tool result, whatever parts it holds. */
function textOf(part) {
  return (part.content ?? []).map((piece) => (typeof piece?.value === 'string' ? piece.value : '')).join('');
}

module.exports = { activate, deactivate() {} };
