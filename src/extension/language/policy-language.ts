// The policy language in VS Code: the catalogue and its feeds, the language service with its providers
// and diagnostics, and the commands that create a policy and discover tools. Returns the API the
// extension exposes, so tests and other views can feed the catalogue without a running server.
import * as vscode from 'vscode';
import { MemoryCatalogue } from '../../language/catalogue';
import { PolicyLanguageService } from '../../language/service';
import { CatalogueFeeds } from './catalogue-feeds';
import { registerLanguageCommands } from './language-commands';
import { LanguageDiagnostics } from './language-diagnostics';
import { registerLanguageProviders } from './language-providers';

export interface PolicyLanguageApi {
  /** The servers and tools Warden knows: `catalogue.setTools(server, tools)` records a server's live tools. */
  catalogue: MemoryCatalogue;
  /** Resolves once the mcp.json files have been read into the catalogue. */
  catalogueLoaded: Promise<void>;
  /** The pure language service the editor features use. */
  language: PolicyLanguageService;
}

export function registerPolicyLanguage(context: vscode.ExtensionContext): PolicyLanguageApi {
  const catalogue = new MemoryCatalogue();
  const language = new PolicyLanguageService(catalogue);
  const feeds = new CatalogueFeeds(catalogue, context);
  context.subscriptions.push(feeds, new LanguageDiagnostics(language), ...registerLanguageProviders(language), ...registerLanguageCommands(catalogue, feeds));
  return { catalogue, catalogueLoaded: feeds.loaded, language };
}
