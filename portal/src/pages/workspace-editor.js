// workspace-editor.js -- the Lua editor of the datathon workspace
// (CodeMirror 6). Its own module, imported dynamically by workspace.js, so
// CodeMirror is a chunk only the workspace loads.
//
// The editor lives in a shadow root. CodeMirror's styles come from
// style-mod, which (4.1.5) writes a <style> element into a document --
// refused by our CSP (style-src 'self') -- but uses adoptedStyleSheets, a
// constructed sheet the CSP allows, in a shadow root. IDs do not cross a
// shadow boundary, so the label and hint are given inside it: the label
// as aria-label (the same words as the visible label), the hint as a
// hidden element the content's aria-describedby names.
//
// Tab indents (indentWithTab), as programmers expect. The way out of the
// editor by keyboard is CodeMirror's own: Escape then Tab (or Shift-Tab)
// moves the focus on; Ctrl-M (Shift-Alt-M on macOS) toggles a mode where
// Tab always moves the focus. Ctrl/Cmd-Enter runs the script. The page
// says so beside the editor.
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, Decoration,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching, indentUnit,
} from '@codemirror/language';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import { tags } from '@lezer/highlight';
import { setDiagnostics, lintGutter } from '@codemirror/lint';

// Colours with at least 4.5:1 on the editor's white and on the active
// line's tint (the default style's greys and light blues are below it).
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#6f1d8a', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: '#9a1c1c' },
  { tag: tags.comment, color: '#4a5560', fontStyle: 'italic' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: '#155e3b' },
  { tag: [tags.variableName, tags.propertyName], color: '#1a1a1a' },
  { tag: [tags.standard(tags.variableName), tags.special(tags.variableName)], color: '#0b4f6c' },
  { tag: tags.operator, color: '#1a1a1a' },
]);

// The error line, marked whole (the lint underline alone is thin): a
// decoration set by an effect, cleared by the next edit of the text.
const setErrorLine = StateEffect.define();
const errorLineField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(setErrorLine)) {
        if (e.value === null) return Decoration.none;
        return Decoration.set([Decoration.line({ class: 'cm-errorLine' }).range(e.value)]);
      }
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// The page's sheet does not reach into the shadow root: all the editor's
// looks are here (colours of main.css: ink, accent, line-soft, bg-soft).
const theme = EditorView.theme({
  '&': { backgroundColor: '#fff', color: '#1a1a1a', fontSize: '0.95rem', maxHeight: '34rem', borderRadius: '6px' },
  '@media (max-width: 50rem)': { '&': { maxHeight: '26rem' } },
  '&.cm-focused': { outline: '3px solid #c2410c', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', lineHeight: '1.5', minHeight: '12rem' },
  '.cm-content': { caretColor: '#1a1a1a' },
  '.cm-gutters': { backgroundColor: '#f5f7f8', color: '#4a5560', borderRight: '1px solid #d5dbe0' },
  '.cm-activeLine': { backgroundColor: '#eef4f7' },
  '.cm-activeLineGutter': { backgroundColor: '#e0ebf0', color: '#1a1a1a' },
  '.cm-errorLine': { backgroundColor: '#fdecea', boxShadow: 'inset 4px 0 0 #b42318' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: '#c7dbe6' },
});

// Text typed over a selection is put in by CodeMirror, not by the
// browser: Chrome's own editing, replacing a selection that spans
// highlighted tokens, writes style attributes to keep their colours,
// which the CSP refuses (a console error, harmless but noisy).
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(e, view) {
    if (e.inputType !== 'insertText' || !e.data || view.composing || view.state.selection.main.empty) return false;
    e.preventDefault();
    view.dispatch(view.state.replaceSelection(e.data), { userEvent: 'input.type', scrollIntoView: true });
    return true;
  },
});

// createEditor({host, doc, label, hint, onChange, onRun}) -> an object the page
// drives without knowing CodeMirror. host: an empty element, given a
// shadow root here.
export function createEditor({ host, doc, label, hint, onChange, onRun }) {
  const root = host.attachShadow({ mode: 'open' });
  const hintEl = document.createElement('div');
  hintEl.id = 'hint';
  hintEl.hidden = true;
  hintEl.textContent = hint;
  root.appendChild(hintEl);
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        bracketMatching(),
        indentUnit.of('  '),
        StreamLanguage.define(lua),
        syntaxHighlighting(highlight),
        lintGutter(),
        errorLineField,
        // Ctrl/Cmd-Enter runs the script, without leaving the keyboard.
        keymap.of([{ key: 'Mod-Enter', run: () => { if (onRun) onRun(); return true; } },
          ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          'aria-label': label,
          'aria-describedby': 'hint',
          // Focusable already (contenteditable); said outright so that
          // axe sees the scroller holds something the keyboard reaches.
          tabindex: '0',
          spellcheck: 'false',
          autocapitalize: 'off',
          autocorrect: 'off',
        }),
        theme,
        typeOverSelection,
        EditorView.updateListener.of((u) => {
          if (u.docChanged && onChange) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });

  // The document position of a 1-based line number, clamped to the text.
  const lineAt = (n) => view.state.doc.line(Math.min(Math.max(1, n | 0), view.state.doc.lines));

  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      view.dispatch(setDiagnostics(view.state, []));
    },
    // Marks the line of an error: a lint diagnostic (gutter marker,
    // underline, message on hover) and the whole line tinted.
    markError(n, message) {
      const line = lineAt(n);
      view.dispatch(setDiagnostics(view.state, [{ from: line.from, to: line.to, severity: 'error', message }]));
      view.dispatch({ effects: [setErrorLine.of(line.from), EditorView.scrollIntoView(line.from, { y: 'center' })] });
    },
    clearError() {
      view.dispatch(setDiagnostics(view.state, []));
      view.dispatch({ effects: setErrorLine.of(null) });
    },
    goToLine(n) {
      const line = lineAt(n);
      view.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
      view.focus();
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
