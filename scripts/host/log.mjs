// One prefix for everything the launcher itself says, so it stands apart from the suite's and server's output.
export function say(message) {
  console.log(`[vscode-host] ${message}`);
}

export class HostError extends Error {}
