import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RiskAssessment, ToolAnnotations, ToolInfo } from '../../src/policy/model';
import {
  RISK_BADGE_LETTER,
  categoryRank,
  classifyTool,
  compareRisk,
  levelRank,
  riskRank,
  splitToolName,
} from '../../src/policy/risk';
import { IRREGULAR_FORMS, NAME_VERBS, TEXT_VERBS, VERBS, inflect } from '../../src/policy/words';

function tool(name: string, description?: string, annotations?: ToolAnnotations): ToolInfo {
  return { name, description, annotations };
}

/** category/level/source, the part most tests pin down. */
function label(t: ToolInfo, override?: Parameters<typeof classifyTool>[1]): string {
  const r = classifyTool(t, override);
  return `${r.category}/${r.level}/${r.source}`;
}

describe('classifyTool from the name', () => {
  test('stop_scan, described "Stop a running security scan", no annotations: execute/high', () => {
    const r = classifyTool(tool('stop_scan', 'Stop a running security scan'));
    assert.deepEqual(r, { category: 'execute', level: 'high', source: 'name', warnings: [] });
  });

  test('stop_scan without a description is still execute/high', () => {
    assert.equal(label(tool('stop_scan')), 'execute/high/name');
  });

  test('get_scan_status: read, medium because open world is the default', () => {
    assert.equal(label(tool('get_scan_status', 'Get the status of a scan')), 'read/medium/name');
  });

  test('start_security_scan: execute/high', () => {
    assert.equal(label(tool('start_security_scan')), 'execute/high/name');
  });

  test('delete_finding: destructive/critical (open world by default)', () => {
    assert.equal(label(tool('delete_finding', 'Delete a finding')), 'destructive/critical/name');
  });

  test('camelCase, kebab-case and dotted names', () => {
    assert.equal(label(tool('deleteUser')), 'destructive/critical/name');
    assert.equal(label(tool('remove-file')), 'destructive/critical/name');
    assert.equal(label(tool('files.write')), 'write/high/name');
    assert.equal(label(tool('listPullRequests')), 'read/medium/name');
    assert.equal(label(tool('getHTTPStatus')), 'read/medium/name');
    assert.equal(label(tool('SEND_EMAIL')), 'execute/high/name');
  });

  test('the first known verb decides: the tokens before it are skipped', () => {
    assert.equal(label(tool('github_create_issue')), 'write/high/name');
    assert.equal(label(tool('browser_click')), 'execute/high/name');
    // "get" comes first; "run" and "schedule" later in a name are nouns here
    assert.equal(label(tool('get_run_schedule')), 'read/medium/name');
  });

  test('a verb after and/or/then counts too, and the riskier one wins', () => {
    assert.equal(label(tool('get_or_create_user')), 'write/high/name');
    assert.equal(label(tool('fetch_and_run')), 'execute/high/name');
    assert.equal(classifyTool(tool('list_and_delete_files')).category, 'destructive');
  });

  test('a destructive verb anywhere in the name counts (resource-first names)', () => {
    assert.equal(label(tool('record_delete')), 'destructive/critical/name');
    assert.equal(label(tool('tag_remove')), 'destructive/critical/name');
    assert.equal(label(tool('dns.record.purge')), 'destructive/critical/name');
  });

  test('names match base forms only: past participles are adjectives there', () => {
    assert.equal(label(tool('list_deleted_items')), 'read/medium/name');
    assert.equal(label(tool('running_jobs_get')), 'read/medium/name');
  });

  test('kill is destructive, cancel and stop are execute', () => {
    assert.equal(classifyTool(tool('kill_process')).category, 'destructive');
    assert.equal(classifyTool(tool('cancel_job')).category, 'execute');
    assert.equal(classifyTool(tool('terminate_instance')).category, 'destructive');
  });

  test('verbs of each list the brief names', () => {
    const expected: Array<[string, string]> = [
      ['describe_stack', 'read'], ['search_code', 'read'], ['query_logs', 'read'], ['lookup_ip', 'read'],
      ['inspect_image', 'read'], ['browse_dir', 'read'], ['count_rows', 'read'],
      ['put_object', 'write'], ['set_config', 'write'], ['patch_issue', 'write'], ['upload_file', 'write'],
      ['rename_branch', 'write'], ['move_card', 'write'], ['append_row', 'write'], ['tag_release', 'write'],
      ['exec_command', 'execute'], ['trigger_workflow', 'execute'], ['invoke_lambda', 'execute'],
      ['restart_service', 'execute'], ['reboot_host', 'execute'], ['deploy_app', 'execute'],
      ['drop_table', 'destructive'], ['destroy_stack', 'destructive'], ['wipe_disk', 'destructive'],
      ['truncate_table', 'destructive'], ['revoke_token', 'destructive'], ['uninstall_package', 'destructive'],
      ['reset_database', 'destructive'], ['erase_device', 'destructive'],
    ];
    for (const [name, category] of expected) {
      assert.equal(classifyTool(tool(name)).category, category, name);
    }
  });
});

