// Browser tests of the admin page (SPEC §10, W1–W9): Debian's chromium
// driven by playwright-core against a `roster serve` started here, with
// axe-core on every step and a screenshot of each under web/screenshots/.
import { requirements, setup, launch, demoProgram, repo } from './lib.mjs';

requirements('make test-web');

const { test, before, after } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const { AxeBuilder } = await import('@axe-core/playwright');
const { mkdirSync } = await import('node:fs');
const { join } = await import('node:path');

const shots = join(repo, 'web', 'screenshots');
mkdirSync(shots, { recursive: true });

let srv, br;
before(async () => {
  srv = await setup();
  await srv.api('PUT', '/v1/programs/demo', demoProgram);
  br = await launch();
});
after(async () => { await br?.close(); await srv?.stop(); });

// step checks one step: its heading has focus (W8), axe finds no serious
// or critical violation, and a screenshot is saved.
async function step(page, name, heading, { focus = true } = {}) {
  const h = page.getByRole('heading', { level: 2, name: heading });
  await h.waitFor();
  if (focus) await page.waitForFunction((t) => document.activeElement?.tagName === 'H2' && document.activeElement.textContent.includes(t), heading);
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `axe on ${name}`);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signedIn() {
  const page = await br.context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(srv.signIn);
  // W9: the token left the address bar and stays in this tab.
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  assert.ok(!page.url().includes('token='), 'the token is removed from the URL');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('roster.token')), srv.token);
  return page;
}

const count = (page, k) => page.locator(`[data-count="${k}"]`).innerText().then(Number);

async function settings(page, { overwrite = false } = {}) {
  await page.getByLabel('Program ID').fill('demo');
  await page.getByRole('button', { name: 'Load program' }).click();
  await page.getByLabel('Role', { exact: true }).waitFor();
  if (overwrite) await page.getByLabel('Overwrite existing answers').check();
}

