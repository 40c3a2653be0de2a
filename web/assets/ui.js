// Pieces the page's screens share: the htm binding, headings that take
// focus (W8), the error box, and the mapping targets of a program (M1).
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export const errText = (e) => (e && e.message) || String(e);

export function targetLabel(t, program) {
  if (!t || t === 'ignore') return 'Ignore';
  if (t === 'email') return 'Email';
  if (t === 'userId') return 'User ID';
  if (t === 'username') return 'Username';
  if (t === 'status') return 'Status';
  if (t.startsWith('field:')) {
    const q = program?.questions?.find((x) => x.key === t.slice(6));
    return 'Answer: ' + (q ? q.label : t.slice(6));
  }
  if (t.startsWith('assoc:')) return 'Link to ' + t.slice(6);
  return t;
}

// targetsFor lists the targets a column of a sheet of role may map to.
export function targetsFor(program, role) {
  const t = ['ignore', 'email', 'username', 'userId', 'status'];
  for (const q of program.questions) if (!q.roles?.length || q.roles.includes(role)) t.push('field:' + q.key);
  for (const r of program.roles) t.push('assoc:' + r);
  return t;
}

export function Heading({ children, level = 2 }) {
  const ref = useRef(null);
  // Focus moves to each step's heading (W8).
  useEffect(() => { ref.current?.focus(); }, []);
  return level === 1
    ? html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`
    : html`<h2 tabindex="-1" ref=${ref}>${children}</h2>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<div class="error" role="alert"><strong>Problem: </strong>${error}</div>`;
}
