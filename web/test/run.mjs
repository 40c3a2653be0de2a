// Browser tests of the admin page (SPEC §10, W1–W9): Debian's chromium
// driven by playwright-core against a `roster serve` started here, with
// axe-core on every step and a screenshot of each under web/screenshots/.
import { requirements, setup, launch, demoProgram, repo } from './lib.mjs';

requirements('make test-web');

const { test, before, after } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const { AxeBuilder } = await import('@axe-core/playwright');
const { mkdirSync, writeFileSync, renameSync } = await import('node:fs');
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

// tabToOn presses Tab until the focused element is the one wanted.
async function tabToOn(page, locator, most = 120) {
  const handle = await locator.elementHandle();
  for (let i = 0; i < most; i++) {
    if (await handle.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('could not reach ' + locator + ' with Tab');
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

test('a reload during the run resumes it, with progress in rows (W6)', async () => {
  const ROWS = 10000; // twenty batches of 500
  const page = await signedIn();
  // Every text of the run's polite live region, kept across the reload:
  // watched in this document and in the reloaded one.
  const watch = () => {
    const seen = JSON.parse(sessionStorage.getItem('run-status-seen') || '[]');
    new MutationObserver(() => {
      const t = document.getElementById('run-status')?.textContent;
      if (t && seen[seen.length - 1] !== t) { seen.push(t); sessionStorage.setItem('run-status-seen', JSON.stringify(seen)); }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  };
  await page.addInitScript(watch);
  await page.evaluate(watch);
  // A file large enough for the run to be seen part-way; mapped by the API
  // (typing it would take longer than the run) and opened by its address.
  const lines = ['Email,First name,Last name'];
  for (let i = 0; i < ROWS; i++) lines.push(`reload${i}@example.com,R${i},L${i}`);
  const im = await importByAPI('mentee', lines.join('\n'), { start: false });
  await page.goto(`${srv.base}/#import=${im.id}`);
  await page.reload();
  await page.getByRole('grid').waitFor();
  await page.getByRole('button', { name: /Run the import/ }).click();
  await page.getByRole('heading', { name: /Running the import|Summary/ }).waitFor();
  assert.match(page.url(), /#import=/);
  const status = page.locator('#run-status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  await page.waitForFunction(() => /rows applied/.test(document.getElementById('run-status')?.textContent || '') || !document.getElementById('run-status'));
  await page.evaluate(() => {
    const seen = JSON.parse(sessionStorage.getItem('run-status-seen') || '[]');
    sessionStorage.setItem('run-status-seen', JSON.stringify([...seen, 'reload']));
  });
  await page.reload();
  // The token survives in the tab, the import id in the URL.
  await page.getByRole('heading', { name: /Running the import|Summary/ }).waitFor();
  const runningAfterReload = await page.getByRole('heading', { name: 'Running the import' }).isVisible();
  await step(page, 'summary-after-reload', 'Summary: import completed');
  assert.equal(await page.locator('[data-summary="created"]').innerText(), String(ROWS));
  assert.equal(await page.locator('#rows-applied').innerText(), `${ROWS} of ${ROWS} rows applied.`);
  const seen = await page.evaluate(() => JSON.parse(sessionStorage.getItem('run-status-seen') || '[]'));
  const rowTexts = seen.filter((t) => /rows applied/.test(t));
  assert.ok(rowTexts.length > 0, `the live region said rows applied: ${JSON.stringify(seen)}`);
  // From the API, so never going back, before or after the reload.
  let last = 0;
  for (const t of rowTexts) {
    const m = /^(\d+) of (\d+) rows applied \((\d+)%\)$/.exec(t);
    assert.ok(m, `progress text ${t}`);
    assert.equal(Number(m[2]), ROWS);
    assert.ok(Number(m[1]) >= last && Number(m[1]) <= ROWS, `progress ${t} after ${last}`);
    last = Number(m[1]);
  }
  if (runningAfterReload) assert.ok(seen.slice(seen.indexOf('reload')).some((t) => /rows applied/.test(t)), `progress after the reload: ${JSON.stringify(seen)}`);
  await page.close();
});

test('keyboard only through the whole flow', async () => {
  const page = await signedIn();
  const kb = page.keyboard;
  const tabTo = (locator) => tabToOn(page, locator);
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
  // Leave the active row out, then undo it, by keyboard (W5).
  const skipped = await count(page, 'skipped');
  await tabTo(page.getByRole('button', { name: /^Leave row \d+ out$/ }));
  await kb.press('Enter');
  await page.waitForFunction((n) => document.querySelector('[data-count="skipped"]').textContent === String(n + 1), skipped);
  await tabTo(page.getByRole('button', { name: /^Undo: Left row/ }));
  await kb.press('Enter');
  await page.waitForFunction((n) => document.querySelector('[data-count="skipped"]').textContent === String(n), skipped);
  // The Links card is a button like the others.
  await tabTo(page.getByRole('button', { name: /^\S+ Links \(/ }));
  await kb.press('Enter');
  await page.waitForFunction(() => document.querySelector('.card[aria-describedby="links-help"]').getAttribute('aria-pressed') === 'true');
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

// pasteFlow goes from settings to the review of pasted rows as role,
// confirming every low-confidence suggestion.
async function pasteFlow(page, role, text, { toReview = true } = {}) {
  await settings(page);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Next: upload' }).click();
  await page.getByRole('tab', { name: 'Paste' }).click();
  await page.getByLabel(/Rows copied/).fill(text);
  await page.getByRole('button', { name: 'Use the pasted rows' }).click();
  await page.getByRole('button', { name: 'Next: header row' }).click();
  await page.getByRole('button', { name: 'Next: mapping' }).click();
  await page.getByRole('button', { name: 'Confirm mapping' }).waitFor();
  for (const c of await page.getByLabel(/^Confirm /).all()) await c.check();
  if (!toReview) return;
  await page.getByRole('button', { name: 'Confirm mapping' }).click();
  await page.getByRole('grid').waitFor();
}

// importByAPI runs a pasted import through the API alone.
async function importByAPI(role, text, { start = true } = {}) {
  const { import: im, structure } = await srv.api('POST', '/v1/programs/demo/imports', { settings: { role }, text });
  const sg = await srv.api('GET', `/v1/imports/${im.id}/suggestion?sheet=${structure.sheets[0].name}&headerRow=1&role=${role}`);
  const mapped = await srv.api('PUT', `/v1/imports/${im.id}/mapping`, { sheets: [{ ...sg.plan, role }] });
  if (!start) return mapped;
  await srv.api('POST', `/v1/imports/${im.id}/start`);
  for (let i = 0; i < 100; i++) {
    const cur = await srv.api('GET', `/v1/imports/${im.id}`);
    if (cur.status === 'COMPLETED') return cur;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('import by API did not complete');
}

test('a username-only sheet maps and confirms (V9)', async () => {
  // V9: a person without an email is linked to one with an email, who is invited on their behalf.
  await importByAPI('mentor', 'Email,First name,Last name\nmia@example.com,Mia,N\n');
  const page = await signedIn();
  await pasteFlow(page, 'mentee', 'Username\tFirst name\tLast name\tMentor\nmoe.m\tMoe\tM\tmia@example.com\n', { toReview: false });
  assert.equal(await page.getByLabel('Target of Username').inputValue(), 'username');
  assert.match(await page.locator('caption').first().innerText(), /✔ Username: column Username/);
  assert.ok(await page.getByRole('button', { name: 'Confirm mapping' }).isEnabled(), 'email OR username suffices');
  // Without either, Confirm is refused with the reason.
  await page.getByLabel('Target of Username').selectOption('ignore');
  assert.ok(await page.getByRole('button', { name: 'Confirm mapping' }).isDisabled());
  assert.match(await page.locator('.problems').innerText(), /Email or Username/);
  await step(page, 'mapping-no-identifier', 'Mapping', { focus: false });
  await page.getByLabel('Target of Username').selectOption('username');
  await page.getByRole('button', { name: 'Confirm mapping' }).click();
  await page.getByRole('grid').waitFor();
  assert.equal(await count(page, 'created'), 1);
  await step(page, 'review-username', 'Review');
  await page.getByRole('button', { name: /Run the import/ }).click();
  await step(page, 'summary-username', 'Summary: import completed');
  assert.equal(await page.locator('[data-summary="created"]').innerText(), '1');
  await page.close();
});

test('links card filters to rows with links; leaving a row out is undone and redone (A9, W5)', async () => {
  await importByAPI('mentor', 'Email,First name,Last name\nmia@example.com,Mia,N\n');
  const page = await signedIn();
  await pasteFlow(page, 'mentee', 'Email\tFirst name\tLast name\tMentor\nann@example.com\tAnn\tA\tmia@example.com\nben@example.com\tBen\tB\tnobody@example.com\ncat@example.com\tCat\tC\t\n');
  await page.waitForFunction(() => document.querySelector('[data-count="links"]')?.textContent === '1');
  assert.equal(await page.locator('[data-count="missingLinks"]').innerText(), '1');
  const card = page.getByRole('button', { name: /Links \(2 rows\)/ });
  await card.click();
  await page.waitForFunction(() => document.querySelector('[role=grid]').getAttribute('aria-rowcount') === '3');
  assert.equal(await card.getAttribute('aria-pressed'), 'true');
  // The link to nobody is flagged at its cell.
  const nobody = page.getByRole('gridcell', { name: /nobody@example\.com/ });
  assert.match(await page.locator('#' + await nobody.getAttribute('aria-describedby')).innerText(), /no mentor with this email/);
  await step(page, 'review-links', 'Review', { focus: false });
  await page.getByRole('button', { name: /All rows/ }).click();
  await page.waitForFunction(() => document.querySelector('[role=grid]').getAttribute('aria-rowcount') === '4');

  // Leave cat's row out, undo, redo.
  await page.getByRole('gridcell', { name: 'cat@example.com' }).click();
  await page.getByRole('button', { name: 'Leave row 4 out' }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="skipped"]').textContent === '1');
  assert.equal(await count(page, 'created'), 2);
  assert.match(await page.getByRole('button', { name: /^Undo/ }).innerText(), /Left row 4 of pasted out/);
  await step(page, 'review-left-out', 'Review', { focus: false });
  await page.getByRole('button', { name: /^Undo/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="skipped"]').textContent === '0');
  assert.equal(await count(page, 'created'), 3);
  await page.getByRole('button', { name: 'Redo' }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="skipped"]').textContent === '1');
  await page.getByRole('button', { name: /^Undo/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-count="skipped"]').textContent === '0');
  await page.getByRole('button', { name: /Run the import/ }).click();
  await step(page, 'summary-links', 'Summary: import completed');
  assert.equal(await page.locator('[data-summary="created"]').innerText(), '3');

  // Participants: the server searches by email, username or User ID (W7).
  await page.getByRole('button', { name: 'Participants', exact: true }).click();
  await page.getByRole('heading', { name: 'Participants of demo' }).waitFor();
  await page.getByLabel(/^Search by email/).fill('ANN@');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForFunction(() => /matching “ANN@”/.test(document.querySelector('caption')?.textContent || ''));
  assert.match(await page.locator('caption').innerText(), /^1 participant matching/);
  assert.match(await page.getByRole('table').innerText(), /ann@example\.com[\s\S]*mia@example\.com/); // linked to mia
  await step(page, 'participants-search', 'Participants of demo', { focus: false });
  await page.close();
});

test('integrations: list, create with the mapping by header name, server errors shown, edit, live, delete (W7)', async () => {
  const page = await signedIn();
  await settings(page); // the program the screens are for
  await page.getByRole('button', { name: 'Integrations', exact: true }).click();
  await step(page, 'integrations-empty', 'Integrations of demo');
  assert.match(await page.locator('main').innerText(), /No integrations for this program yet/);
  assert.ok(await page.getByRole('heading', { level: 3, name: 'Test-mode results and held suspensions' }).isVisible());

  await page.getByRole('button', { name: 'New integration' }).click();
  await step(page, 'integration-new', 'New integration');
  await page.getByLabel('Integration ID').fill('hr-daily');
  await page.getByRole('button', { name: 'Add a header' }).click();
  await page.getByLabel('Header name 2').fill('Given name');
  await page.getByLabel('Target of header 2').selectOption('field:firstName');
  // The server's validation is shown as it is (contacts are required).
  await page.getByRole('button', { name: 'Create the integration' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /contacts is required/);
  await step(page, 'integration-error', 'New integration', { focus: false });
  await page.getByLabel('Contacts').fill('ops@example.com');
  await page.getByLabel('Suspend people missing from a full file').check();
  await page.getByRole('button', { name: 'Create the integration' }).click();
  await page.getByRole('heading', { name: 'Integrations of demo' }).waitFor();
  assert.equal(await page.locator('[data-state="hr-daily"]').innerText(), 'test mode');
  let saved = (await srv.api('GET', '/v1/integrations/hr-daily'));
  assert.deepEqual(saved.mapping, { Email: 'email', 'Given name': 'field:firstName' });
  assert.deepEqual(saved.contacts, ['ops@example.com']);
  assert.equal(saved.deactivateMissing, true);
  await step(page, 'integrations-list', 'Integrations of demo');

  // Live, then edit: saving keeps it live.
  await page.getByRole('button', { name: 'Go live: hr-daily' }).click();
  await page.waitForFunction(() => document.querySelector('[data-state="hr-daily"]')?.textContent === 'live');
  await page.getByRole('button', { name: 'Edit hr-daily' }).click();
  await page.getByRole('heading', { name: 'Edit integration hr-daily' }).waitFor();
  assert.equal(await page.getByLabel('Header name 2').inputValue(), 'Given name');
  await page.getByLabel('File names accepted').fill('staff_*.csv');
  await page.getByRole('button', { name: 'Save the integration' }).click();
  await page.getByRole('heading', { name: 'Integrations of demo' }).waitFor();
  saved = await srv.api('GET', '/v1/integrations/hr-daily');
  assert.equal(saved.fileName, 'staff_*.csv');
  assert.equal(saved.live, true);
  await page.getByRole('button', { name: 'Back to test mode: hr-daily' }).click();
  await page.waitForFunction(() => document.querySelector('[data-state="hr-daily"]')?.textContent === 'test mode');

  await page.getByRole('button', { name: 'Delete hr-daily' }).click();
  await page.getByRole('button', { name: 'Confirm: delete hr-daily' }).click();
  await page.getByText('No integrations for this program yet').waitFor();
  assert.equal((await srv.api('GET', '/v1/integrations')).integrations.length, 0);
  await page.close();
});

test('keyboard only through the integrations screens', async () => {
  const page = await signedIn();
  const kb = page.keyboard;
  const tabTo = (locator) => tabToOn(page, locator);
  await tabTo(page.getByLabel('Program ID'));
  await kb.type('demo');
  await kb.press('Enter');
  await page.getByRole('button', { name: 'Next: upload' }).waitFor();
  await tabTo(page.getByRole('button', { name: 'Integrations', exact: true }));
  await kb.press('Enter');
  await page.getByRole('heading', { name: 'Integrations of demo' }).waitFor();
  await tabTo(page.getByRole('button', { name: 'New integration' }));
  await kb.press('Enter');
  await page.getByRole('heading', { name: 'New integration' }).waitFor();
  await tabTo(page.getByLabel('Integration ID'));
  await kb.type('kb-sync');
  await tabTo(page.getByLabel('Contacts'));
  await kb.type('ops@example.com');
  await tabTo(page.getByRole('button', { name: 'Create the integration' }));
  await kb.press('Enter');
  await page.getByRole('button', { name: 'Go live: kb-sync' }).waitFor();
  await tabTo(page.getByRole('button', { name: 'Go live: kb-sync' }));
  await kb.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-state="kb-sync"]')?.textContent === 'live');
  await tabTo(page.getByRole('button', { name: 'Delete kb-sync' }));
  await kb.press('Enter');
  await tabTo(page.getByRole('button', { name: 'Confirm: delete kb-sync' }));
  await kb.press('Enter');
  await page.getByText('No integrations for this program yet').waitFor();
  await page.close();
});

// deliver drops a file into serve's watched inbox (DATA/inbox/{tenant}/
// {integration}/NAME) as an HR system's upload would: written under a
// temporary name, then renamed, so it is never read half-written (I2).
function deliver(integration, name, emails) {
  const dir = join(srv.work, 'data', 'inbox', 'local', integration);
  mkdirSync(dir, { recursive: true });
  const text = ['Email,First name,Last name', ...emails.map((e) => `${e},${e.split('@')[0]},Staff`)].join('\n') + '\n';
  writeFileSync(join(dir, name + '.part'), text);
  renameSync(join(dir, name + '.part'), join(dir, name));
}

// synced waits until the API lists the import of a delivered file with
// the sync status wanted.
async function synced(programId, name, status) {
  for (let i = 0; i < 300; i++) {
    const { imports } = await srv.api('GET', `/v1/programs/${programId}/imports`);
    const im = imports.find((x) => x.fileName === name && x.sync);
    if (im?.sync.status === status) return im;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become ${status}:\n${srv.serverLog().split('\n').filter((l) => /sync/.test(l)).join('\n')}`);
}

test('integrations: test-mode results, then held suspensions approved and rejected in the page (W7, I5, I7)', async () => {
  await srv.api('PUT', '/v1/programs/hr', { ...demoProgram, name: 'HR feed program' });
  await srv.api('PUT', '/v1/integrations/hr-feed', {
    id: 'hr-feed', program: 'hr', role: 'mentee', fileName: 'people_*.csv', identifier: 'email',
    mapping: { Email: 'email', 'First name': 'field:firstName', 'Last name': 'field:lastName' },
    contacts: ['ops@example.com'], mode: 'full', deactivateMissing: true, valve: { maxShare: 0.2, maxCount: 1 }, live: false,
  });
  const staff = (n) => Array.from({ length: n }, (_, i) => `staff${i}@example.com`);
  const row = (page, name) => page.locator(`tr[data-run="${name}"]`);
  const cell = (page, name, k) => row(page, name).locator(`[data-sync-count="${k}"]`).innerText().then(Number);
  const statusOf = (page, name) => row(page, name).locator('[data-sync-status]');

  // Test mode: the file is tried, nothing applied, the would-be counts shown (I7).
  deliver('hr-feed', 'people_2026-11-01.csv', staff(6));
  await synced('hr', 'people_2026-11-01.csv', 'tested');
  const page = await signedIn();
  await page.getByLabel('Program ID').fill('hr');
  await page.getByRole('button', { name: 'Load program' }).click();
  await page.getByLabel('Role', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Integrations', exact: true }).click();
  await row(page, 'people_2026-11-01.csv').waitFor();
  await step(page, 'sync-tested', 'Integrations of hr');
  assert.equal(await statusOf(page, 'people_2026-11-01.csv').getAttribute('data-sync-status'), 'tested');
  assert.match(await statusOf(page, 'people_2026-11-01.csv').innerText(), /^Tested in test mode: nothing applied\. 0 people would be suspended\.$/);
  assert.equal(await cell(page, 'people_2026-11-01.csv', 'created'), 6);
  assert.match(await row(page, 'people_2026-11-01.csv').innerText(), /hr-feed/);
  assert.equal((await srv.api('GET', '/v1/programs/hr/participants')).participants.length, 0, 'test mode applies nothing');
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the report of people_2026-11-01.csv (CSV)' }).click()]);
  assert.match(dl.suggestedFilename(), /\.csv$/);

  // Live; a full file, then a truncated one: its suspensions are held (I5).
  await page.getByRole('button', { name: 'Go live: hr-feed' }).click();
  await page.waitForFunction(() => document.querySelector('[data-state="hr-feed"]')?.textContent === 'live');
  deliver('hr-feed', 'people_2026-11-02.csv', staff(6));
  await synced('hr', 'people_2026-11-02.csv', 'completed');
  deliver('hr-feed', 'people_2026-11-03.csv', staff(2));
  await synced('hr', 'people_2026-11-03.csv', 'held');
  await page.getByRole('button', { name: 'Refresh the results' }).click();
  await row(page, 'people_2026-11-03.csv').waitFor();
  assert.match(await statusOf(page, 'people_2026-11-03.csv').innerText(), /^Held: applied except 4 people to suspend, who wait for an admin/);
  assert.equal(await cell(page, 'people_2026-11-03.csv', 'held'), 4);
  assert.equal(await cell(page, 'people_2026-11-03.csv', 'suspended'), 0);
  assert.equal(await cell(page, 'people_2026-11-03.csv', 'unchanged'), 2);
  assert.equal(await cell(page, 'people_2026-11-02.csv', 'created'), 6);
  assert.match(await statusOf(page, 'people_2026-11-02.csv').innerText(), /^Applied\.$/);
  await step(page, 'sync-held', 'Integrations of hr', { focus: false });

  // Approve, with a confirmation; the counts update and the polite live region says so.
  await page.getByRole('button', { name: 'Approve the held suspensions: people_2026-11-03.csv' }).click();
  const confirmApprove = page.getByRole('button', { name: 'Confirm: suspend 4 people of people_2026-11-03.csv' });
  await confirmApprove.waitFor();
  assert.equal((await srv.api('GET', '/v1/programs/hr/participants?status=suspended')).participants.filter((p) => p.status === 'suspended').length, 0, 'nothing before the confirmation');
  await step(page, 'sync-approve-confirm', 'Integrations of hr', { focus: false });
  await confirmApprove.click();
  const live = page.locator('#sync-status');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  await page.waitForFunction(() => /^Approved: 4 people of people_2026-11-03\.csv suspended\.$/.test(document.getElementById('sync-status')?.textContent || ''));
  await page.waitForFunction(() => document.querySelector('tr[data-run="people_2026-11-03.csv"] [data-sync-count="suspended"]')?.textContent === '4');
  assert.equal(await cell(page, 'people_2026-11-03.csv', 'held'), 0);
  assert.match(await statusOf(page, 'people_2026-11-03.csv').innerText(), /^Applied, 4 people suspended\.$/);
  assert.equal(await page.getByRole('button', { name: /Approve the held suspensions: people_2026-11-03/ }).count(), 0);
  const suspended = async () => (await srv.api('GET', '/v1/programs/hr/participants')).participants.filter((p) => p.status === 'suspended').length;
  assert.equal(await suspended(), 4);
  await step(page, 'sync-approved', 'Integrations of hr', { focus: false });

  // Everyone back (re-hired), then truncated again: rejected by keyboard only, nobody suspended.
  deliver('hr-feed', 'people_2026-11-04.csv', staff(6).reverse()); // not the bytes of 11-02 (I2)
  await synced('hr', 'people_2026-11-04.csv', 'completed');
  deliver('hr-feed', 'people_2026-11-05.csv', staff(1));
  await synced('hr', 'people_2026-11-05.csv', 'held');
  const kb = page.keyboard;
  await tabToOn(page, page.getByRole('button', { name: 'Refresh the results' }));
  await kb.press('Enter');
  const reject = page.getByRole('button', { name: 'Reject the held suspensions: people_2026-11-05.csv' });
  await reject.waitFor();
  await tabToOn(page, reject);
  await kb.press('Enter');
  const confirmReject = page.getByRole('button', { name: 'Confirm: suspend nobody of people_2026-11-05.csv' });
  await confirmReject.waitFor();
  await tabToOn(page, confirmReject);
  await kb.press('Enter');
  await page.waitForFunction(() => /^Rejected: nobody of people_2026-11-05\.csv suspended/.test(document.getElementById('sync-status')?.textContent || ''));
  await page.waitForFunction(() => document.querySelector('tr[data-run="people_2026-11-05.csv"] [data-sync-status]')?.dataset.syncStatus === 'completed');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sync-runs-h', 'focus goes to the results heading');
  assert.equal(await cell(page, 'people_2026-11-05.csv', 'held'), 0);
  assert.equal(await cell(page, 'people_2026-11-05.csv', 'suspended'), 0);
  assert.equal(await cell(page, 'people_2026-11-04.csv', 'updated'), 4);
  assert.equal(await suspended(), 0);
  await step(page, 'sync-rejected', 'Integrations of hr', { focus: false });
  await page.close();
});
