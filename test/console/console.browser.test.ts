// Browser test of the web console (playwright-core driving Debian's chromium): sign in, add a
// channel and a key in the console, call the relay with that key through the openai client, see
// the request and its tokens in the usage page and on the overview chart, revoke the key and see
// the client refused. Screenshots every page (into docs/console/ with UPDATE_SCREENSHOTS=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import type { BrowserContext, Page } from 'playwright-core';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { skipUnless } from '../helpers/requirements.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Screenshots refresh the docs only when asked (UPDATE_SCREENSHOTS=1), so a plain test run leaves the tree clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/console/', import.meta.url)) : join(tmpdir(), 'compact-relay-console-shots');
const LAPTOP = { width: 1366, height: 860 };
const PHONE = { width: 390, height: 844 };
const UPSTREAM_KEY = 'upstream-key-for-the-console-test';

/** A long Codex-style history, so compaction has something to do. */
function longHistory(turns: number): any[] {
  const input: any[] = [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are a coding agent.' }] }];
  input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the flaky parser test in src/parser.ts.' }] });
  for (let i = 0; i < turns; i++) {
    input.push({ type: 'function_call', call_id: `call_${i}`, name: 'shell', arguments: JSON.stringify({ command: ['npm', 'test', '--', `parser-${i}`] }) });
    input.push({ type: 'function_call_output', call_id: `call_${i}`, output: `run ${i}\n` + 'PASS test/parser.test.ts line\n'.repeat(200) + 'exit code: 0' });
  }
  input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Now make the parser handle CRLF.' }] });
  return input;
}

const skip = skipUnless(existsSync(CHROMIUM) ? [] : [`chromium not found at ${CHROMIUM} (install it with "apt-get install chromium", as .ci/run does, or set CHROMIUM_PATH)`]);

describe('web console in a browser', { skip, timeout: 180_000 }, () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  const shot = async (name: string, fullPage = true) => {
    await page.waitForSelector('[aria-busy="true"]', { state: 'detached' });
    await page.evaluate("document.getElementById('toast')?.classList.remove('show')");
    await page.waitForTimeout(300); // the toast's fade-out
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  };
  const go = async (hash: string) => {
    await page.goto(`${relay.url}/console${hash}`);
    await page.waitForSelector('#page .page');
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    upstream = await startUpstreamEmulator({ port: 0, apiKey: UPSTREAM_KEY, models: ['gpt-4o-mini'] });
    relay = await startTestRelay();
    const { chromium } = await import('playwright-core');
    userDataDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: LAPTOP,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // The wrong-token sign-in is meant to get a 401; anything else logged as an error counts.
      if (msg.type() === 'error' && !msg.text().includes('status of 401')) pageErrors.push(msg.text());
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(relay.url) && !req.url().startsWith('data:')) foreignRequests.push(req.url());
    });
  });

  after(async () => {
    await context?.close();
    await relay?.close();
    await upstream?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  test('operator flow: sign in, add a channel and a key, watch usage, revoke', async () => {
    // Sign in with the keyboard; a wrong token is refused with a message.
    await page.goto(`${relay.url}/console`);
    await page.getByLabel('Admin token').fill(relay.key);
    await page.keyboard.press('Enter');
    await page.getByText('That is not the admin token').waitFor();
    await shot('sign-in', false);
    await page.getByLabel('Admin token').fill(relay.relay.adminAuth.generatedToken!);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // Add the upstream as a channel and test its connection.
    await go('#/channels');
    await page.getByRole('button', { name: 'Add channel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('emulator');
    await dialog.getByLabel('Base URL').fill(upstream.url);
    await dialog.getByLabel('Upstream API key').fill(UPSTREAM_KEY);
    await dialog.getByLabel('Models', { exact: false }).first().fill('gpt-4o-mini');
    await dialog.getByLabel('Context window (tokens)').fill('8000');
    await dialog.getByRole('button', { name: 'Add channel' }).click();
    await page.locator('tr[data-channel="emulator"]').waitFor();
    await page.getByRole('button', { name: 'Test channel emulator' }).click();
    await page.locator('#test-emulator').getByText('OK 200').waitFor();
    assert.ok(!(await page.content()).includes(UPSTREAM_KEY), 'the upstream key is not in the page');
    await shot('channels');

    // Create a key; its secret is shown once.
    await go('#/keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('console-key');
    await page.getByRole('dialog').getByLabel('Requests per minute').fill('600');
    await page.getByRole('dialog').getByRole('button', { name: 'Create key' }).click();
    const secret = await page.locator('#new-key-secret').inputValue();
    assert.match(secret, /^sk-cr-/);
    await page.locator('tr[data-key="console-key"]').getByText('rpm 600').waitFor();
    await shot('keys');

    // Use it from a real client: two chat calls and one compaction.
    const client = new OpenAI({ apiKey: secret, baseURL: relay.baseURL, maxRetries: 0 });
    let inputTokens = 0;
    let outputTokens = 0;
    for (const question of ['Say hello', 'Say hello again, a bit longer this time']) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] });
      inputTokens += completion.usage!.prompt_tokens;
      outputTokens += completion.usage!.completion_tokens;
    }
    const compacted: any = await client.responses.compact({ model: 'gpt-4o-mini', input: longHistory(12) } as any);
    assert.equal(compacted.object, 'response.compaction');

    // The usage page shows the requests, filtered by the key, with their tokens.
    await go('#/usage');
    await page.getByLabel('Key', { exact: true }).fill('console-key');
    await page.getByRole('button', { name: 'Apply' }).click();
    const chatRows = page.locator('tbody tr', { has: page.locator('code', { hasText: '/v1/chat/completions' }) });
    await chatRows.nth(1).waitFor();
    assert.equal(await chatRows.count(), 2);
    const shownInput = await chatRows.evaluateAll((rows) => rows.reduce((n, row) => n + Number(row.children[7].textContent!.replace(/\D/g, '')), 0));
    assert.equal(shownInput, inputTokens, 'input tokens in the usage table are the client\'s');
    // The compaction, and its summarizer's own call, marked as such.
    await page.locator('tbody tr', { has: page.locator('code', { hasText: '/v1/responses/compact' }) }).first().waitFor();
    await shot('usage');

    // The overview chart counts them.
    await go('#/overview');
    const requestsChart = page.locator('#chart-requests');
    await requestsChart.waitFor();
    assert.equal(await requestsChart.getAttribute('data-total'), '3');
    assert.ok(await requestsChart.locator('rect[data-value]').count() >= 1, 'a bar is drawn');
    const tokensTotal = Number(await page.locator('#chart-tokens').getAttribute('data-total'));
    assert.ok(tokensTotal >= inputTokens + outputTokens, 'the tokens chart includes the chat tokens');
    assert.ok(Number(await page.locator('#chart-saved').getAttribute('data-total')) > 0, 'compaction savings are charted');
    await page.getByRole('cell', { name: 'console-key' }).first().waitFor();
    await shot('overview');

    await go('#/compaction');
    await page.locator('tbody tr').first().getByText('→').waitFor();
    await shot('compaction');
    await go('#/groups');
    await page.getByRole('cell', { name: 'default', exact: true }).first().waitFor();
    await shot('groups');
    await go('#/audit');
    await page.getByText('key.create').waitFor();
    await shot('audit');

    // Phone width: the same pages still work.
    await page.setViewportSize(PHONE);
    await go('#/overview');
    await page.locator('#chart-requests').waitFor();
    await shot('overview-phone');
    await go('#/keys');
    await page.locator('tr[data-key="console-key"]').waitFor();
    await shot('keys-phone');
    await page.setViewportSize(LAPTOP);

    // Revoke in the console: the client is refused from then on.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Revoke key console-key' }).click();
    await page.locator('tr[data-key="console-key"]').getByText('revoked').waitFor();
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] }), (err: any) => err.status === 401);

    assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
    assert.deepEqual(foreignRequests, [], 'the console loads nothing from elsewhere');
  });
});
