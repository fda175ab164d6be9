// @ts-check
// A chat model for the agent-mode tests: it answers nothing by itself. The suite plans each turn (the tool
// calls to make, in order, then a closing text) through this extension's exports; Copilot's agent mode runs
// the calls through VS Code's real tool flow and hands each result back, which is recorded here.
// Loaded beside Warden by scripts/host/ only; never part of the packaged extension.
'use strict';
const vscode = require('vscode');

const VENDOR = 'mcp-warden-test';
const MODEL_ID = 'scripted';

/**
 * @typedef {{ tool: string, input: object }} Call  `tool` is the name the agent offers, or the end of one (`_stop_scan`)
 * @typedef {{ callId: string, tool: string, input: object, text: string }} Result
 * @typedef {{ calls: Call[], done: (results: Result[]) => string }} Turn
 */

function activate(context) {
  /** @type {Turn[]} */
  const planned = [];
  /** @type {{ turn: Turn, next: number, callIds: Map<string, Call & { name: string }> } | undefined} */
  let current;
  /** Every tool result the agent handed back, oldest first. */
  /** @type {Result[]} */
  const results = [];
  /** The tool names offered in the last agent request. */
  let offered = /** @type {string[]} */ ([]);
  let callCounter = 0;
  let turnsDone = 0;

  const provider = {
    provideLanguageModelChatInformation() {
      return [{
        id: MODEL_ID, name: 'Scripted agent model', family: 'scripted', version: '1.0.0', tooltip: 'Answers as the test suite scripts it',
        maxInputTokens: 200_000, maxOutputTokens: 8_192, capabilities: { toolCalling: 128, imageInput: false }, isUserSelectable: true,
      }];
    },

    async provideLanguageModelChatResponse(_model, messages, options, progress) {
      const tools = (options.tools ?? []).map((tool) => tool.name);
      // Requests without tools are the chat's own chores (a title, a summary): they never consume the plan.
      if (tools.length === 0) return progress.report(new vscode.LanguageModelTextPart('Scripted turn'));
      offered = tools;
      const last = messages[messages.length - 1];
      const handedBack = last ? last.content.filter((part) => part instanceof vscode.LanguageModelToolResultPart) : [];
      if (handedBack.length === 0 || !current) current = { turn: planned.shift() ?? { calls: [], done: () => 'Nothing was planned.' }, next: 0, callIds: new Map() };
      for (const part of handedBack) {
        const call = current.callIds.get(part.callId);
        if (call) results.push({ callId: part.callId, tool: call.name, input: call.input, text: textOf(part) });
      }
      const call = current.turn.calls[current.next];
      if (!call) {
        const turnResults = [...current.callIds.keys()].map((id) => results.find((r) => r.callId === id)).filter((r) => r !== undefined);
        const closing = current.turn.done(turnResults);
        current = undefined;
        turnsDone++;
        return progress.report(new vscode.LanguageModelTextPart(closing));
      }
      current.next++;
      const name = tools.find((tool) => tool === call.tool) ?? tools.find((tool) => tool.endsWith(call.tool));
      if (!name) {
        // Written down as the call's result, so the test's assertion names what was offered instead.
        const text = `No tool ${call.tool} is offered (offered: ${tools.join(', ')})`;
        results.push({ callId: '', tool: call.tool, input: call.input, text });
        current = undefined;
        turnsDone++;
        return progress.report(new vscode.LanguageModelTextPart(text));
      }
      const callId = `call_${++callCounter}`;
      current.callIds.set(callId, { ...call, name });
      progress.report(new vscode.LanguageModelToolCallPart(callId, name, call.input));
    },

    provideTokenCount(_model, text) {
      return Math.ceil((typeof text === 'string' ? text : JSON.stringify(text)).length / 4);
    },
  };

  context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider(VENDOR, provider));
  return {
    selector: { vendor: VENDOR, id: MODEL_ID },
    /**
     * Plans the agent's next turn: the calls, each made once the previous result is back, then a closing text.
     * @param {Call[]} calls @param {(results: Result[]) => string} [done]
     */
    plan(calls, done = (turnResults) => `Done: ${turnResults.map((r) => r.text).join(' | ')}`) {
      planned.push({ calls, done });
    },
    results,
    offered: () => offered,
    /** How many turns have ended (their closing text given). */
    turnsDone: () => turnsDone,
  };
}

/** The text of a tool result, whatever parts it holds. */
function textOf(part) {
  return (part.content ?? []).map((piece) => (typeof piece?.value === 'string' ? piece.value : '')).join('');
}

module.exports = { activate, deactivate() {} };
