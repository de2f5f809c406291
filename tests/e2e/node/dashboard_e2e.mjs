// End-to-end test of the operators' dashboard in headless Chromium (Debian's chromium,
// driven by playwright-core) against a real redis-server, nessus-sim, scanner-worker and
// scanner-mcp: log in, see the pool and its scanner, watch a scan go from queued to
// completed without a reload, open its findings, retry a dead letter, cancel a running
// scan, and markup in a task and in a finding shown as text. Screenshots of each page go to
// BUILD_DIR/tests/e2e/screenshots. Usage: node dashboard_e2e.mjs BUILD_DIR
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { System, TestRun } from './system.mjs';

const build = process.argv[2];
if (!build) throw new Error('usage: node dashboard_e2e.mjs BUILD_DIR');
const system = await new System(build, 'dashboard-e2e').up([{ instance_id: 'scanner1', args: [] }],
  { SCANNER_HEALTH_INTERVAL_SECONDS: '0.5' });
const run = new TestRun();
const base = system.mcpUrl.origin;
const shots = join(build, 'tests', 'e2e', 'screenshots');
mkdirSync(shots, { recursive: true });

const agent = new Client({ name: 'dashboard-e2e', version: '1.0.0' });
await agent.connect(new StreamableHTTPClientTransport(system.mcpUrl,
  { requestInit: { headers: { Authorization: `Bearer ${system.token}` } } }));
const submit = async (targets, name) => {
  const result = await agent.callTool({ name: 'run_untrusted_scan', arguments: { targets, name } });
  assert.equal(result.isError, false, JSON.stringify(result.content));
  return result.structuredContent.task_id;
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const text = () => page.innerText('main');
// Waits until the page's own refresh (app.js) shows `needle`: no navigation happens meanwhile.
const refreshedUntil = (needle, timeout = 60000) =>
  page.waitForFunction((wanted) => document.querySelector('main').innerText.includes(wanted), needle, { timeout });
// The same for the task page's status cell.
const statusBecomes = (wanted, timeout = 90000) => page.waitForFunction((status) => {
  const row = [...document.querySelectorAll('main table.task tr')].find((tr) => tr.querySelector('th')?.innerText === 'status');
  return row?.querySelector('td').innerText === status;
}, wanted, { timeout });
const ids = {};

await run.check('a page needs a login, and a wrong token is refused', async () => {
  await page.goto(`${base}/ui/`);
  assert.ok(page.url().endsWith('/ui/login'), page.url());
  await page.fill('input[name=token]', 'not-the-token');
  await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')]);
  assert.match(await text(), /That token is not valid/);
  await page.screenshot({ path: join(shots, 'login.png') });
});

await run.check('logs in and sees the pool and its scanner answering', async () => {
  await page.fill('input[name=token]', system.token);
  await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button[type=submit]')]);
  assert.ok(page.url().endsWith('/ui/'), page.url());
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === 'sw_ui');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(cookies));
  assert.match(await text(), /Pool nessus/);
  assert.match(await text(), /scanner1/);
  await refreshedUntil('answers (ready');
  assert.match(await text(), /e2e-worker/);
});

await run.check('watches a scan go from queued to completed, in place', async () => {
  ids.watched = await submit('10.60.0.1, 10.60.0.2', 'Seen in the browser');
  await page.goto(`${base}/ui/tasks/${ids.watched}`);
  assert.match(await text(), /queued|running/);
  await page.evaluate(() => { window.__samePage = true; });
  await statusBecomes('completed');
  assert.equal(await page.evaluate(() => window.__samePage), true);  // refreshed, not reloaded
  await page.screenshot({ path: join(shots, 'task.png'), fullPage: true });
});

