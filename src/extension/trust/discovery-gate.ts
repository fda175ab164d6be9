// Discover Tools starts a server's command to list its tools: in an untrusted workspace nothing is started,
// and the command that would run (a protected server's launch entry, or an mcp.json entry) runs only once a
// person approved that exact entry, as when VS Code starts a protected server.
// The gate is installed at activation; until then nothing is started.
import type { ServerInfo } from '../../language/catalogue';

export type DiscoveryGate = (server: ServerInfo) => Promise<string | undefined>;

let gate: DiscoveryGate | undefined;

export function setDiscoveryGate(current: DiscoveryGate | undefined): void {
  gate = current;
}

/** Why `server` may not be started for discovery, or undefined when it may. */
export function discoveryRefusal(server: ServerInfo): Promise<string | undefined> {
  return gate ? gate(server) : Promise.resolve('Warden is not ready yet');
}
