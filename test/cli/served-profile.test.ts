// The user settings npm start seeds into the served VS Code's profile (scripts/host/served-profile.mjs):
// added where missing, never over a value already there (the person's, or Warden's own additions), and a
// file that is not plain JSON is left exactly as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../../..');

interface ServedProfile {
  SERVED_USER_SETTINGS: Record<string, unknown>;
  seedUserSettings(userDataDir: string): void;
}

function servedProfile(): Promise<ServedProfile> {
  return import(pathToFileURL(join(ROOT, 'scripts/host/served-profile.mjs')).href) as Promise<ServedProfile>;
}

function withUserData(run: (userData: string, settingsFile: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const userData = mkdtempSync(join(tmpdir(), 'warden-served-profile-'));
    try {
      await run(userData, join(userData, 'User', 'settings.json'));
    } finally {
      rmSync(userData, { recursive: true, force: true });
    }
  };
}

test('a fresh profile gets every setting: no Welcome page, no utility-model notice', withUserData(async (userData, file) => {
  const { SERVED_USER_SETTINGS, seedUserSettings } = await servedProfile();
  seedUserSettings(userData);
  const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(written, SERVED_USER_SETTINGS);
  assert.equal(written['workbench.startupEditor'], 'none');
  assert.equal(written['chat.byokUtilityModelDefault'], 'mainAgent');
}));

test("a value already in the profile stays, and so does every other key", withUserData(async (userData, file) => {
  const { SERVED_USER_SETTINGS, seedUserSettings } = await servedProfile();
  mkdirSync(join(userData, 'User'));
  const own = { 'workbench.startupEditor': 'welcomePage', 'chat.tools.edits.autoApprove': { '**/.vscode/mcp-policy.yaml': false } };
  writeFileSync(file, JSON.stringify(own));
  seedUserSettings(userData);
  const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(written, { ...SERVED_USER_SETTINGS, ...own });
}));

test('a settings file with comments is left untouched', withUserData(async (userData, file) => {
  const { seedUserSettings } = await servedProfile();
  mkdirSync(join(userData, 'User'));
  const text = '{\n  // mine\n  "editor.tabSize": 3\n}\n';
  writeFileSync(file, text);
  seedUserSettings(userData);
  assert.equal(readFileSync(file, 'utf8'), text);
}));
