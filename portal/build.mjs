// build.mjs -- builds the portal ahead of time into www/, the folder the
// server serves (portal.dir). The browser fetches nothing from elsewhere:
// uPlot and CodeMirror come from node_modules, bundled here by esbuild.
//
//   node build.mjs          www/index.html, www/assets/*-HASH.{js,css}
//   PORTAL_OUT=DIR node build.mjs   the same into DIR
//
// Asset names carry a hash of their content, so a browser may keep them
// as long as it likes; index.html names the current ones. The message
// catalogs (src/i18n/<lang>/*.json) are merged into one module; a key in
// one language and not the other stops the build, naming it.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
// PORTAL_OUT=DIR builds elsewhere (a second checkout's server, a test).
const out = path.resolve(process.env.PORTAL_OUT || path.join(here, 'www'));
const LANGS = ['fr', 'en'];

function fail(msg) {
  console.error(`portal build: ${msg}`);
  process.exit(1);
}

function catalog(lang) {
  const dir = path.join(src, 'i18n', lang);
  const merged = {};
  const origin = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    let o;
    try {
      o = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      fail(`${path.relative(here, file)}: ${e.message}`);
    }
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'string') fail(`${path.relative(here, file)}: "${k}" is not a string`);
      if (k in merged) fail(`${path.relative(here, file)}: "${k}" already in ${origin[k]}`);
      merged[k] = v;
      origin[k] = path.relative(here, file);
    }
  }
  return { merged, origin };
}

const cats = Object.fromEntries(LANGS.map((l) => [l, catalog(l)]));
for (const a of LANGS) {
  for (const b of LANGS) {
    for (const k of Object.keys(cats[a].merged)) {
      if (!(k in cats[b].merged)) fail(`"${k}" (${cats[a].origin[k]}) has no ${b} text`);
    }
  }
}

const messages = {
  name: 'messages',
  setup(build) {
    // messages/fr, messages/en: one chunk per language, so a visitor
    // downloads only the words of the language they read.
    build.onResolve({ filter: /^messages\/[a-z]+$/ }, (a) => ({ path: a.path, namespace: 'messages' }));
    build.onLoad({ filter: /.*/, namespace: 'messages' }, (a) => {
      const lang = a.path.split('/')[1];
      if (!cats[lang]) return { errors: [{ text: `no catalog for ${lang}` }] };
      return { contents: JSON.stringify(cats[lang].merged), loader: 'json' };
    });
  },
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: path.join(src, 'main.js'), style: path.join(src, 'css', 'main.css') },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'eof',
  plugins: [messages],
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const entry = (name) => {
  const o = outputs.find(([, m]) => m.entryPoint && m.entryPoint.endsWith(name));
  if (!o) fail(`no output for ${name}`);
  return '/' + path.relative(out, o[0]).split(path.sep).join('/');
};
// What the app needs before it can draw anything, announced in index.html
// so the browser fetches it at once rather than after parsing app.js: the
// app's static imports and the default language's messages.
const appOut = outputs.find(([, m]) => m.entryPoint && m.entryPoint.endsWith('src/main.js'));
const webPath = (f) => '/' + path.relative(out, f).split(path.sep).join('/');
const preload = appOut[1].imports
  .filter((i) => i.kind === 'import-statement')
  .map((i) => i.path)
  .concat(outputs.filter(([, m]) => Object.keys(m.inputs).includes('messages:messages/fr')).map(([f]) => f))
  .map((f) => `<link rel="modulepreload" href="${webPath(f)}">`)
  .join('\n');
const html = fs
  .readFileSync(path.join(src, 'index.html'), 'utf8')
  .replaceAll('{{app.js}}', entry('src/main.js'))
  .replaceAll('{{style.css}}', entry('src/css/main.css'))
  .replaceAll('{{preload}}', preload);
fs.writeFileSync(path.join(out, 'index.html'), html);
for (const f of fs.readdirSync(path.join(src, 'static'))) {
  fs.copyFileSync(path.join(src, 'static', f), path.join(out, f));
}

// NAME.gz beside every script and style sheet over 1 KiB: compressed once
// here, sent as is by the server to browsers that accept gzip.
let total = 0;
let moved = 0;
for (const [file, m] of outputs) {
  total += m.bytes;
  if (m.bytes < 1024 || !/\.(js|css)$/.test(file)) {
    moved += m.bytes;
    continue;
  }
  const gz = zlib.gzipSync(fs.readFileSync(file), { level: 9 });
  fs.writeFileSync(`${file}.gz`, gz);
  moved += gz.length;
}
console.log(`portal build: ${outputs.length} files, ${(total / 1024).toFixed(1)} KiB (${(moved / 1024).toFixed(1)} KiB gzipped) in ${path.relative(process.cwd(), out) || '.'}`);