describe('classifyTool from the description', () => {
  test('the first known verb of the first sentence, inflected forms included', () => {
    assert.equal(label(tool('scan_control', 'Stops a running scan.')), 'execute/high/description');
    assert.equal(label(tool('cache', 'Deleting entries older than a day.')), 'destructive/critical/description');
    assert.equal(label(tool('issues', 'Retrieves issues for a repository')), 'read/medium/description');
    assert.equal(label(tool('records', 'Queries the records table')), 'read/medium/description');
    assert.equal(label(tool('docs', 'Copies a document to a folder')), 'write/high/description');
    assert.equal(label(tool('jobs', 'Stopped jobs are restarted')), 'execute/high/description');
    assert.equal(label(tool('notes', 'Wrote the note to disk')), 'write/high/description');
  });

  test('only the first sentence is read', () => {
    assert.equal(label(tool('thing', 'A helper for things. Deletes everything.')), 'execute/high/default');
    assert.equal(label(tool('thing', 'A helper for things\nDeletes everything')), 'execute/high/default');
    // a version number is not the end of a sentence
    assert.equal(label(tool('thing', 'Uses v1.2 to delete things')), 'destructive/critical/description');
  });

  test('leading blank lines do not end the first sentence', () => {
    assert.equal(label(tool('thing', '\n\n  Removes a thing.')), 'destructive/critical/description');
  });

  test('a negated verb is skipped, unless punctuation separates them', () => {
    assert.equal(label(tool('thing', 'Does not modify anything, returns the state')), 'read/medium/description');
    assert.equal(label(tool('thing', 'Without deleting anything, lists stale files')), 'read/medium/description');
    assert.equal(label(tool('thing', 'Doesn’t write; shows the tree')), 'read/medium/description');
    assert.equal(label(tool('thing', 'Without confirmation, deletes the file')), 'destructive/critical/description');
  });

  test('hyphenated words are not verbs', () => {
    assert.equal(label(tool('thing', 'Read-only drop-down values')), 'execute/high/default');
  });

  test('a verb in the name beats a write or execute verb in the description', () => {
    assert.equal(label(tool('get_schedule', 'Schedule of the next runs')), 'read/medium/name');
    assert.equal(label(tool('list_tags', 'Tag names of a repository')), 'read/medium/name');
  });

  test('a read name whose description leads with a destructive verb is destructive, with a warning', () => {
    const r = classifyTool(tool('get_cache_entry', 'Deletes the entry and returns it'));
    assert.deepEqual(r, {
      category: 'destructive',
      level: 'critical',
      source: 'description',
      warnings: ["the name says read ('get') but the description says destructive ('deletes')"],
    });
  });

  test('a destructive word that is not the description\'s leading verb does not raise the name', () => {
    const r = classifyTool(tool('list_items', 'Lists items, including deleted ones'));
    assert.deepEqual(r, { category: 'read', level: 'medium', source: 'name', warnings: [] });
  });
});

