// citizen.test.mjs -- what a citizen does with the portal: search the
// catalog from the home page, narrow it with a facet, open the commune
// dataset, keep one commune, read its chart (gaps where cells are
// secret) and table, download files and check them against the
// checksums the page and the API show; a missing dataset says so; the
// English switch. Screenshots and axe-core on the catalog and the dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startServer, launch, newPage, reviewPage, expectClean, msg, fr, en } from './lib.mjs';

const SLUG = 'electricity-commune-month';
const COMMUNE = '56121'; // Lorient: many of its cells are secret

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const nf = (n) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(n);

async function getJson(url) {
  const r = await fetch(url);
  assert.equal(r.status, 200, url);
  return r.json();
}

test('citizen: search, dataset, filter, chart, downloads, not found, English', async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const detail = await getJson(`${srv.url}/api/v1/datasets/${SLUG}`);
    const title = detail.metadata.title.fr;
    const page = await newPage(browser);

    // Home -> search "électricité" -> the catalog, the words kept in the box.
    await page.goto(`${srv.url}/`);
    await page.getByLabel(msg(fr, 'home.search_label')).fill('électricité');
    await page.getByRole('button', { name: msg(fr, 'ui.search') }).click();
    await page.getByRole('heading', { level: 1, name: msg(fr, 'catalog.title') }).waitFor();
    assert.match(page.url(), /\/donnees\?q=%C3%A9lectricit%C3%A9/);
    const found = await getJson(`${srv.url}/api/v1/datasets?q=${encodeURIComponent('électricité')}`);
    assert.ok(found.total > 1);
    await page.locator('main').getByText(msg(fr, 'catalog.count.other', { n: nf(found.total) }), { exact: true }).waitFor();
    assert.equal(await page.getByLabel(msg(fr, 'catalog.search_label')).inputValue(), 'électricité');
    await page.getByRole('link', { name: title, exact: true }).waitFor();
    // The theme facet shows a readable name, not the EU URI.
    await page.getByRole('checkbox', { name: new RegExp(`^${msg(fr, 'catalog.theme.ENER')} `) }).waitFor();
    await reviewPage(page, 'catalog');

    // A facet narrows the list through the URL; the box keeps its words,
    // and the focus comes back to the box that was ticked.
    const commune = page.getByRole('checkbox', { name: new RegExp(`^${msg(fr, 'catalog.level.commune')} `) });
    await commune.check();
    await page.waitForURL(/territory_level=commune/);
    await page.locator('main').getByText(msg(fr, 'catalog.count.one', { n: 1 }), { exact: true }).waitFor();
    assert.equal(await page.getByLabel(msg(fr, 'catalog.search_label')).inputValue(), 'électricité');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'f-territory_level-commune');
    assert.ok(await commune.isChecked());

    // The dataset page.
    await page.getByRole('link', { name: title, exact: true }).click();
    await page.waitForURL(new RegExp(`/donnees/${SLUG}$`));
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.locator('table.dataset-records tbody tr').first().waitFor();

    // One commune, chosen with the keyboard: the select, then Enter on "Afficher".
    const select = page.getByLabel(msg(fr, 'catalog.level.commune'), { exact: true });
    await select.selectOption(COMMUNE);
    await page.getByRole('button', { name: msg(fr, 'dataset.apply'), exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`territory=${COMMUNE}`));
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'ds-apply');
    assert.equal(await page.getByLabel(msg(fr, 'catalog.level.commune'), { exact: true }).inputValue(), COMMUNE);

    // The table holds only that commune, its secret cells written out.
    await page.locator('table.dataset-records tbody tr').first().waitFor();
    const cells = await page.locator('table.dataset-records').evaluate((table) => {
      const heads = [...table.tHead.rows[0].cells].map((c) => c.textContent);
      const col = heads.findIndex((x) => x === 'Commune');
      return [...table.tBodies[0].rows].map((r) => r.cells[col].textContent);
    });
    assert.ok(cells.length > 0, 'the table is empty');
    for (const c of cells) assert.equal(c, COMMUNE);
    // "More" adds the next page of the same filter.
    await page.locator('.dataset-table').getByRole('button', { name: msg(fr, 'ui.more') }).click();
    await page.locator('main').getByText(msg(fr, 'dataset.rows_shown.other', { n: cells.length * 2 }), { exact: true }).waitFor();
    const more = await page.locator('table.dataset-records tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual([...new Set(more)], [COMMUNE]);
    assert.ok(await page.locator('table.dataset-records td.secret').count() > 0, 'no secret cell');
    await page.getByText(msg(fr, 'dataset.secret_note'), { exact: true }).waitFor();
    // The API URL on screen is the one of what is shown.
    const apiLink = await page.locator('.dataset-api a').first().getAttribute('href');
    const u = new URL(apiLink);
    assert.equal(u.pathname, `/api/v1/datasets/${SLUG}/records`);
    assert.equal(u.searchParams.get('territory'), COMMUNE);

    // The chart is drawn, one line per sector, with the note on its gaps:
    // as many as the API has secret cells in the lines drawn (a sector
    // secret over the whole period has no line).
    const recs = await getJson(`${srv.url}/api/v1/datasets/${SLUG}/records?territory_level=commune&territory=${COMMUNE}&limit=1000`);
    const drawn = new Set(recs.records.filter((r) => r.value !== null).map((r) => r.sector));
    const secret = recs.records.filter((r) => r.value === null && drawn.has(r.sector)).length;
    assert.ok(secret > 1);
    await page.locator('figure.chart-figure').first().scrollIntoViewIfNeeded(); // drawn when near
    await page.locator('figure.chart-figure canvas').first().waitFor();
    await page.getByText(msg(fr, 'dataset.chart_gaps.other', { n: nf(secret) }), { exact: true }).waitFor();
    await reviewPage(page, 'dataset');

    // Downloads through the page's own links: each file's sha256 is the one
    // the page shows and the one the API lists.
    for (const format of ['csv', 'zip']) {
      const item = page.locator(`li.dataset-file[data-format="${format}"]`);
      const shown = (await item.locator('code.sha256').textContent()).trim();
      const listed = detail.resources.find((r) => r.format === format).sha256;
      assert.equal(shown, listed, `${format}: the page shows another sha256 than the API`);
      const link = item.getByRole('link', { name: msg(fr, 'dataset.download', { format: msg(fr, `dataset.format.${format}`) }) });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const file = await download.path();
      assert.equal(sha256(file), listed, `${format}: the downloaded file does not match its sha256`);
    }
    expectClean(page);

    // The English switch changes the catalog's heading.
    await page.goto(`${srv.url}/donnees`);
    await page.getByRole('heading', { level: 1, name: msg(fr, 'catalog.title') }).waitFor();
    await page.getByRole('button', { name: msg(fr, 'nav.lang_switch_label') }).click();
    await page.getByRole('heading', { level: 1, name: msg(en, 'catalog.title') }).waitFor();
    expectClean(page);

    // A dataset that does not exist: a heading and a way back, not a blank page.
    const lost = await newPage(browser, { allowConsole: [/404/] });
    await lost.goto(`${srv.url}/donnees/no-such-dataset`);
    await lost.getByRole('heading', { level: 1, name: msg(fr, 'dataset.not_found_title') }).waitFor();
    await lost.getByText(msg(fr, 'error.not_found'), { exact: true }).waitFor();
    await lost.getByRole('link', { name: msg(fr, 'dataset.back_catalog') }).waitFor();
    expectClean(lost);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
