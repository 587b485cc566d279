// editor.test.mjs -- the registry as its users meet it: the public
// searches it; Lorient's editor edits a seed sheet, meets the server's
// validation message next to the field, saves, sends it for review; the
// moderator finds it in review and publishes it; the public then sees the
// new revision. Also a stale save (409), a hostile title shown as text, and
// the registry, sheet, editor and revisions pages reviewed (screenshots at
// two widths, axe-core, no console error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, loginAs, reviewPage, msg, fr, USERS, PASSWORD } from './lib.mjs';

// The browser logs each failed request; these are the ones the flow means.
const EXPECTED = [/status of 409/, /status of 422/, /status of 401/];
const LORIENT = { level: 'epci', code: '200042174', name: 'Lorient Agglomération' };

// A second session, from node, as a colleague on another computer.
async function apiLogin(base, who) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: USERS[who].name, password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await res.json();
  return async (method, path, body, headers = {}) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, etag: r.headers.get('etag'), data: await r.json() };
  };
}

// The first Lorient seed sheet the public search lists.
async function lorientSheet(base) {
  const r = await fetch(`${base}/api/v1/practices?territory=${LORIENT.code}&sort=title`);
  const { practices } = await r.json();
  assert.ok(practices.length >= 2, 'the demo has two Lorient sheets');
  return practices;
}

