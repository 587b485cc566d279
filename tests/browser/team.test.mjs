// team.test.mjs -- a datathon team in the portal: the workspace (/atelier)
// from a syntax error to a published indicator, then the gallery
// (/indicateurs) showing it with its chart and source; a full run queue
// (429), the server unreachable, a runtime error and a lost session shown
// readably; a visitor sent to log in, without CodeMirror loaded.
// Screenshots and axe-core on both pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, loginAs, reviewPage, fr, msg } from './lib.mjs';

const SLUG = 'energie-mensuelle-batiments'; // the workspace's example script
const TITLE = 'Énergie finale mensuelle des bâtiments publics';
const RUNS = '**/api/v1/scripts/*/runs';
// The browser logs a failed request itself: the ones this test provokes.
const EXPECTED = [
  /the server responded with a status of 422/, // the syntax error, on save
  /the server responded with a status of 429/, // the full queue, simulated
  /the server responded with a status of 401/, // the lost session, simulated
  /net::ERR_FAILED/, // the server unreachable, simulated
];

// Every status the run's live region showed, in order.
async function watchStatus(page) {
  await page.evaluate(() => {
    const el = document.querySelector('.ws-status-text');
    window.cmStatuses = [];
    new MutationObserver(() => window.cmStatuses.push(el.dataset.status)).observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
  });
}