describe('classifyTool from annotations', () => {
  const readOnlyClosed: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };

  test('server-everything tools marked read-only and closed-world: read/low', () => {
    assert.equal(label(tool('echo', 'Echoes back the input', readOnlyClosed)), 'read/low/annotations');
    assert.equal(label(tool('get-env', 'Returns all environment variables', readOnlyClosed)), 'read/low/annotations');
    assert.equal(label(tool('get-sum', 'Returns the sum of two numbers', readOnlyClosed)), 'read/low/annotations');
  });

  test('read-only without openWorldHint: read/medium (open world is the default)', () => {
    const readOnly: ToolAnnotations = { readOnlyHint: true };
    assert.equal(label(tool('echo', 'Echoes back the input', readOnly)), 'read/medium/annotations');
    assert.equal(label(tool('get-env', undefined, readOnly)), 'read/medium/annotations');
    assert.equal(label(tool('get-sum', undefined, readOnly)), 'read/medium/annotations');
  });

  test('explicit openWorldHint true raises like an absent one', () => {
    assert.equal(label(tool('echo', undefined, { readOnlyHint: true, openWorldHint: true })), 'read/medium/annotations');
  });

  test('delete_all marked read-only: destructive from the name, with a warning', () => {
    const r = classifyTool(tool('delete_all', 'Delete all records', { readOnlyHint: true }));
    assert.deepEqual(r, {
      category: 'destructive',
      level: 'critical',
      source: 'name',
      warnings: ["annotations say read-only but the name says destructive ('delete')"],
    });
  });

  test('read-only on a write or execute name is also flagged', () => {
    const write = classifyTool(tool('create_issue', undefined, readOnlyClosed));
    assert.equal(`${write.category}/${write.level}/${write.source}`, 'write/medium/name');
    assert.deepEqual(write.warnings, ["annotations say read-only but the name says write ('create')"]);
    const run = classifyTool(tool('jobs', 'Runs a job', readOnlyClosed));
    assert.equal(`${run.category}/${run.source}`, 'execute/description');
    assert.deepEqual(run.warnings, ["annotations say read-only but the description says execute ('runs')"]);
  });

  test('destructiveHint false on a destructive name is flagged and the name wins', () => {
    const r = classifyTool(tool('remove_member', undefined, { readOnlyHint: false, destructiveHint: false }));
    assert.equal(`${r.category}/${r.level}/${r.source}`, 'destructive/critical/name');
    assert.deepEqual(r.warnings, [
      "annotations say not destructive (destructiveHint: false) but the name says destructive ('remove')",
    ]);
  });

  test('destructiveHint false: write; with an execute name the name wins without a warning', () => {
    assert.equal(label(tool('thing', undefined, { destructiveHint: false, openWorldHint: false })), 'write/medium/annotations');
    const r = classifyTool(tool('run_tests', undefined, { destructiveHint: false, openWorldHint: false }));
    assert.equal(`${r.category}/${r.level}/${r.source}`, 'execute/medium/name');
    assert.deepEqual(r.warnings, []);
  });

  test('readOnlyHint false alone means destructive (the spec default for destructiveHint)', () => {
    assert.equal(label(tool('create_issue', undefined, { readOnlyHint: false })), 'destructive/critical/annotations');
    assert.equal(label(tool('thing', undefined, { destructiveHint: true, openWorldHint: false })), 'destructive/high/annotations');
  });

  test('annotations riskier than the name win; a tie goes to annotations', () => {
    assert.equal(label(tool('get_thing', undefined, { readOnlyHint: false, destructiveHint: true })), 'destructive/critical/annotations');
    assert.equal(label(tool('get_thing', undefined, { readOnlyHint: true })), 'read/medium/annotations');
  });

  test('read-only and destructive both true: read, with a warning', () => {
    const r = classifyTool(tool('thing', undefined, { readOnlyHint: true, destructiveHint: true, openWorldHint: false }));
    assert.equal(`${r.category}/${r.level}/${r.source}`, 'read/low/annotations');
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /both read-only and destructive/);
  });

  test('only openWorldHint or idempotentHint: no category from annotations, level still honours openWorldHint', () => {
    assert.equal(label(tool('get_thing', undefined, { openWorldHint: false })), 'read/low/name');
    assert.equal(label(tool('get_thing', undefined, { idempotentHint: true, title: 'Thing' })), 'read/medium/name');
    assert.equal(label(tool('frobnicate', undefined, { openWorldHint: false })), 'execute/medium/default');
  });
});

describe('classifyTool default', () => {
  test('no annotations, no known verb: execute/high from default', () => {
    assert.deepEqual(classifyTool(tool('frobnicate', 'Frobnicates the widget')), {
      category: 'execute', level: 'high', source: 'default', warnings: [],
    });
    assert.equal(label(tool('')), 'execute/high/default');
  });
});

describe('classifyTool on malformed input', () => {
  test('non-string name or description and null annotations say nothing', () => {
    const odd = { name: 42, description: { text: 'delete' }, annotations: null } as unknown as ToolInfo;
    assert.equal(label(odd), 'execute/high/default');
    const hints = { name: 'get_x', annotations: { readOnlyHint: 'yes', openWorldHint: 0 } } as unknown as ToolInfo;
    assert.equal(label(hints), 'read/medium/name');
  });
});

describe('classifyTool with a policy override', () => {
  const t = tool('delete_finding', 'Delete a finding', { readOnlyHint: true });

  test('a full override wins and keeps the warnings', () => {
    const r = classifyTool(t, { category: 'read', level: 'low' });
    assert.equal(`${r.category}/${r.level}/${r.source}`, 'read/low/policy');
    assert.deepEqual(r.warnings, ["annotations say read-only but the name says destructive ('delete')"]);
  });

  test('category only: the level is computed for that category', () => {
    assert.equal(label(tool('get_scan_status'), { category: 'destructive' }), 'destructive/critical/policy');
    assert.equal(label(tool('delete_finding', undefined, { openWorldHint: false }), { category: 'write' }), 'write/medium/policy');
    assert.equal(label(tool('delete_finding'), { category: 'read' }), 'read/medium/policy');
  });

  test('level only: the category comes from the classifier', () => {
    assert.equal(label(tool('stop_scan'), { level: 'low' }), 'execute/low/policy');
    assert.equal(label(t, { level: 'medium' }), 'destructive/medium/policy');
  });

  test('an empty override changes nothing', () => {
    assert.equal(label(tool('stop_scan'), {}), 'execute/high/name');
  });
});