test('registry: search, edit with a validation error, review, publish, stale save, hostile title', async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const [sheetA, sheetB] = await lorientSheet(srv.url);
    const newTitle = `Suivi énergétique ouvert des bâtiments publics, révision ${Date.now()}`;

    // ---- the public searches the registry ----
    const pub = await newPage(browser);
    await pub.goto(`${srv.url}/registre`);
    await pub.getByRole('heading', { level: 2, name: /^4 fiches$/ }).waitFor();
    await pub.getByLabel(msg(fr, 'registry.search_label')).fill('amiens');
    await pub.getByRole('button', { name: msg(fr, 'ui.search') }).click();
    await pub.getByRole('heading', { level: 2, name: /^1 fiche$/ }).waitFor();
    await pub.getByRole('link', { name: /Réseau de chaleur d'Amiens/ }).waitFor();
    assert.match(pub.url(), /q=amiens/, 'the search is in the URL');
    await pub.goto(`${srv.url}/registre?theme=governance&territory_level=epci`);
    await pub.getByRole('heading', { level: 2, name: /^2 fiches$/ }).waitFor();
    assert.ok(await pub.getByRole('checkbox', { name: /Gouvernance/ }).isChecked(), 'the facet from the URL is ticked');
    await reviewPage(pub, 'registry');
    await pub.context().close();

    // ---- the editor: a stale save first (sheet B), then the flow (sheet A) ----
    const ed = await newPage(browser, { allowConsole: EXPECTED });
    await loginAs(ed, srv.url, 'editor');
    await ed.goto(`${srv.url}/registre/${sheetB.id}/modifier`);
    await ed.getByLabel(msg(fr, 'editor.f_title')).waitFor();
    const colleague = await apiLogin(srv.url, 'editor');
    const cur = await colleague('GET', `/api/v1/practices/${sheetB.id}`);
    const put = await colleague('PUT', `/api/v1/practices/${sheetB.id}`,
      { document: { ...cur.data.document, summary: `${cur.data.document.summary} Mise à jour par une collègue.` }, message: 'collègue' },
      { 'If-Match': cur.etag });
    assert.equal(put.status, 200, 'the colleague saved first');
    await ed.getByLabel(msg(fr, 'editor.f_title')).fill(`${sheetB.title} (bis)`);
    await ed.getByRole('button', { name: msg(fr, 'editor.save'), exact: true }).click();
    await ed.getByText(msg(fr, 'editor.conflict_title')).waitFor();
    assert.equal(await ed.getByLabel(msg(fr, 'editor.f_title')).inputValue(), `${sheetB.title} (bis)`, 'the text is kept after a 409');

    // The revisions of sheet B: the colleague's change, field by field.
    await ed.goto(`${srv.url}/registre/${sheetB.id}/revisions`);
    await ed.getByRole('heading', { level: 2, name: /Différences de la révision 1 à la révision 2/ }).waitFor();
    await ed.getByRole('heading', { level: 3, name: /Résumé/ }).waitFor();
    await reviewPage(ed, 'revisions');

    // Sheet A: the page, then its editor.
    await ed.goto(`${srv.url}/registre`);
    await ed.getByRole('link', { name: sheetA.title }).click();
    await ed.getByRole('heading', { level: 1, name: sheetA.title }).waitFor();
    await ed.locator('.chart-figure').first().waitFor();
    await ed.locator('.chart-figure').first().scrollIntoViewIfNeeded(); // drawn when near
    await ed.locator('.chart .u-wrap, .chart canvas').first().waitFor();
    await reviewPage(ed, 'sheet');
    await ed.getByRole('link', { name: msg(fr, 'sheet.edit'), exact: true }).click();
    const title = ed.getByLabel(msg(fr, 'editor.f_title'));
    await title.waitFor();
    assert.equal(await title.inputValue(), sheetA.title);

    // An empty title: the server's message next to the field, the summary focused.
    await title.fill('');
    await ed.getByRole('button', { name: msg(fr, 'editor.save'), exact: true }).click();
    const fieldError = ed.locator('#ed-title-error');
    await fieldError.waitFor();
    assert.equal(await fieldError.textContent(), msg(fr, 'editor.srv.required'));
    assert.equal(await title.getAttribute('aria-invalid'), 'true');
    assert.match(await title.getAttribute('aria-describedby'), /ed-title-error/);
    assert.ok(await ed.locator('.editor-errors').evaluate((el) => el === document.activeElement), 'the summary has the focus');
    await reviewPage(ed, 'editor'); // With its error shown: linked to the field, still AA
    await ed.locator('.editor-errors a').first().click();
    assert.ok(await title.evaluate((el) => el === document.activeElement), 'the summary link focuses the field');

    // Fixed: saved as revision 2, then sent for review.
    await title.fill(newTitle);
    await ed.getByLabel(msg(fr, 'editor.f_message')).fill('titre revu');
    await ed.getByRole('button', { name: msg(fr, 'editor.save'), exact: true }).click();
    await ed.getByText(msg(fr, 'editor.saved', { n: 2 })).waitFor();
    assert.equal(await ed.locator('#ed-title-error').count(), 0, 'the error is gone');
    await ed.getByRole('button', { name: msg(fr, 'editor.submit') }).click();
    await ed.getByText(msg(fr, 'editor.submitted')).first().waitFor();

    // A title that is HTML stays text.
    const created = await colleague('POST', '/api/v1/practices', {
      document: { title: '<img src=x onerror=alert(1)> sobriété', summary: 'Un titre hostile.', territory: LORIENT },
    });
    assert.equal(created.status, 201);
    let dialogs = 0;
    ed.on('dialog', (d) => {
      dialogs += 1;
      d.dismiss();
    });
    await ed.goto(`${srv.url}/registre/${created.data.id}`);
    await ed.getByRole('heading', { level: 1, name: '<img src=x onerror=alert(1)> sobriété' }).waitFor();
    assert.equal(await ed.locator('main img').count(), 0, 'no img element from the title');
    await ed.goto(`${srv.url}/registre?state=draft`);
    await ed.getByRole('link', { name: '<img src=x onerror=alert(1)> sobriété' }).waitFor();
    assert.equal(await ed.locator('main img').count(), 0, 'no img element in the results');
    assert.equal(dialogs, 0, 'no script ran');

    await ed.getByRole('button', { name: msg(fr, 'nav.logout') }).click();
    await ed.getByRole('link', { name: msg(fr, 'nav.login') }).waitFor();
    assert.deepEqual(ed.problems(), []);
    await ed.context().close();

    // ---- the moderator finds it in review and publishes it ----
    const mod = await newPage(browser);
    await loginAs(mod, srv.url, 'moderator');
    await mod.goto(`${srv.url}/registre`);
    await mod.getByRole('link', { name: msg(fr, 'registry.view_review') }).click();
    await mod.getByRole('link', { name: newTitle }).click();
    await mod.getByRole('heading', { level: 1, name: newTitle }).waitFor();
    await mod.getByRole('button', { name: msg(fr, 'sheet.publish'), exact: true }).click();
    await mod.getByText(msg(fr, 'sheet.done_publish')).first().waitFor();
    assert.deepEqual(mod.problems(), []);
    await mod.context().close();

    // ---- the public sees the new revision ----
    const anon = await newPage(browser);
    await anon.goto(`${srv.url}/registre/${sheetA.id}`);
    await anon.getByRole('heading', { level: 1, name: newTitle }).waitFor();
    await anon.getByText(/Révision 2, par redaction/).waitFor();
    assert.deepEqual(anon.problems(), []);
    await anon.context().close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
