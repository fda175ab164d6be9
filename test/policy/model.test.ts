import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from '../../src/policy/model';

test('actions', () => assert.deepEqual(ACTIONS, ['allow', 'ask', 'deny']));