describe('ordering', () => {
  const a = (category: RiskAssessment['category'], level: RiskAssessment['level']): RiskAssessment => ({
    category, level, source: 'name', warnings: [],
  });

  test('ranks', () => {
    assert.deepEqual(['read', 'write', 'execute', 'destructive'].map((c) => categoryRank(c as RiskAssessment['category'])), [0, 1, 2, 3]);
    assert.deepEqual(['low', 'medium', 'high', 'critical'].map((l) => levelRank(l as RiskAssessment['level'])), [0, 1, 2, 3]);
    assert.equal(riskRank(a('read', 'low')), 0);
    assert.equal(riskRank(a('destructive', 'critical')), 15);
    // level first: a critical read outranks a high destructive
    assert.ok(riskRank(a('read', 'critical')) > riskRank(a('destructive', 'high')));
    assert.ok(riskRank(a('execute', 'high')) > riskRank(a('write', 'high')));
  });

  test('compareRisk sorts classified tools riskiest first', () => {
    const tools = [
      tool('get_scan_status', undefined, { readOnlyHint: true, openWorldHint: false }),
      tool('delete_finding'),
      tool('update_note', undefined, { destructiveHint: false, openWorldHint: false }),
      tool('stop_scan'),
      tool('drop_table', undefined, { openWorldHint: false }),
      tool('list_things'),
    ];
    const sorted = tools
      .map((t) => ({ name: t.name, risk: classifyTool(t) }))
      .sort((x, y) => compareRisk(x.risk, y.risk))
      .map((x) => `${x.name}:${x.risk.category}/${x.risk.level}`);
    assert.deepEqual(sorted, [
      'delete_finding:destructive/critical',
      'drop_table:destructive/high',
      'stop_scan:execute/high',
      'update_note:write/medium',
      'list_things:read/medium',
      'get_scan_status:read/low',
    ]);
  });

  test('badge letters', () => {
    assert.deepEqual(RISK_BADGE_LETTER, { read: 'R', write: 'W', execute: 'X', destructive: 'D' });
  });
});

describe('splitToolName', () => {
  test('separators and camelCase humps', () => {
    assert.deepEqual(splitToolName('stop_scan'), ['stop', 'scan']);
    assert.deepEqual(splitToolName('remove-file'), ['remove', 'file']);
    assert.deepEqual(splitToolName('files.write'), ['files', 'write']);
    assert.deepEqual(splitToolName('deleteUser'), ['delete', 'user']);
    assert.deepEqual(splitToolName('getHTTPStatus'), ['get', 'http', 'status']);
    assert.deepEqual(splitToolName('s3ListBuckets'), ['s3', 'list', 'buckets']);
    assert.deepEqual(splitToolName('mcp__github__get_me'), ['mcp', 'github', 'get', 'me']);
    assert.deepEqual(splitToolName('ALL_CAPS'), ['all', 'caps']);
    assert.deepEqual(splitToolName('__'), []);
  });
});

describe('words', () => {
  test('inflections', () => {
    assert.deepEqual(inflect('delete'), ['delete', 'deletes', 'deleting', 'deleted']);
    assert.deepEqual(inflect('stop'), ['stop', 'stops', 'stoping', 'stoped', 'stopping', 'stopped']);
    assert.deepEqual(inflect('query'), ['query', 'queries', 'querying', 'queried']);
    assert.deepEqual(inflect('fetch'), ['fetch', 'fetches', 'fetching', 'fetched']);
    assert.deepEqual(inflect('echo'), ['echo', 'echoes', 'echoing', 'echoed']);
    assert.deepEqual(inflect('see'), ['see', 'sees', 'seeing', 'seed']);
  });

  test('no word is in two lists and no inflected form lands in two categories', () => {
    const owner = new Map<string, string>();
    for (const [category, bases] of Object.entries(VERBS)) {
      for (const base of bases) {
        for (const form of inflect(base)) {
          const known = owner.get(form);
          assert.ok(known === undefined || known === category, `${form}: ${known} and ${category}`);
          owner.set(form, category);
        }
      }
    }
    for (const [form, base] of Object.entries(IRREGULAR_FORMS)) {
      assert.ok(NAME_VERBS.has(base), `irregular ${form} of unknown ${base}`);
      assert.equal(TEXT_VERBS.get(form), NAME_VERBS.get(base));
    }
  });

  test('names know base forms only, descriptions know inflections', () => {
    assert.equal(NAME_VERBS.get('delete'), 'destructive');
    assert.equal(NAME_VERBS.get('deleted'), undefined);
    assert.equal(TEXT_VERBS.get('deleted'), 'destructive');
    assert.equal(TEXT_VERBS.get('sent'), 'execute');
  });
});