test('whole flow on an XLSX with a title row and two sheets; inline fix, undo, redo, find-and-replace', async () => {
  const page = await signedIn();
  await step(page, 'settings', 'Settings');
  await settings(page);
  await page.getByRole('button', { name: 'Next: upload' }).click();
  await step(page, 'upload', 'Upload the file');
  assert.match(await page.locator('#formats').innerText(), /Accepted: \.xlsx.*Up to \d+ MB/);
  await page.setInputFiles('#file', join(srv.work, 'flow.xlsx'));

  await step(page, 'sheets', 'Sheets');
  assert.match(await page.getByText(/2 sheets/).innerText(), /XLSX file/);
  assert.equal(await page.getByLabel('as role').first().inputValue(), 'mentee');
  assert.equal(await page.getByLabel('as role').nth(1).inputValue(), 'mentor');
  await page.getByRole('button', { name: 'Next: header row' }).click();

  await step(page, 'header', 'Header row');
  // F4: the title row is skipped; row 2 is suggested and explained.
  assert.ok(await page.getByLabel(/Row 2 \(suggested\)/).first().isChecked());
  assert.match(await page.locator('.explain').first().innerText(), /Row 2 is suggested.*title/);
  await page.getByRole('button', { name: 'Next: mapping' }).click();

  await step(page, 'mapping', 'Mapping');
  assert.equal(await page.getByLabel('Target of Email').inputValue(), 'email');
  assert.equal(await page.getByLabel('Target of Work Email').inputValue(), 'email');
  assert.equal(await page.getByLabel('Target of Department').first().inputValue(), 'field:department');
  assert.match(await page.locator('tr', { has: page.getByText('Work Email', { exact: true }) }).innerText(), /synonym\s+The header is a known synonym.*\s90%/);
  // M1: a target already used is not offered for another column.
  assert.ok(await page.getByLabel('Target of First name').first().locator('option[value="email"]').isDisabled());
  await page.getByRole('button', { name: 'Confirm mapping' }).click();

  await step(page, 'review', 'Review');
  const grid = page.getByRole('grid');
  assert.equal(await grid.getAttribute('aria-rowcount'), '7'); // 6 rows + header
  assert.equal(await count(page, 'rejected'), 2);
  assert.equal(await count(page, 'created'), 4);
  // The reason is at the cell, linked to it (W5, W8).
  const bad = grid.getByRole('gridcell', { name: /grace\.example\.com/ });
  assert.equal(await bad.getAttribute('aria-invalid'), 'true');
  const reasonId = await bad.getAttribute('aria-describedby');
  assert.match(await page.locator('#' + reasonId).innerText(), /email/i);

  // Inline fix, re-validated by the server, counts updated.
  await bad.click();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.matches('input[data-editor]'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('grace@example.com');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-count="rejected"]').textContent === '1');
  assert.equal(await count(page, 'created'), 5);
  await step(page, 'review-fixed', 'Review', { focus: false });

  // Undo, then redo, of that fix.
  await page.getByRole('button', { name: /^Undo/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="rejected"]').textContent === '2');
  assert.ok(await grid.getByRole('gridcell', { name: /grace\.example\.com/ }).isVisible());
  await page.getByRole('button', { name: 'Redo' }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="rejected"]').textContent === '1');

  // Find and replace in one column, as one step.
  await page.getByLabel('In column').selectOption({ label: 'Department' });
  await page.getByLabel('find', { exact: true }).fill('Research');
  await page.getByLabel('replace with').fill('Engineering');
  await page.getByRole('button', { name: 'Replace all' }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="rejected"]').textContent === '0');
  assert.match(await page.getByRole('button', { name: /^Undo/ }).innerText(), /Replaced “Research”/);

  // A count card filters the grid.
  await page.getByRole('button', { name: /Created/ }).click();
  await page.waitForFunction(() => document.querySelector('[role=grid]').getAttribute('aria-rowcount') === '7');
  await step(page, 'review-created', 'Review', { focus: false });

  await page.getByRole('button', { name: /Run the import/ }).click();
  await step(page, 'summary', 'Summary: import completed');
  assert.equal(await page.locator('[data-summary="created"]').innerText(), '6');
  assert.equal(await page.locator('[data-summary="rejected"]').innerText(), '0');
  assert.match(await page.locator('.mail').innerText(), /Subject:/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the report (CSV)' }).click()]);
  assert.match(dl.suggestedFilename(), /^report-.*\.csv$/);

  // Around the import: history and participants (W7).
  await page.getByRole('button', { name: 'Imports', exact: true }).click();
  await step(page, 'history', 'Imports of demo');
  assert.match(await page.getByRole('table').innerText(), /flow\.xlsx\s+COMPLETED/);
  await page.getByRole('button', { name: 'Participants', exact: true }).click();
  await step(page, 'participants', 'Participants of demo');
  await page.getByRole('button', { name: 'Suspend ada@example.com' }).click();
  await page.getByRole('button', { name: 'Reactivate ada@example.com' }).waitFor();
  await page.getByRole('button', { name: 'Reactivate ada@example.com' }).click();
  await page.getByRole('button', { name: 'Suspend ada@example.com' }).waitFor();
  await page.getByRole('button', { name: 'Outbox', exact: true }).click();
  await step(page, 'outbox', 'Outbox');
  await page.close();
});

test('Overwrite shows each update\'s before → after', async () => {
  const page = await signedIn();
  await settings(page, { overwrite: true });
  await page.getByRole('button', { name: 'Next: upload' }).click();
  await page.getByRole('tab', { name: 'Paste' }).click();
  await page.getByLabel(/Rows copied/).fill('Email\tFirst name\tLast name\tDepartment\nada@example.com\tAda\tLovelace\tSales\n');
  await page.getByRole('button', { name: 'Use the pasted rows' }).click();
  await page.getByRole('button', { name: 'Next: header row' }).click();
  await page.getByRole('button', { name: 'Next: mapping' }).click();
  await page.getByRole('button', { name: 'Confirm mapping' }).click();
  await page.getByRole('heading', { name: 'Review' }).waitFor();
  await page.getByRole('grid').waitFor();
  assert.equal(await count(page, 'updated'), 1);
  const cell = page.getByRole('gridcell', { name: /Sales/ });
  assert.match(await cell.innerText(), /Engineering\s*→\s*Sales/);
  assert.match(await page.locator('#' + await cell.getAttribute('aria-describedby')).innerText(), /changes from\s+Engineering → Sales/);
  await step(page, 'review-overwrite', 'Review');
  await page.close();
});

test('a rejected bad file shows its message', async () => {
  const page = await signedIn();
  await settings(page);
  await page.getByRole('button', { name: 'Next: upload' }).click();
  await page.setInputFiles('#file', join(srv.work, 'bad.xlsx'));
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /bad\.xlsx/);
  assert.ok((await alert.innerText()).length > 'Problem: bad.xlsx: '.length + 5, 'the message says why');
  await page.getByRole('button', { name: 'Retry' }).waitFor();
  await step(page, 'upload-rejected', 'Upload the file');
  await page.close();
});

test('a reload during the run resumes it', async () => {
  const page = await signedIn();
  await settings(page);
  await page.getByRole('button', { name: 'Next: upload' }).click();
  await page.getByRole('tab', { name: 'Paste' }).click();
  const lines = ['Email,First name,Last name'];
  for (let i = 0; i < 300; i++) lines.push(`reload${i}@example.com,R${i},L${i}`);
  await page.getByLabel(/Rows copied/).fill(lines.join('\n'));
  await page.getByRole('button', { name: 'Use the pasted rows' }).click();
  await page.getByRole('button', { name: 'Next: header row' }).click();
  await page.getByRole('button', { name: 'Next: mapping' }).click();
  await page.getByRole('button', { name: 'Confirm mapping' }).click();
  await page.getByRole('grid').waitFor();
  await page.getByRole('button', { name: /Run the import/ }).click();
  await page.getByRole('heading', { name: /Running the import|Summary/ }).waitFor();
  assert.match(page.url(), /#import=/);
  await page.reload();
  // The token survives in the tab, the import id in the URL.
  await page.getByRole('heading', { name: /Running the import|Summary/ }).waitFor();
  await step(page, 'summary-after-reload', 'Summary: import completed');
  assert.equal(await page.locator('[data-summary="created"]').innerText(), '300');
  await page.close();
});

test('keyboard only through the whole flow', async () => {
  const page = await signedIn();
  const kb = page.keyboard;
  // tabTo presses Tab until the focused element is the one wanted.
  const tabTo = async (locator) => {
    const handle = await locator.elementHandle();
    for (let i = 0; i < 80; i++) {
      if (await handle.evaluate((el) => el === document.activeElement)) return;
      await kb.press('Tab');
    }
    throw new Error('could not reach ' + locator + ' with Tab');
  };
  await tabTo(page.getByLabel('Program ID'));
  await kb.type('demo');
  await kb.press('Enter');
  await tabTo(page.getByRole('button', { name: 'Next: upload' }));
  await kb.press('Enter');
  await page.getByRole('heading', { name: 'Upload the file' }).waitFor();
  await tabTo(page.locator('#file'));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), kb.press('Space')]);
  await chooser.setFiles(join(srv.work, 'flow.xlsx'));
  await page.getByRole('heading', { name: 'Sheets' }).waitFor();
  for (const name of ['Next: header row', 'Next: mapping']) {
    await tabTo(page.getByRole('button', { name }));
    await kb.press('Enter');
  }
  await page.getByRole('heading', { name: 'Mapping' }).waitFor();
  await page.getByRole('button', { name: 'Confirm mapping' }).waitFor();
  await tabTo(page.getByRole('button', { name: 'Confirm mapping' }));
  await kb.press('Enter');
  await page.getByRole('grid').waitFor();
  // The grid is one tab stop; arrows move, Enter edits, Escape cancels.
  await tabTo(page.getByRole('grid').locator('[tabindex="0"]'));
  const focused = () => page.evaluate(() => document.activeElement.closest('tr').getAttribute('aria-rowindex') + ' ' + document.activeElement.textContent);
  await kb.press('ArrowDown');
  await kb.press('Home');
  assert.equal(await focused(), '2 Mentees 3');
  const tabStops = await page.getByRole('grid').locator('[tabindex="0"]').count();
  assert.equal(tabStops, 1, 'one tab stop in the grid');
  // Go to the flagged email: row of grace (second data row), column Email.
  await kb.press('ArrowDown');
  for (let i = 0; i < 2; i++) await kb.press('ArrowRight');
  assert.match(await focused(), /grace\.example\.com/);
  await kb.press('F2');
  await kb.type('oops');
  await kb.press('Escape');
  assert.match(await focused(), /grace\.example\.com/);
  assert.equal(await count(page, 'rejected'), 2, 'Escape cancels');
  await kb.press('Enter');
  await kb.press('Control+A');
  await kb.type('grace@example.com');
  await kb.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-count="rejected"]').textContent === '1');
  await tabTo(page.getByRole('button', { name: /Run the import/ }));
  await kb.press('Enter');
  await page.getByRole('heading', { name: /Summary/ }).waitFor();
  await step(page, 'summary-keyboard', 'Summary: import completed');
  await page.close();
});

test('PKCE: the challenge is the base64url SHA-256 of the verifier (RFC 7636, W9)', async () => {
  const page = await signedIn();
  const { verifier, challenge } = await page.evaluate(async () => (await import('/assets/auth.js')).pkcePair());
  const { createHash } = await import('node:crypto');
  assert.match(verifier, /^[A-Za-z0-9_-]{43,128}$/);
  assert.equal(challenge, createHash('sha256').update(verifier).digest('base64url'));
  // Without a token the page asks to sign in with the printed link.
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(srv.base + '/');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Roster' }).waitFor();
  assert.match(await page.locator('main').innerText(), /roster serve/);
  await page.close();
});
