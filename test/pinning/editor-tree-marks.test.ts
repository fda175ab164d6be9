// How pinning shows in the Servers tree's data: the waiting lockfile change as a notice that opens its
// review, and the tool marks' contextValue parts, which the menus of package.json match ("Review Change…"
// only on changed, new or flagged tools; the existing tool menus still match a marked tool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinBadge, pinContextValue, pinMarkWords } from '../../src/extension/pinning/pin-tree-marks';
import type { ToolMark } from '../../src/pinning/tool-marks';
import { buildTreeModel, REVIEW_LOCK_CHANGE_COMMAND } from '../../src/workbench/tree-model';
import { toolContextValue } from '../../src/workbench/context-value';

const ROOT = join(__dirname, '..', '..', '..');
const menus = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).contributes.menus['view/item/context'] as { command: string; when: string }[];
const when = (command: string) => menus.find((menu) => menu.command === command)!.when;
const matches = (clause: string, value: string) => new RegExp(clause.match(/viewItem =~ \/(.*)\/$/)![1]).test(value);

const mark = (state: ToolMark['state'], flagged = false): ToolMark => ({ state, flagged, held: state !== 'pinned', findings: [], ...(state === 'changed' ? { fields: ['description'] } : {}) });

test('a waiting lockfile change is a notice whose click reviews it', () => {
  const model = buildTreeModel({ servers: [], protectedServers: [], listed: () => undefined, policy: { state: 'none' }, runtime: () => undefined, now: 0, waitingLockChange: { loosened: 2 } });
  assert.equal(model.notices.length, 1);
  assert.equal(model.notices[0].command, REVIEW_LOCK_CHANGE_COMMAND);
  assert.match(model.notices[0].message, /lockfile is waiting for your review.*2 items/);
});

test('Review Change… is offered on changed, new and flagged tools only; the other tool menus still match', () => {
  const base = toolContextValue('allow', 'low', false, true);
  const review = when('mcpWarden.reviewToolChange');
  assert.equal(matches(review, base + pinContextValue(mark('changed'))), true);
  assert.equal(matches(review, base + pinContextValue(mark('new'))), true);
  assert.equal(matches(review, base + pinContextValue(mark('pinned', true))), true);
  assert.equal(matches(review, base + pinContextValue(mark('pinned'))), false);
  assert.equal(matches(review, base + pinContextValue(mark('unpinned'))), false);
  assert.equal(matches(review, base + pinContextValue(undefined)), false);
  assert.equal(matches(when('mcpWarden.denyTool'), base + pinContextValue(mark('changed', true))), true);
  assert.equal(matches(when('mcpWarden.pinServerTools'), 'server:protected:running:stdio'), true);
  assert.equal(matches(when('mcpWarden.pinServerTools'), 'server:unprotected:unknown:stdio'), false);
});

test('the words and badge of a mark', () => {
  assert.equal(pinMarkWords(mark('changed')), 'changed since pinned (description) · held back');
  assert.equal(pinMarkWords(mark('new', true)), 'new, not pinned · flagged · held back');
  assert.equal(pinMarkWords(mark('pinned')), undefined);
  assert.deepEqual([pinBadge(mark('changed')), pinBadge(mark('pinned', true)), pinBadge(mark('pinned'))], ['changed', 'flagged', undefined]);
});
