// A server-paged data grid following the WAI-ARIA grid pattern (W5, W8):
// one tab stop (roving tabindex), arrow keys, Home/End, PageUp/PageDown
// (which also page from the server at the edges), Enter or F2 to edit,
// Enter to save, Escape to cancel. aria-rowcount is the whole row count;
// each row carries its aria-rowindex. An invalid cell has aria-invalid and
// aria-describedby pointing at its visible reason.
import { h } from 'preact';
import { useState, useRef, useEffect, useLayoutEffect } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);

// props: id, label, columns [{key,label,editable}], rows [{key, index (1-based
// among all rows), cells [{text, error?:{id,text}, note?}]}], rowCount,
// onEdit(row, colIndex, value), onPage(delta), onActiveRow(row)
export function Grid(props) {
  const { id, label, columns, rows, rowCount } = props;
  const [active, setActive] = useState({ r: -1, c: 0 });
  const [editing, setEditing] = useState(null);
  const ref = useRef(null);
  const focusWanted = useRef(false);
  const pendingEdge = useRef(null);

  // After a page change, land on the first or last row of the new page.
  useLayoutEffect(() => {
    if (pendingEdge.current !== null && rows.length) {
      const r = pendingEdge.current === 'first' ? 0 : rows.length - 1;
      pendingEdge.current = null;
      focusWanted.current = true;
      setActive((a) => ({ r, c: a.c }));
    } else if (active.r >= rows.length) {
      setActive((a) => ({ r: rows.length - 1, c: a.c }));
    }
  }, [rows]);

  // Focus follows the active cell in the same commit, so that keys typed
  // at once land where the user sees the focus.
  useLayoutEffect(() => {
    if (!focusWanted.current || !ref.current) return;
    focusWanted.current = false;
    const el = ref.current.querySelector(editing ? 'input[data-editor]' : '[tabindex="0"]');
    el?.focus();
  });

  // Tell the parent which row is active when it changes (by key: the
  // parent rebuilds the row objects on each render).
  const activeKey = active.r >= 0 ? rows[active.r]?.key : null;
  useEffect(() => {
    if (props.onActiveRow) props.onActiveRow(active.r >= 0 ? rows[active.r] || null : null);
  }, [activeKey]);

  const move = (r, c) => {
    focusWanted.current = true;
    setActive({ r: Math.max(-1, Math.min(rows.length - 1, r)), c: Math.max(0, Math.min(columns.length - 1, c)) });
  };

  const startEdit = (r, c) => {
    if (r < 0 || !columns[c].editable) return;
    focusWanted.current = true;
    setEditing({ r, c, value: rows[r].cells[c].text });
  };

  const finishEdit = (save) => {
    const e = editing;
    focusWanted.current = true;
    setEditing(null);
    if (save && e.value !== rows[e.r].cells[e.c].text) props.onEdit(rows[e.r], e.c, e.value);
  };

  const onKeyDown = (ev) => {
    if (editing) {
      if (ev.key === 'Enter') { ev.preventDefault(); finishEdit(true); }
      else if (ev.key === 'Escape') { ev.preventDefault(); finishEdit(false); }
      else if (ev.key === 'Tab') { finishEdit(true); }
      return;
    }
    const { r, c } = active;
    const last = rows.length - 1;
    switch (ev.key) {
      case 'ArrowDown':
        if (r === last && props.hasNext) { pendingEdge.current = 'first'; props.onPage(1); } else move(r + 1, c);
        break;
      case 'ArrowUp':
        if (r === 0 && props.hasPrev) { pendingEdge.current = 'last'; props.onPage(-1); } else move(r - 1, c);
        break;
      case 'ArrowRight': move(r, c + 1); break;
      case 'ArrowLeft': move(r, c - 1); break;
      case 'Home': ev.ctrlKey ? move(0, 0) : move(r, 0); break;
      case 'End': ev.ctrlKey ? move(last, columns.length - 1) : move(r, columns.length - 1); break;
      case 'PageDown':
        if (props.hasNext) { pendingEdge.current = 'first'; props.onPage(1); } else move(last, c);
        break;
      case 'PageUp':
        if (props.hasPrev) { pendingEdge.current = 'first'; props.onPage(-1); } else move(0, c);
        break;
      case 'Enter': case 'F2': startEdit(r, c); break;
      default: return;
    }
    ev.preventDefault();
  };

  const tab = (r, c) => (active.r === r && active.c === c && !editing ? 0 : -1);
  const cellClick = (r, c) => { setActive({ r, c }); };

  return html`
    <div class="grid-wrap" ref=${ref}>
      <table role="grid" id=${id} aria-label=${label} aria-rowcount=${rowCount + 1} aria-colcount=${columns.length}
        onKeyDown=${onKeyDown} class="grid">
        <thead>
          <tr role="row" aria-rowindex="1">
            ${columns.map((col, c) => html`<th role="columnheader" scope="col" aria-colindex=${c + 1}
              tabindex=${tab(-1, c)} onClick=${() => cellClick(-1, c)}>${col.label}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map((row, r) => html`
            <tr role="row" aria-rowindex=${row.index + 1} key=${row.key} class=${row.className || ''}>
              ${row.cells.map((cell, c) => {
                const isEditing = editing && editing.r === r && editing.c === c;
                const describedBy = [cell.error?.id, cell.noteId].filter(Boolean).join(' ') || undefined;
                return html`<td role="gridcell" aria-colindex=${c + 1} tabindex=${tab(r, c)}
                  aria-invalid=${cell.error ? 'true' : undefined} aria-describedby=${describedBy}
                  aria-readonly=${columns[c].editable ? undefined : 'true'}
                  class=${(cell.error ? 'invalid ' : '') + (cell.warning ? 'warning ' : '') + (active.r === r && active.c === c ? 'active' : '')}
                  onClick=${() => cellClick(r, c)} onDblClick=${() => startEdit(r, c)}>
                  ${isEditing
                    ? html`<input data-editor aria-label=${'Edit ' + columns[c].label + ', row ' + row.label}
                        value=${editing.value} onInput=${(e) => setEditing({ ...editing, value: e.currentTarget.value })} />`
                    : html`<span class="value">${cell.text}</span>`}
                  ${cell.before !== undefined ? html`<span class="change" id=${cell.noteId}><span class="visually-hidden">changes from </span><del>${cell.before || '(empty)'}</del> → <ins>${cell.after || '(empty)'}</ins></span>` : null}
                  ${cell.error ? html`<span class="reason" id=${cell.error.id}><span aria-hidden="true" class="icon">${cell.error.severity === 'warning' ? '⚠' : '✖'}</span> ${cell.error.text}</span>` : null}
                </td>`;
              })}
            </tr>`)}
        </tbody>
      </table>
    </div>`;
}
