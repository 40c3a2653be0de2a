// Benchmark (not a timed test) of the review of a 100,000-row file in the
// page: time to the first grid page after the mapping is confirmed, time
// to apply one inline edit (server re-validation and counts), and the
// page's JS heap. `make bench-web`; the numbers go in the README.
import { requirements, setup, launch, demoProgram } from './lib.mjs';
import { join } from 'node:path';

requirements('make bench-web');
const ROWS = Number(process.env.ROWS || 100000);
const log = (m) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

const srv = await setup({ rows: ROWS });
const br = await launch();
try {
  await srv.api('PUT', '/v1/programs/demo', demoProgram);
  log('server up; uploading');
  const page = await br.context.newPage();
  page.setDefaultTimeout(Number(process.env.STEP_TIMEOUT_MS || 300000));
  page.on('pageerror', (e) => log('page error: ' + e.message));
  page.on('response', (r) => { if (r.status() >= 400) log(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(srv.signIn);
  await page.getByLabel('Program ID').fill('demo');
  await page.getByRole('button', { name: 'Load program' }).click();
  await page.getByRole('button', { name: 'Next: upload' }).click();
  let t = performance.now();
  await page.setInputFiles('#file', join(srv.work, 'big.xlsx'));
  await page.getByRole('heading', { name: 'Sheets' }).waitFor();
  const upload = performance.now() - t;
  log('parsed');
  await page.getByRole('button', { name: 'Next: header row' }).click();
  await page.getByRole('button', { name: 'Next: mapping' }).click();
  await page.getByRole('button', { name: 'Confirm mapping' }).click();
  t = performance.now();
  await page.getByRole('grid').locator('tbody tr').first().waitFor();
  const firstPage = performance.now() - t;
  log('first page');
  const rowCount = await page.getByRole('grid').getAttribute('aria-rowcount');
  const rejected = Number(await page.locator('[data-count="rejected"]').innerText());

  const cell = page.getByRole('gridcell', { name: /person000050\.example\.com/ });
  await cell.click();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.matches('input[data-editor]'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('person000050@example.com');
  t = performance.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelector('[data-count="rejected"]').textContent === String(n), rejected - 1);
  const edit = performance.now() - t;
  log('edited');

  const cdp = await br.context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const mem = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : null);
  const mb = (n) => (n / (1 << 20)).toFixed(1) + ' MB';
  console.log(`review of ${ROWS} rows (aria-rowcount ${rowCount}, ${rejected} rejected)`);
  console.log(`  upload and parse:            ${(upload / 1000).toFixed(2)} s`);
  console.log(`  confirm mapping → first page: ${(firstPage / 1000).toFixed(2)} s`);
  console.log(`  one inline edit → counts:     ${(edit / 1000).toFixed(2)} s`);
  console.log(`  JS heap after GC:             ${mb(heap.usedSize)} used of ${mb(heap.totalSize)} (performance.memory: ${mem ? mb(mem) : 'n/a'})`);
} catch (err) {
  log('failed: ' + err.message.split('\n')[0]);
  for (const p of br.context.pages()) await p.screenshot({ path: join(srv.work, '..', 'roster-bench-failure.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await br.close();
  await srv.stop();
}
