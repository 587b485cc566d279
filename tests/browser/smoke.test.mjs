import { test } from 'node:test';
import { startServer, launch, newPage, loginAs, reviewPage } from './lib.mjs';

test('smoke', async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await page.goto(srv.url + '/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await reviewPage(page, 'smoke-home');
    await loginAs(page, srv.url, 'team');
  } finally {
    await browser.close();
    await srv.stop();
  }
});