await run.check('opens its findings and filters them by severity', async () => {
  await page.goto(`${base}/ui/tasks/${ids.watched}`);
  assert.ok(await page.locator('table.findings tr').count() > 2, await text());
  await page.selectOption('select[name=severity]', '4');
  await Promise.all([page.waitForURL(/severity=4/), page.click('form.filters button[type=submit]')]);
  const severities = await page.$$eval('table.findings tr[class^=sev-]', (rows) => rows.map((row) => row.className));
  assert.ok(severities.length > 0);
  assert.ok(severities.every((name) => name === 'sev-4'), severities.join());
  await page.screenshot({ path: join(shots, 'findings.png'), fullPage: true });
  await page.goto(`${base}/ui/tasks?status=completed`);
  assert.match(await text(), new RegExp(ids.watched));
  await page.screenshot({ path: join(shots, 'tasks.png'), fullPage: true });
  await page.goto(`${base}/ui/`);
  await refreshedUntil('completed 1');
  await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
});

await run.check('retries a dead letter, which then runs to completion', async () => {
  const letter = { task_id: 'dlq_retry_me', trace_id: 'trace-dlq', scan_type: 'untrusted', scanner_pool: 'nessus',
    payload: { targets: '10.70.0.1', name: 'Back from the DLQ' }, error: 'Scanner unreachable',
    failed_at: '2026-12-01T10:00:00.000000' };
  const port = new URL(system.common.REDIS_URL).port;
  const added = spawnSync('redis-cli', ['-p', port, 'ZADD', 'nessus:queue:dead', String(Date.now() / 1000),
    JSON.stringify(letter)], { encoding: 'utf8' });
  assert.equal(added.stdout.trim(), '1', added.stderr);
  await page.goto(`${base}/ui/dlq?pool=nessus`);
  assert.match(await text(), /Scanner unreachable/);
  await page.screenshot({ path: join(shots, 'dead-letters.png'), fullPage: true });
  await Promise.all([page.waitForURL(/notice=/), page.click('form[action="/ui/dlq/retry"] button')]);
  assert.match(await text(), /1 entry put back on the queue/);
  await page.goto(`${base}/ui/tasks/dlq_retry_me`);
  await statusBecomes('completed');
});

await run.check('cancels a running scan; it fails "cancelled by request"', async () => {
  ids.cancelled = await submit('never-ending.example', 'Cancelled from the browser');
  await page.goto(`${base}/ui/tasks/${ids.cancelled}`);
  await refreshedUntil('Nessus status', 60000);
  await Promise.all([page.waitForURL(/notice=/), page.click('form[action$="/cancel"] button')]);
  assert.match(await text(), /cancel requested/);
  await statusBecomes('failed');
  assert.match(await text(), /cancelled by request/);
});

await run.check('markup in a task and in a finding is shown as text', async () => {
  const exportText = readFileSync(join(system.dir, 'tasks', ids.watched, 'scan_native.nessus'), 'utf8');
  const hostile = exportText.replace(/<plugin_output>/, '<plugin_output>&lt;script&gt;window.__pwned=3&lt;/script&gt;');
  const folder = join(system.dir, 'tasks', 'markup_task');
  mkdirSync(folder, { mode: 0o700 });
  writeFileSync(join(folder, 'scan_native.nessus'), hostile);
  writeFileSync(join(folder, 'task.json'), JSON.stringify({
    task_id: 'markup_task', trace_id: 'trace-markup', scan_type: 'untrusted', scanner_type: 'nessus',
    scanner_instance_id: 'scanner1', status: 'completed',
    payload: { targets: '<img src=x onerror="window.__pwned=2">', name: '<script>window.__pwned=1</script>' },
    created_at: '2026-12-01T10:00:00.000000', scanner_pool: 'nessus', started_at: '2026-12-01T10:00:01.000000',
    completed_at: '2026-12-01T10:05:00.000000', nessus_scan_id: 7, error_message: null, validation_stats: {},
    validation_warnings: [], authentication_status: 'not_applicable' }));
  await page.goto(`${base}/ui/tasks/markup_task`);
  await page.click('table.findings details summary');
  const shown = await text();
  assert.ok(shown.includes('<script>window.__pwned=1</script>'), shown);
  assert.ok(shown.includes('<img src=x onerror="window.__pwned=2">'), shown);
  assert.ok(shown.includes('<script>window.__pwned=3</script>'), shown);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main img, main script').count(), 0);
  await page.goto(`${base}/ui/tasks`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.ok((await text()).includes('<script>window.__pwned=1</script>'));
});

await browser.close();
await agent.close();
await system.finish(run);