test('team: workspace, errors at their line, run, publish, gallery', async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    // A visitor is asked to log in, and brought back here.
    const visitor = await newPage(browser);
    const fetched = [];
    visitor.on('request', (r) => fetched.push(r.url()));
    await visitor.goto(`${srv.url}/`);
    await visitor.getByRole('heading', { level: 1 }).waitFor();
    await visitor.goto(`${srv.url}/atelier`);
    await visitor.getByText(msg(fr, 'workspace.need_login')).waitFor();
    const login = visitor.getByRole('link', { name: msg(fr, 'workspace.login') });
    assert.equal(await login.getAttribute('href'), '/connexion?next=%2Fatelier');
    assert.equal(await visitor.locator('.cm-editor').count(), 0, 'no editor without a session');
    assert.deepEqual(fetched.filter((u) => /workspace-editor/.test(u)), [], 'CodeMirror is not loaded for the home page or a visitor');
    await visitor.context().close();

    const page = await newPage(browser, { allowConsole: EXPECTED });
    await loginAs(page, srv.url, 'team');
    await page.getByRole('link', { name: msg(fr, 'nav.workspace') }).click();
    await page.getByRole('heading', { level: 1, name: msg(fr, 'workspace.title') }).waitFor();
    const editor = page.getByRole('textbox', { name: msg(fr, 'workspace.code') });
    await editor.waitFor();
    assert.match(await editor.innerText(), /cm\.aggregate\('energy-site-month'/, 'a new script starts from the example');

    // A syntax error on line 6: Run saves first, the server refuses it
    // with the line, the page says "ligne 6" and marks it in the editor.
    await editor.click();
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.type('local x = = 1\n');
    await page.getByRole('button', { name: msg(fr, 'workspace.run') }).click();
    const codeError = page.locator('.ws-code-error');
    await codeError.waitFor();
    const errText = await codeError.innerText();
    assert.ok(errText.includes(msg(fr, 'workspace.code.syntax_error')), errText);
    assert.ok(errText.includes(msg(fr, 'workspace.at_line', { line: 6 })), errText);
    assert.ok(errText.includes("unexpected symbol near '='"), errText);
    assert.equal(await page.locator('.cm-errorLine').innerText(), 'local x = = 1', 'the line is marked');
    assert.equal(await page.locator('.cm-lintRange-error').count(), 1, 'a lint diagnostic on the line');
    assert.equal(await page.locator('.cm-gutter-lint .cm-lint-marker-error').count(), 1, 'a marker in the gutter');
    assert.equal(await page.locator('.ws-status-text').innerText(), msg(fr, 'workspace.status.save_failed'));

    // The button goes to the line (selected, focus in the editor): typing
    // replaces it.
    await page.getByRole('button', { name: msg(fr, 'workspace.go_to_line', { line: 6 }) }).click();
    assert.equal(await page.locator('.cm-activeLine').innerText(), 'local x = = 1');
    assert.ok(await editor.evaluate((el) => el.getRootNode().activeElement === el), 'the editor has the focus');
    await page.keyboard.type('local x = 1');
    assert.equal(await page.locator('.cm-errorLine').count(), 0, 'the mark goes with the edit');
    // Tab indents; Escape then Tab leaves the editor (no keyboard trap).
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), msg(fr, 'workspace.save'));

    // Run: the status goes live from queued to succeeded, with the time.
    await watchStatus(page);
    await page.getByRole('button', { name: msg(fr, 'workspace.run') }).click();
    await page.locator('.ws-status-text[data-status="succeeded"]').waitFor();
    const statuses = await page.evaluate(() => window.cmStatuses);
    assert.ok(['queued', 'running'].includes(statuses[0]), `statuses: ${statuses}`);
    assert.equal(statuses.at(-1), 'succeeded', `statuses: ${statuses}`);
    assert.equal(await page.locator('.ws-status-text').innerText(), msg(fr, 'workspace.status.succeeded'));
    assert.equal(await page.locator('.ws-status-text').getAttribute('role'), 'status', 'a live region');
    assert.match(await page.locator('.ws-elapsed').innerText(), /^\(\d+,\d s\)$/);
    assert.equal(await page.locator('.ws-code-error').count(), 0);

    // The result: a table of the preview rows and a chart.
    const result = page.locator('.ws-indicator');
    await result.waitFor();
    await result.getByRole('heading', { name: TITLE }).waitFor();
    const rows = await result.locator('.ws-table tbody tr').count();
    assert.equal(rows, 100, 'the preview rows (lua.preview_rows)');
    assert.ok((await result.innerText()).includes(msg(fr, 'workspace.preview_cut', { shown: '100', n: '156' })));
    await result.locator('.chart-figure').first().scrollIntoViewIfNeeded(); // drawn when near
    await result.locator('.uplot canvas').first().waitFor();
    assert.equal(await page.locator('.ws-script-list > li').count(), 1, 'the saved script is listed');
    await page.locator('.ws-script-list .ws-badge-succeeded').waitFor();
    await reviewPage(page, 'workspace');

    // Publish: a success message with the way to the gallery.
    await page.getByRole('button', { name: msg(fr, 'workspace.publish') }).click();
    const published = page.locator('.ws-publish .success');
    await published.waitFor();
    assert.ok((await published.innerText()).includes(msg(fr, 'workspace.published', { slug: SLUG, v: 1, n: '156' })));
    assert.equal(await published.getByRole('link', { name: msg(fr, 'workspace.see_dataset') }).getAttribute('href'), `/donnees/${SLUG}`);
    await published.getByRole('link', { name: msg(fr, 'workspace.see_gallery') }).click();

    // The gallery, at the new indicator's card: its team, chart, method,
    // provenance and source.
    await page.waitForURL(`**/indicateurs#${SLUG}`);
    const card = page.locator(`li.ind-card[id="${SLUG}"]`);
    await card.getByRole('heading', { level: 2, name: TITLE }).waitFor();
    await page.waitForFunction((slug) => document.activeElement && document.activeElement.id === `${slug}-title`, SLUG);
    assert.ok((await card.innerText()).includes(msg(fr, 'indicators.by_team', { team: 'equipe-bleue' })));
    await card.locator('.uplot canvas').first().waitFor(); // loaded when scrolled to
    assert.ok((await card.locator('.ind-values').innerText()).includes(msg(fr, 'indicators.series_cut', { shown: 6, n: 13 })));
    assert.equal(await card.locator('.ind-reads a').getAttribute('href'), '/donnees/energy-site-month');
    assert.match(await card.locator('.ind-sha').innerText(), /^[0-9a-f]{64}$/);
    await card.getByText(msg(fr, 'indicators.source'), { exact: true }).click();
    const source = card.locator('pre.ind-code code');
    await source.waitFor();
    const lua = await source.innerText();
    assert.ok(lua.includes(`slug = '${SLUG}'`) && lua.includes('local x = 1'), 'the published source, as run');
    // The platform's indicators are there too, their charts loaded lazily.
    assert.ok(await page.locator('li.ind-card').count() >= 14);
    assert.equal(await page.locator('li.ind-card[id="co2-avoided"] .ind-by .badge').innerText(), msg(fr, 'indicators.by_platform'));
    await reviewPage(page, 'indicators');
    // Sorted by the most recent: the team's indicator first, the focus
    // still on the select, the order kept in the URL.
    const sort = page.getByLabel(msg(fr, 'indicators.sort'));
    await sort.focus();
    await sort.selectOption('recent');
    await page.waitForURL('**/indicateurs?sort=recent');
    await page.waitForFunction((slug) => document.querySelector('li.ind-card')?.id === slug, SLUG);
    assert.ok(await sort.evaluate((el) => el === document.activeElement));

    // Back in the workspace: the draft is restored, already saved, so Run
    // queues at once. A full queue (429) says when to try again.
    await page.getByRole('link', { name: msg(fr, 'nav.workspace') }).click();
    await editor.waitFor();
    await page.getByText(msg(fr, 'workspace.draft_restored')).waitFor();
    assert.ok((await editor.innerText()).includes('local x = 1'));
    await page.route(RUNS, (r) => r.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
      body: JSON.stringify({ error: { code: 'too_many_requests', message: 'the run queue is full', details: null } }),
    }));
    await page.getByRole('button', { name: msg(fr, 'workspace.run') }).click();
    const box = page.locator('.ws-messages .error-box');
    await box.getByText(msg(fr, 'error.too_many_requests')).waitFor();
    assert.ok((await box.innerText()).includes(msg(fr, 'error.retry_after', { s: '5' })));
    assert.ok((await box.innerText()).includes('the run queue is full'));
    assert.equal(await page.locator('.ws-status-text').innerText(), msg(fr, 'workspace.status.not_started'));
    await page.unroute(RUNS);

    // The server unreachable: the readable message, and Retry works once
    // it is back.
    await page.route(RUNS, (r) => r.abort('failed'));
    await page.getByRole('button', { name: msg(fr, 'workspace.run') }).click();
    await box.getByText(msg(fr, 'error.unreachable')).waitFor();
    await page.unroute(RUNS);
    await box.getByRole('button', { name: msg(fr, 'error.retry') }).click();
    await page.locator('.ws-status-text[data-status="succeeded"]').waitFor();

    // A runtime error: the run fails, its line is shown and marked.
    await editor.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('local t = nil\nreturn t.x\n');
    await page.keyboard.press('Control+Enter'); // Run, from the editor
    await page.locator('.ws-status-text[data-status="failed"]').waitFor();
    const runError = await codeError.innerText();
    assert.ok(runError.includes(`${msg(fr, 'workspace.code.runtime_error')} — ${msg(fr, 'workspace.at_line', { line: 2 })}`), runError);
    assert.ok(runError.includes("attempt to index a nil value (local 't')"), runError);
    assert.equal(await page.locator('.cm-errorLine').innerText(), 'return t.x');
    assert.ok((await page.locator('.ws-result').innerText()).includes(msg(fr, 'workspace.result_failed')));

    // A lost session: the message with a way to log in again, and the
    // text stays in the editor (and in the draft).
    await page.route(RUNS, (r) => r.fulfill({
      status: 401,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { code: 'unauthorized', message: 'no session', details: null } }),
    }));
    await page.getByRole('button', { name: msg(fr, 'workspace.run') }).click();
    await box.getByText(msg(fr, 'error.session_lost')).waitFor();
    assert.equal(await box.getByRole('link', { name: msg(fr, 'error.login_again') }).getAttribute('href'), '/connexion?next=%2Fatelier');
    assert.ok((await editor.innerText()).includes('return t.x'));
    const draft = await page.evaluate(() => JSON.parse(localStorage.getItem('cm.workspace.draft')));
    assert.equal(draft.source, 'local t = nil\nreturn t.x\n');
    await page.unroute(RUNS);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
