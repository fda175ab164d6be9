// The user settings of the VS Code that `npm start` serves, written into its user-data folder before it
// starts (the served workbench keeps its user settings there, in User/settings.json). Only what a
// workspace cannot say for itself goes here; the sample workspace's own .vscode/settings.json has the rest.
// A key the file already has is left as it is: the person's choice, or Warden's own additions, stay.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { say } from './log.mjs';

export const SERVED_USER_SETTINGS = {
  // The sample workspace says so too, but its settings are read from the served folder and may arrive
  // after the workbench has decided on a startup page: the profile's value is there from the start.
  'workbench.startupEditor': 'none',
  // A walkthrough opening by itself on install is clutter here: the sample policy and the view open instead.
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // No tips and no extension recommendations popping up over the demo.
  'extensions.ignoreRecommendations': true,
  'workbench.tips.enabled': false,
  // The Warden demo agent is the only chat model here: the chat's own chores (a conversation's title) go to
  // it too, instead of a Copilot notice asking for a "utility model" that needs an account.
  'chat.byokUtilityModelDefault': 'mainAgent',
};

/** Adds the settings the file lacks; a file that is not plain JSON is left untouched, with a word why. */
export function seedUserSettings(userDataDir, settings = SERVED_USER_SETTINGS) {
  const file = join(userDataDir, 'User', 'settings.json');
  let current = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      say(`${file} is not plain JSON (comments?): left as it is, without the demo's user settings`);
      return;
    }
  }
  const missing = Object.entries(settings).filter(([key]) => !(key in current));
  if (missing.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...current, ...Object.fromEntries(missing) }, null, 4)}\n`);
}
