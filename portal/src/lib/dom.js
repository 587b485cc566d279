// dom.js -- the one way pages build HTML: h() makes elements, and every
// string child becomes a text node. Text from the database or the API is
// therefore never parsed as HTML; no page uses innerHTML (the one
// exception is trustedHtml(), for the Markdown the server renders and
// escapes itself, md.c).

// h('a', {href: '/x', class: 'btn', onclick: fn}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value' && 'value' in el) el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replaces an element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// HTML the server made safe (md.c renders its Markdown subset and escapes
// everything else; its fuzz target checks that no other tag gets through).
export function trustedHtml(tag, cls, html) {
  const el = document.createElement(tag);
  el.className = cls;
  const doc = new DOMParser().parseFromString(String(html), 'text/html');
  // Defence in depth: keep only the tags md.c emits, and http(s)/mailto links.
  const allowed = new Set(['P', 'H3', 'UL', 'OL', 'LI', 'STRONG', 'EM', 'CODE', 'A', 'BR']);
  for (const n of [...doc.body.querySelectorAll('*')]) {
    if (!allowed.has(n.tagName)) {
      n.replaceWith(document.createTextNode(n.textContent));
      continue;
    }
    for (const a of [...n.attributes]) {
      if (!(n.tagName === 'A' && a.name === 'href' && /^(https?:|mailto:)/i.test(a.value))) n.removeAttribute(a.name);
    }
    if (n.tagName === 'A') n.setAttribute('rel', 'noopener nofollow');
  }
  el.append(...doc.body.childNodes);
  return el;
}

let idSeq = 0;
export function uid(prefix) {
  idSeq += 1;
  return `${prefix || 'id'}-${idSeq}`;
}
