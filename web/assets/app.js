// The admin page (SPEC §10): settings → upload or paste → sheet → header
// row → mapping → review → run → summary, and around it the imports, the
// participants and, locally, the outbox.
import { render } from 'preact';
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';
import { api, upload } from './api.js';
import { token, takeFragmentToken, cognitoSignIn, cognitoCallback, cognitoSignOutURL, signOut } from './auth.js';
import { Grid } from './grid.js';
import { html, Heading, ErrorBox, errText, targetLabel, targetsFor } from './ui.js';
import { Integrations } from './integrations.js';

const STEPS = [
  ['settings', 'Settings'], ['upload', 'Upload'], ['sheets', 'Sheets'], ['header', 'Header row'],
  ['mapping', 'Mapping'], ['review', 'Review'], ['run', 'Run'], ['summary', 'Summary'],
];
const FORMATS = '.xlsx, .xls, .xml (Excel 2003), .csv, .tsv, .txt, .json';
const ACTIONS = [
  ['created', 'Created'], ['updated', 'Updated'], ['unchanged', 'Unchanged'], ['skipped', 'Skipped'], ['rejected', 'Rejected'],
];
const PAGE = 50;

// ---- small helpers ---------------------------------------------------------

function hashParams() { return new URLSearchParams(location.hash.slice(1)); }
function setHash(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  history.replaceState(null, '', location.pathname + location.search + (s ? '#' + s : ''));
}
const bytes = (n) => n >= 1 << 20 ? (n / (1 << 20)).toFixed(n >= 10 << 20 ? 0 : 1) + ' MB' : n >= 1024 ? Math.round(n / 1024) + ' KB' : n + ' bytes';
const colName = (i) => { let s = ''; for (i++; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + (i - 1) % 26) + s; return s; };
const headerOf = (plan, i) => (plan.headers && plan.headers[i]) || 'Column ' + colName(i);
let idSeq = 0;
const uid = (p) => `${p}-${++idSeq}`;

// howFound reads the way a suggestion was found from its confidence (M3:
// 1 exact, 0.9 synonym, below that fuzzy) or the remembered flag (M4).
function howFound(s, remembered) {
  if (remembered) return { how: 'remembered', text: 'Remembered from an earlier import with the same headers', conf: 1 };
  if (!s || !s.target || s.target === 'ignore' || !s.confidence) return { how: 'none', text: 'No target matched the header', conf: 0 };
  if (s.confidence >= 1) return { how: 'exact', text: 'The header is the target\'s name', conf: s.confidence };
  if (s.confidence >= 0.9) return { how: 'synonym', text: 'The header is a known synonym of the target', conf: s.confidence };
  return { how: 'fuzzy', text: 'The header is close to the target\'s name', conf: s.confidence };
}

// ---- sign-in ---------------------------------------------------------------

function SignIn({ cfg, error }) {
  return html`<main id="main" class="signin">
    <${Heading} level=${1}>Sign in to Roster<//>
    <${ErrorBox} error=${error} />
    ${cfg.auth === 'cognito'
      ? html`<p>Sign in with your Roster admin account.</p>
             <button class="primary" onClick=${() => cognitoSignIn(cfg)}>Sign in</button>`
      : html`<p>Open the sign-in link that <code>roster serve</code> printed when it started
             (<code>http://…/#token=…</code>). The token stays in this tab only.</p>`}
  </main>`;
}

// ---- step: settings (W1) ---------------------------------------------------

function Settings({ flow, setFlow, next }) {
  const [programId, setProgramId] = useState(flow.programId || localStorage.getItem('roster.program') || '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const s = flow.settings;
  const set = (k, v) => setFlow((f) => ({ ...f, settings: { ...f.settings, [k]: v } }));

  const load = async (e) => {
    e?.preventDefault();
    setError(''); setBusy(true);
    try {
      const p = await api.program(programId.trim());
      localStorage.setItem('roster.program', p.id);
      setFlow((f) => ({ ...f, programId: p.id, program: p, settings: { ...f.settings, role: f.settings.role && p.roles.includes(f.settings.role) ? f.settings.role : p.roles[0] } }));
    } catch (err) { setError(errText(err)); } finally { setBusy(false); }
  };
  useEffect(() => { if (programId && !flow.program) load(); }, []);

  const p = flow.program;
  return html`<section aria-labelledby="step-h">
    <${Heading}>Settings<//>
    <form class="row" onSubmit=${load}>
      <label for="program">Program ID</label>
      <input id="program" value=${programId} onInput=${(e) => setProgramId(e.currentTarget.value)} required aria-describedby="program-help" />
      <button type="submit" disabled=${busy}>Load program</button>
      <p id="program-help" class="help">The program the participants join. Its roles and questions decide what the file may contain.</p>
    </form>
    <${ErrorBox} error=${error} />
    ${p && html`<form onSubmit=${(e) => { e.preventDefault(); next(); }}>
      <p><strong>${p.name || p.id}</strong> — roles: ${p.roles.join(', ')}; ${p.questions.length} profile questions.</p>
      <div class="field">
        <label for="role">Role</label>
        <select id="role" value=${s.role} onChange=${(e) => set('role', e.currentTarget.value)} aria-describedby="role-help">
          ${p.roles.map((r) => html`<option value=${r}>${r}</option>`)}
        </select>
        <p id="role-help" class="help">The role every sheet's participants get (S1). With several sheets you choose a role per sheet in the Sheets step.</p>
      </div>
      <div class="field">
        <label for="sep">Separator of multi-choice answers</label>
        <input id="sep" value=${s.separator} maxlength="3" size="3" onInput=${(e) => set('separator', e.currentTarget.value)} aria-describedby="sep-help" />
        <p id="sep-help" class="help">Splits a cell such as <code>Go, Rust</code> into several answers (S2). Default: comma.</p>
      </div>
      <div class="field">
        <label for="dates">Dates like 03/04/2024 are</label>
        <select id="dates" value=${s.dateOrder} onChange=${(e) => set('dateOrder', e.currentTarget.value)} aria-describedby="dates-help">
          <option value="dmy">day/month/year</option><option value="mdy">month/day/year</option><option value="ymd">year/month/day</option>
        </select>
        <p id="dates-help" class="help">How ambiguous dates are read (V5).</p>
      </div>
      <div class="field check">
        <input type="checkbox" id="overwrite" checked=${s.overwrite} onChange=${(e) => set('overwrite', e.currentTarget.checked)} aria-describedby="ow-help" />
        <label for="overwrite">Overwrite existing answers</label>
        <p id="ow-help" class="help">On: the file's answers replace what participants already have, and an empty cell clears an answer (S3, A5). Off: only empty answers are filled (A4). The review shows every change before → after.</p>
      </div>
      <div class="field check">
        <input type="checkbox" id="notify" checked=${s.notify} onChange=${(e) => set('notify', e.currentTarget.checked)} aria-describedby="notify-help" />
        <label for="notify">Send invitations</label>
        <p id="notify-help" class="help">On: each participant this import creates gets an invitation email (S4, A10). Nobody else is emailed; you get a completion email either way.</p>
      </div>
      <button class="primary" type="submit">Next: upload</button>
    </form>`}
  </section>`;
}

// ---- step: upload or paste (W2, F5) ---------------------------------------

function Upload({ flow, setFlow, cfg, next, announce }) {
  const [tab, setTab] = useState('file');
  const [file, setFile] = useState(null);
  const [prog, setProg] = useState(null); // {loaded,total,started}
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [drag, setDrag] = useState(false);
  const [text, setText] = useState('');
  const xhr = useRef(null);

  const done = (im, structure) => {
    setFlow((f) => ({ ...f, importId: im.id, import: im, structure, plans: null, choices: null }));
    next();
  };

  const send = async (f) => {
    if (!f) return;
    setError('');
    if (cfg.maxFileBytes && f.size > cfg.maxFileBytes) {
      setError(`${f.name} is ${bytes(f.size)}: the limit is ${bytes(cfg.maxFileBytes)}.`);
      return;
    }
    setBusy(true);
    try {
      const { import: im, upload: up } = await api.createImport(flow.programId, f.name, flow.settings);
      setHash({ import: im.id });
      setProg({ loaded: 0, total: f.size, started: performance.now() });
      const u = upload(up, f, (loaded, total) => setProg((p) => ({ ...p, loaded, total })));
      xhr.current = u;
      let structure = await u.promise;
      xhr.current = null;
      announce(`${f.name} uploaded.`);
      // A presigned POST answers nothing: storage tells the parse step,
      // and the import leaves CREATED when it is parsed.
      let cur = await api.getImport(im.id);
      for (let i = 0; cur.status === 'CREATED' && i < 120; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        cur = await api.getImport(im.id);
      }
      if (cur.status === 'FAILED') throw new Error(cur.error || 'the file could not be read');
      if (!structure || !structure.sheets) structure = await api.structure(im.id);
      done(cur, structure);
    } catch (err) {
      xhr.current = null;
      const m = errText(err);
      setError(err.status === -1 ? 'Upload cancelled. Choose the file again or retry.' : m.includes(f.name) ? m : `${f.name}: ${m}`);
      setHash({});
    } finally { setBusy(false); }
  };

  const paste = async (e) => {
    e.preventDefault();
    setError(''); setBusy(true);
    try {
      const { import: im, structure } = await api.pasteImport(flow.programId, text, flow.settings);
      setHash({ import: im.id });
      done(im, structure);
    } catch (err) { setError(errText(err)); } finally { setBusy(false); }
  };

  const pick = (f) => { setFile(f); send(f); };
  const elapsed = prog ? (performance.now() - prog.started) / 1000 : 0;
  const left = prog && prog.loaded > 0 && prog.loaded < prog.total ? Math.ceil(elapsed * (prog.total - prog.loaded) / prog.loaded) : null;
  const pct = prog && prog.total ? Math.round(100 * prog.loaded / prog.total) : 0;

  return html`<section>
    <${Heading}>Upload the file<//>
    <div role="tablist" aria-label="How to give the data" class="tabs">
      ${[['file', 'Upload a file'], ['paste', 'Paste']].map(([k, label]) => html`
        <button role="tab" id=${'tab-' + k} aria-selected=${tab === k} aria-controls=${'panel-' + k} tabindex=${tab === k ? 0 : -1}
          onClick=${() => setTab(k)} onKeyDown=${(e) => { if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') { const n = tab === 'file' ? 'paste' : 'file'; setTab(n); document.getElementById('tab-' + n)?.focus(); } }}>${label}</button>`)}
    </div>
    ${tab === 'file' ? html`<div role="tabpanel" id="panel-file" aria-labelledby="tab-file">
      <div class=${'drop' + (drag ? ' over' : '')} onDragOver=${(e) => { e.preventDefault(); setDrag(true); }}
        onDragLeave=${() => setDrag(false)} onDrop=${(e) => { e.preventDefault(); setDrag(false); pick(e.dataTransfer.files[0]); }}>
        <p>Drag the file here, or</p>
        <label for="file" class="button">Choose a file</label>
        <input id="file" type="file" class="visually-hidden" accept=${FORMATS} disabled=${busy} aria-describedby="formats"
          onChange=${(e) => pick(e.currentTarget.files[0])} />
        <p id="formats" class="help">Accepted: ${FORMATS}. Up to ${bytes(cfg.maxFileBytes || 0)}. The file goes straight to storage.</p>
      </div>
      ${prog && html`<div class="progress">
        <label for="up-progress">${pct < 100 ? 'Uploading' : 'Uploaded'} ${file?.name}</label>
        <progress id="up-progress" max="100" value=${pct}>${pct}%</progress>
        <span>${pct}% — ${bytes(prog.loaded)} of ${bytes(prog.total)}${left !== null ? ` — about ${left} s left` : ''}</span>
        ${busy && xhr.current ? html`<button onClick=${() => xhr.current?.abort()}>Cancel upload</button>` : null}
      </div>`}
      <${ErrorBox} error=${error} />
      ${error && file ? html`<button onClick=${() => send(file)}>Retry</button>` : null}
    </div>` : html`<form role="tabpanel" id="panel-paste" aria-labelledby="tab-paste" onSubmit=${paste}>
      <label for="paste">Rows copied from a spreadsheet (tab- or comma-separated, first row the header)</label>
      <textarea id="paste" rows="10" value=${text} onInput=${(e) => setText(e.currentTarget.value)} required></textarea>
      <${ErrorBox} error=${error} />
      <button class="primary" type="submit" disabled=${busy}>Use the pasted rows</button>
    </form>`}
  </section>`;
}

// ---- step: sheets (W3) -----------------------------------------------------

function defaultChoices(structure, program, role) {
  return structure.sheets.map((sh) => {
    const lower = sh.name.toLowerCase();
    const r = program.roles.find((x) => lower.startsWith(x.toLowerCase())) || role;
    const best = sh.headerCandidates[0];
    return {
      name: sh.name, include: !sh.hidden && sh.rows !== 0, role: r, // rows -1: not known before reading
      headerRow: best && best.score >= 0.5 ? best.row : 0,
    };
  });
}

// previewCols is the preview's width: the sheet's columns when known, else
// the widest preview row, at most 12.
const previewCols = (sheet) => Math.min(sheet.columns >= 0 ? sheet.columns : Math.max(0, ...sheet.preview.map((r) => r.length)), 12);

function Preview({ sheet, highlight, caption }) {
  return html`<div class="table-wrap"><table class="preview">
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Row</th>${Array.from({ length: previewCols(sheet) }, (_, i) => html`<th scope="col">${colName(i)}</th>`)}</tr></thead>
    <tbody>${sheet.preview.map((cells, i) => html`<tr class=${highlight === i + 1 ? 'highlight' : ''}>
      <th scope="row">${i + 1}${highlight === i + 1 ? html` <span class="tag">header</span>` : null}</th>
      ${Array.from({ length: previewCols(sheet) }, (_, c) => html`<td>${cells[c] || ''}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

function Sheets({ flow, setFlow, next, back }) {
  const st = flow.structure;
  const choices = flow.choices || defaultChoices(st, flow.program, flow.settings.role);
  const setChoice = (i, k, v) => setFlow((f) => ({ ...f, choices: choices.map((c, j) => (j === i ? { ...c, [k]: v } : c)) }));
  const none = !choices.some((c) => c.include);
  return html`<section>
    <${Heading}>Sheets<//>
    <p>${st.format.toUpperCase()} file${st.encoding ? `, ${st.encoding}` : ''}${st.delimiter ? `, separated by “${st.delimiter === '\t' ? 'tab' : st.delimiter}”` : ''}: ${st.sheets.length} sheet${st.sheets.length === 1 ? '' : 's'}. Import one or several, each as a role.</p>
    ${st.sheets.map((sh, i) => html`<fieldset class="sheet">
      <legend>${sh.name}${sh.hidden ? ' (hidden)' : ''}</legend>
      <p>${sh.rows >= 0 ? `${sh.rows} rows` : 'Row count known once read'}, ${sh.columns >= 0 ? `${sh.columns} columns` : 'columns known once read'}${sh.hidden ? '; hidden in the workbook, so not imported unless you choose it' : ''}.</p>
      <div class="row">
        <input type="checkbox" id=${'inc-' + i} checked=${choices[i].include} onChange=${(e) => setChoice(i, 'include', e.currentTarget.checked)} />
        <label for=${'inc-' + i}>Import sheet ${sh.name}</label>
        <label for=${'role-' + i}>as role</label>
        <select id=${'role-' + i} value=${choices[i].role} disabled=${!choices[i].include} onChange=${(e) => setChoice(i, 'role', e.currentTarget.value)}>
          ${flow.program.roles.map((r) => html`<option value=${r}>${r}</option>`)}
        </select>
      </div>
      <details><summary>Preview of ${sh.name}</summary><${Preview} sheet=${sh} caption=${'First rows of ' + sh.name} /></details>
    </fieldset>`)}
    ${none && html`<p class="error" role="status">Choose at least one sheet.</p>`}
    <div class="nav"><button onClick=${back}>Back</button>
      <button class="primary" disabled=${none} onClick=${() => { setFlow((f) => ({ ...f, choices })); next(); }}>Next: header row</button></div>
  </section>`;
}

// ---- step: header row (W3, F4) ---------------------------------------------

function HeaderRow({ flow, setFlow, next, back }) {
  const st = flow.structure;
  const choices = flow.choices;
  const setRow = (i, v) => setFlow((f) => ({ ...f, choices: f.choices.map((c, j) => (j === i ? { ...c, headerRow: v } : c)), plans: null }));
  return html`<section>
    <${Heading}>Header row<//>
    ${choices.map((c, i) => {
      if (!c.include) return null;
      const sh = st.sheets[i];
      const best = sh.headerCandidates[0];
      return html`<fieldset class="sheet">
        <legend>Header row of ${sh.name}</legend>
        <p class="explain">${best && best.score >= 0.5
          ? html`Row ${best.row} is suggested (score ${best.score.toFixed(2)}): its cells are short, distinct labels unlike the values below them${best.row > 2 ? `; the ${best.row - 1} rows above look like a title or notes, and are left out` : best.row === 2 ? '; row 1 above looks like a title or notes, and is left out' : ''}.`
          : 'No row looks like a header (the best scores under 0.50): the sheet is read as data from row 1, and columns are named by letter.'}</p>
        <div role="radiogroup" aria-label=${'Header row of ' + sh.name}>
          ${sh.headerCandidates.map((cand) => html`<div class="check">
            <input type="radio" name=${'hr-' + i} id=${`hr-${i}-${cand.row}`} checked=${c.headerRow === cand.row} onChange=${() => setRow(i, cand.row)} />
            <label for=${`hr-${i}-${cand.row}`}>Row ${cand.row}${cand === best && best.score >= 0.5 ? ' (suggested)' : ''} — “${(sh.preview[cand.row - 1] || []).filter(Boolean).slice(0, 4).join(', ')}” (score ${cand.score.toFixed(2)})</label></div>`)}
          <div class="check"><input type="radio" name=${'hr-' + i} id=${`hr-${i}-0`} checked=${c.headerRow === 0} onChange=${() => setRow(i, 0)} />
            <label for=${`hr-${i}-0`}>No header row: every row is data</label></div>
        </div>
        <${Preview} sheet=${sh} highlight=${c.headerRow} caption=${'First rows of ' + sh.name + (c.headerRow ? `, row ${c.headerRow} chosen as header` : ', no header')} />
      </fieldset>`;
    })}
    <div class="nav"><button onClick=${back}>Back</button><button class="primary" onClick=${next}>Next: mapping</button></div>
  </section>`;
}

// ---- step: mapping (W4, M1–M4) ---------------------------------------------

function Mapping({ flow, setFlow, next, back }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const plans = flow.plans;

  useEffect(() => {
    if (plans) return;
    (async () => {
      try {
        const out = [];
        for (const c of flow.choices.filter((x) => x.include)) {
          const sg = await api.suggestion(flow.importId, c.name, c.headerRow, c.role);
          const cols = sg.plan.mapping.map((t, i) => {
            const s = sg.columns?.find((x) => x.column === i);
            const hf = howFound(s || { target: t, confidence: sg.remembered ? 1 : 0 }, sg.remembered && t && t !== 'ignore');
            return { target: t || 'ignore', found: hf, confirmed: hf.how !== 'fuzzy' };
          });
          out.push({ plan: { ...sg.plan, role: c.role }, cols, remembered: sg.remembered });
        }
        setFlow((f) => ({ ...f, plans: out }));
      } catch (err) { setError(errText(err)); }
    })();
  }, [plans]);

  if (!plans) return html`<section><${Heading}>Mapping<//><${ErrorBox} error=${error} /><p role="status">Suggesting a mapping…</p></section>`;

  const setCol = (pi, ci, patch) => setFlow((f) => ({ ...f, plans: f.plans.map((p, j) => j !== pi ? p : { ...p, cols: p.cols.map((c, k) => (k === ci ? { ...c, ...patch } : c)) }) }));
  const problems = [];
  plans.forEach((p) => {
    // M2, V9: a person is named by an email or, without one, a username.
    if (!p.cols.some((c) => c.target === 'email' || c.target === 'username')) problems.push(`Sheet ${p.plan.name}: map a column to Email or Username — every participant needs one (M2, V9).`);
    const unconfirmed = p.cols.filter((c) => !c.confirmed).length;
    if (unconfirmed) problems.push(`Sheet ${p.plan.name}: confirm the ${unconfirmed} low-confidence suggestion${unconfirmed > 1 ? 's' : ''}.`);
  });

  const confirm = async () => {
    setError(''); setBusy(true);
    try {
      const sheets = plans.map((p) => ({ name: p.plan.name, role: p.plan.role, headerRow: p.plan.headerRow, headers: p.plan.headers, mapping: p.cols.map((c) => c.target) }));
      const im = await api.putMapping(flow.importId, sheets);
      setFlow((f) => ({ ...f, import: im }));
      next();
    } catch (err) { setError(errText(err)); } finally { setBusy(false); }
  };

  const st = flow.structure;
  return html`<section>
    <${Heading}>Mapping<//>
    <p>Each column goes to one target at most; a target already used is not offered again.</p>
    ${plans.map((p, pi) => {
      const sh = st.sheets.find((s) => s.name === p.plan.name);
      const samples = (ci) => sh.preview.slice(p.plan.headerRow).map((r) => r[ci]).filter(Boolean).slice(0, 3);
      const used = new Set(p.cols.map((c) => c.target).filter((t) => t !== 'ignore'));
      const emailCol = p.cols.findIndex((c) => c.target === 'email');
      const nameCol = p.cols.findIndex((c) => c.target === 'username');
      return html`<div class="table-wrap"><table class="mapping">
        <caption>Sheet ${p.plan.name} as ${p.plan.role}${p.remembered ? ' — mapping remembered from an earlier import' : ''}.
          <span class=${emailCol >= 0 || nameCol >= 0 ? 'ok' : 'bad'}>${emailCol >= 0 || nameCol >= 0
            ? '✔ ' + [emailCol >= 0 ? `Email: column ${headerOf(p.plan, emailCol)}` : '', nameCol >= 0 ? `Username: column ${headerOf(p.plan, nameCol)}` : ''].filter(Boolean).join('; ')
            : '✖ No email or username column yet'}</span></caption>
        <thead><tr><th scope="col">Column</th><th scope="col">Sample values</th><th scope="col">Target</th><th scope="col">How found</th><th scope="col">Confidence</th></tr></thead>
        <tbody>${p.cols.map((c, ci) => {
          const label = headerOf(p.plan, ci);
          const sel = `map-${pi}-${ci}`;
          return html`<tr class=${c.found.how}>
            <th scope="row">${label}</th>
            <td>${samples(ci).join(' · ') || html`<em>empty</em>`}</td>
            <td><label for=${sel} class="visually-hidden">Target of ${label}</label>
              <select id=${sel} value=${c.target} onChange=${(e) => setCol(pi, ci, { target: e.currentTarget.value, confirmed: true })}>
                ${targetsFor(flow.program, p.plan.role).map((t) => html`<option value=${t} disabled=${t !== 'ignore' && t !== c.target && used.has(t)}>${targetLabel(t, flow.program)}${t !== 'ignore' && t !== c.target && used.has(t) ? ' (used)' : ''}</option>`)}
              </select></td>
            <td><span class=${'how ' + c.found.how}>${c.found.how}</span> <span class="help">${c.found.text}</span></td>
            <td>${c.found.conf ? Math.round(c.found.conf * 100) + '%' : '—'}
              ${!c.confirmed ? html`<div class="check"><input type="checkbox" id=${'conf-' + sel} onChange=${(e) => setCol(pi, ci, { confirmed: e.currentTarget.checked })} />
                <label for=${'conf-' + sel}>Confirm ${label} → ${targetLabel(c.target, flow.program)}</label></div>` : null}</td>
          </tr>`;
        })}</tbody></table></div>`;
    })}
    <div role="status">${problems.length ? html`<ul class="problems">${problems.map((t) => html`<li>${t}</li>`)}</ul>` : null}</div>
    <${ErrorBox} error=${error} />
    <div class="nav"><button onClick=${back}>Back</button>
      <button class="primary" disabled=${busy || problems.length > 0} onClick=${confirm}>Confirm mapping</button></div>
  </section>`;
}

// ---- step: review (W5, V7, V8) ---------------------------------------------

function fieldOfTarget(t) {
  if (t === 'email' || t === 'userId' || t === 'status') return t;
  if (t?.startsWith('field:')) return t.slice(6);
  return null;
}

function Review({ flow, setFlow, next, back, announce }) {
  const im = flow.import;
  const plans = im.sheets || [];
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState(null);
  const [summary, setSummary] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [undo, setUndo] = useState([]);
  const [redo, setRedo] = useState([]);
  const [activeRow, setActiveRow] = useState(null);
  const [fr, setFr] = useState({ sheet: plans[0]?.name, column: 0, find: '', replace: '' });
  const [sheetName, setSheetName] = useState(plans[0]?.name);

  // load reads one page of rows; with withSummary (first load, after an
  // edit) also the review's flags for the per-column and per-reason counts.
  const load = useCallback(async (off = offset, filt = filter, withSummary = false) => {
    setError('');
    try {
      const [pg, rv] = await Promise.all([
        api.rows(flow.importId, { filter: filt, offset: off, limit: PAGE }),
        withSummary ? api.review(flow.importId, 0, 1000) : null,
      ]);
      setPage(pg); setOffset(off);
      if (rv) setSummary(rv);
    } catch (err) { setError(errText(err)); }
  }, [flow.importId, offset, filter]);
  useEffect(() => { load(0, filter, summary === null); }, [filter]);

  // apply sends edits as one step and records it for undo.
  const apply = async (edits, label, stack = 'undo') => {
    setBusy(true); setError('');
    try {
      await api.edit(flow.importId, edits.map(({ sheet, row, column, value }) => ({ sheet, row, column, value })));
      const inverse = edits.map((e) => ({ ...e, value: e.old, old: e.value }));
      if (stack === 'undo') { setUndo((u) => [...u, { edits: inverse, label }]); setRedo([]); }
      else if (stack === 'redo') setRedo((r) => [...r, { edits: inverse, label }]);
      else setUndo((u) => [...u, { edits: inverse, label }]);
      await load(offset, filter, true);
      announce(`${label}. Counts updated.`);
    } catch (err) { setError(errText(err)); } finally { setBusy(false); }
  };
  const doUndo = () => { const s = undo[undo.length - 1]; setUndo(undo.slice(0, -1)); apply(s.edits, 'Undid: ' + s.label, 'redo'); };
  const doRedo = () => { const s = redo[redo.length - 1]; setRedo(redo.slice(0, -1)); apply(s.edits, 'Redid: ' + s.label.replace(/^Undid: /, ''), 'redo-apply'); };

  const findReplace = async (e) => {
    e.preventDefault();
    if (!fr.find) return;
    setBusy(true); setError('');
    try {
      // The browser never holds the file: it reads the rows page by page
      // and sends the matching cells as one edit.
      const edits = [];
      for (let off = 0; ; off += 1000) {
        const pg = await api.rows(flow.importId, { offset: off, limit: 1000 });
        for (const r of pg.rows) {
          const v = r.sheet === fr.sheet ? (r.values || [])[fr.column] || '' : '';
          if (v.includes(fr.find)) edits.push({ sheet: r.sheet, row: r.row, column: Number(fr.column), value: v.split(fr.find).join(fr.replace), old: v });
        }
        if (off + 1000 >= pg.total) break;
      }
      setBusy(false);
      if (!edits.length) { setError(`No cell of that column contains “${fr.find}”.`); return; }
      await apply(edits, `Replaced “${fr.find}” with “${fr.replace}” in ${edits.length} cell${edits.length > 1 ? 's' : ''}`);
    } catch (err) { setError(errText(err)); setBusy(false); }
  };

  const leaveOut = () => {
    if (!activeRow) return;
    // Column -1 with a value leaves the row out; with "" it is put back,
    // so undo and redo of it are edits like any other.
    apply([{ sheet: activeRow.sheet, row: activeRow.row, column: -1, value: 'out', old: '' }], `Left row ${activeRow.row} of ${activeRow.sheet} out`);
  };

  if (!page) return html`<section><${Heading}>Review<//><${ErrorBox} error=${error} /><p role="status">Checking every row…</p></section>`;

  const counts = page.counts;
  const plan = plans.find((p) => p.name === sheetName) || plans[0];
  const ncols = plan ? plan.mapping.length : 0;
  const columns = [{ key: 'row', label: 'Row' }, { key: 'action', label: 'Outcome' },
    ...Array.from({ length: ncols }, (_, i) => ({ key: 'c' + i, label: headerOf(plan, i), editable: true }))];
  const planOf = (name) => plans.find((p) => p.name === name) || plan;
  const rows = page.rows.map((r, i) => {
    const p = planOf(r.sheet);
    // A link to nobody is found by the review over the whole file (A9, V6):
    // its warning joins the row's own flags.
    const flags = [...(r.flags || [])];
    for (const e of summary?.entries || []) {
      if (e.sheet !== r.sheet || e.row !== r.row) continue;
      for (const f of e.flags) if (f.rule === 'A9' && !flags.some((x) => x.column === f.column && x.reason === f.reason && x.value === f.value)) flags.push(f);
    }
    const used = new Set();
    const cells = Array.from({ length: ncols }, (_, c) => {
      const f = flags.find((x) => x.column === headerOf(p, c));
      if (f) used.add(f);
      const ch = (r.changes || []).find((x) => x.field === fieldOfTarget(p.mapping[c]));
      if (ch) used.add(ch);
      const id = `r${r.sheet}-${r.row}-${c}`.replace(/[^A-Za-z0-9-]/g, '_');
      return {
        text: (r.values || [])[c] || '',
        error: f ? { id: id + '-reason', text: f.reason, severity: f.severity } : null,
        warning: f?.severity === 'warning',
        before: ch ? String(ch.before ?? '') : undefined, after: ch ? String(ch.after ?? '') : undefined, noteId: ch ? id + '-change' : undefined,
      };
    });
    const other = [...flags.filter((f) => !used.has(f)).map((f) => f.reason), ...(r.changes || []).filter((c) => !used.has(c)).map((c) => `${c.field}: ${c.before ?? '(empty)'} → ${c.after ?? '(empty)'}`)];
    return {
      key: r.sheet + ':' + r.row, index: offset + i + 1, sheet: r.sheet, row: r.row, label: `${r.row} of ${r.sheet}`, values: r.values,
      className: 'act-' + r.action,
      cells: [{ text: plans.length > 1 ? `${r.sheet} ${r.row}` : String(r.row) },
        { text: r.action + (other.length ? ' — ' + other.join('; ') : '') }, ...cells],
    };
  });
  const onEdit = (row, c, value) => {
    const column = c - 2;
    apply([{ sheet: row.sheet, row: row.row, column, value, old: (row.values || [])[column] || '' }], `Row ${row.row}, ${columns[c].label} set to “${value}”`);
  };
  // Error counts per column and per reason (from the review's flags).
  const byCol = {}, byReason = {};
  for (const e of summary?.entries || []) for (const f of e.flags) {
    if (f.severity !== 'error') continue;
    byCol[f.column || '(row)'] = (byCol[f.column || '(row)'] || 0) + 1;
    byReason[f.reason] = (byReason[f.reason] || 0) + 1;
  }
  const total = page.total;
  return html`<section>
    <${Heading}>Review<//>
    <p>Nothing is written yet: this is what the import would do. Choose a count to filter the rows.</p>
    <div class="cards" role="group" aria-label="Outcome counts">
      <button class="card" aria-pressed=${filter === ''} onClick=${() => setFilter('')}><span class="n">${Object.values(counts).reduce((a, b) => a + b, 0)}</span> All rows</button>
      ${ACTIONS.map(([k, label]) => html`<button class=${'card act-' + k} aria-pressed=${filter === k} onClick=${() => setFilter(k)}>
        <span class="n" data-count=${k}>${counts[k]}</span> ${label}</button>`)}
      <button class="card" aria-pressed=${filter === 'flagged'} onClick=${() => setFilter('flagged')}><span class="n" data-count="flagged">${page.flagged}</span> Flagged</button>
      <button class="card" aria-pressed=${filter === 'linked'} onClick=${() => setFilter('linked')} aria-describedby="links-help">
        <span class="n" data-count="links">${summary ? summary.links : '…'}</span> Links (${page.linked} row${page.linked === 1 ? '' : 's'})</button>
    </div>
    <p id="links-help" class="help">Links are the associations the rows ask for (A9), made when the import runs${summary?.missingLinks ? html`; <strong data-count="missingLinks">${summary.missingLinks}</strong> name nobody of that role and are flagged` : ''}.</p>
    ${Object.keys(byCol).length ? html`<div class="breakdown">
      ${summary.total > summary.entries.length ? html`<p class="help">Counted over the first ${summary.entries.length} of ${summary.total} flagged rows.</p>` : null}
      <table><caption>Errors per column</caption><tbody>${Object.entries(byCol).map(([k, n]) => html`<tr><th scope="row">${k}</th><td>${n}</td></tr>`)}</tbody></table>
      <table><caption>Errors per reason</caption><tbody>${Object.entries(byReason).map(([k, n]) => html`<tr><th scope="row">${k}</th><td>${n}</td></tr>`)}</tbody></table>
    </div>` : null}
    <div class="toolbar">
      <button onClick=${doUndo} disabled=${busy || !undo.length} aria-keyshortcuts="Control+Z">Undo${undo.length ? ': ' + undo[undo.length - 1].label.replace(/^Undid: |^Redid: /, '') : ''}</button>
      <button onClick=${doRedo} disabled=${busy || !redo.length}>Redo</button>
      <button onClick=${leaveOut} disabled=${busy || !activeRow}>Leave ${activeRow ? `row ${activeRow.row}` : 'the selected row'} out</button>
    </div>
    <form class="row findreplace" onSubmit=${findReplace} aria-label="Find and replace in a column">
      ${plans.length > 1 ? html`<label for="fr-sheet">Sheet</label><select id="fr-sheet" value=${fr.sheet} onChange=${(e) => setFr({ ...fr, sheet: e.currentTarget.value })}>${plans.map((p) => html`<option>${p.name}</option>`)}</select>` : null}
      <label for="fr-col">In column</label>
      <select id="fr-col" value=${fr.column} onChange=${(e) => setFr({ ...fr, column: Number(e.currentTarget.value) })}>
        ${Array.from({ length: planOf(fr.sheet).mapping.length }, (_, i) => html`<option value=${i}>${headerOf(planOf(fr.sheet), i)}</option>`)}</select>
      <label for="fr-find">find</label><input id="fr-find" value=${fr.find} onInput=${(e) => setFr({ ...fr, find: e.currentTarget.value })} />
      <label for="fr-rep">replace with</label><input id="fr-rep" value=${fr.replace} onInput=${(e) => setFr({ ...fr, replace: e.currentTarget.value })} />
      <button type="submit" disabled=${busy}>Replace all</button>
    </form>
    ${plans.length > 1 ? html`<p><label for="grid-sheet">Columns of sheet</label> <select id="grid-sheet" value=${sheetName} onChange=${(e) => setSheetName(e.currentTarget.value)}>${plans.map((p) => html`<option>${p.name}</option>`)}</select></p>` : null}
    <${ErrorBox} error=${error} />
    <p id="grid-help" class="help">Arrow keys move between cells; Enter or F2 edits a cell, Enter saves, Escape cancels. Page Up and Page Down load the previous or next rows.</p>
    <${Grid} id="review-grid" label=${`Rows of the import${filter ? ', ' + filter : ''}`} columns=${columns} rows=${rows} rowCount=${total}
      onEdit=${onEdit} hasNext=${offset + PAGE < total} hasPrev=${offset > 0} onActiveRow=${setActiveRow}
      onPage=${(d) => load(Math.max(0, offset + d * PAGE), filter)} />
    <div class="pager" role="group" aria-label="Pages">
      <button disabled=${offset === 0} onClick=${() => load(Math.max(0, offset - PAGE))}>Previous rows</button>
      <span>Rows ${total ? offset + 1 : 0}–${Math.min(offset + PAGE, total)} of ${total}</span>
      <button disabled=${offset + PAGE >= total} onClick=${() => load(offset + PAGE)}>Next rows</button>
    </div>
    <div class="nav"><button onClick=${back}>Back to mapping</button>
      <button class="primary" disabled=${busy} onClick=${async () => {
        try { const s = await api.start(flow.importId); setFlow((f) => ({ ...f, import: s })); next(); } catch (err) { setError(errText(err)); }
      }}>Run the import (${counts.created + counts.updated} to write)</button></div>
  </section>`;
}

// ---- step: run (W6) --------------------------------------------------------

function Run({ flow, setFlow, next, announce }) {
  const [im, setIm] = useState(flow.import);
  const [error, setError] = useState('');
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      try {
        const cur = await api.getImport(flow.importId);
        if (stop) return;
        setIm(cur);
        if (cur.status !== 'RUNNING' && cur.status !== 'MAPPED') {
          // The final rows-applied line stays a moment, so a run that ends
          // between two polls is still announced in rows (W6).
          setTimeout(() => {
            if (stop) return;
            setFlow((f) => ({ ...f, import: cur }));
            announce(`Import ${cur.status.toLowerCase()}.`);
            next();
          }, 400);
          return;
        }
      } catch (err) { setError(errText(err)); }
      if (!stop) setTimeout(tick, 500);
    };
    tick();
    return () => { stop = true; };
  }, []);
  // W6: progress in rows applied of the run's rows, from the API.
  const pct = im.rows ? Math.round(100 * im.rowsApplied / im.rows) : 0;
  return html`<section>
    <${Heading}>Running the import<//>
    <p>You may close or reload this page: the import goes on, and this page finds it again.</p>
    <label for="run-progress">Progress</label>
    <progress id="run-progress" max=${im.rows || 1} value=${im.rowsApplied || 0}>${pct}%</progress>
    <p role="status" aria-live="polite" id="run-status">${im.rows ? `${im.rowsApplied} of ${im.rows} rows applied (${pct}%)` : 'Preparing the rows…'}</p>
    <${ErrorBox} error=${error} />
    <button onClick=${async () => { try { await api.cancel(flow.importId); } catch (err) { setError(errText(err)); } }}>Cancel the import</button>
  </section>`;
}

// ---- step: summary (W6) ----------------------------------------------------

function Summary({ flow, cfg, restart, go }) {
  const im = flow.import;
  const [mail, setMail] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (cfg.auth !== 'dev') return;
    api.outbox().then((sent) => setMail((sent || []).filter((m) => m.key?.includes(im.id) && /^import-/.test(m.key)).pop() || null)).catch(() => {});
  }, []);
  const dl = (fmt) => api.download(`/v1/imports/${im.id}/report.${fmt}`).catch((e) => setError(errText(e)));
  return html`<section>
    <${Heading}>Summary: import ${im.status.toLowerCase()}<//>
    ${im.error ? html`<${ErrorBox} error=${im.error} />` : null}
    <dl class="counts">${ACTIONS.map(([k, label]) => html`<div><dt>${label}</dt><dd data-summary=${k}>${im.counts[k]}</dd></div>`)}</dl>
    ${im.rows ? html`<p id="rows-applied">${im.rowsApplied} of ${im.rows} rows applied.</p>` : null}
    <p><button onClick=${() => dl('xlsx')}>Download the report (Excel)</button> <button onClick=${() => dl('csv')}>Download the report (CSV)</button>
      <button onClick=${() => go('participants')}>See the participants</button></p>
    <${ErrorBox} error=${error} />
    <h3>Completion email</h3>
    ${mail ? html`<div class="mail"><p><strong>To:</strong> ${mail.to.join(', ')}<br /><strong>Subject:</strong> ${mail.subject}</p><pre>${mail.text}</pre></div>`
      : html`<p>Sent to ${im.admin || 'the admin who started the import'} with these counts and a link to the report.</p>`}
    <button class="primary" onClick=${restart}>Start another import</button>
  </section>`;
}

// ---- around the import (W7) -------------------------------------------------

function History({ programId, open }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => { if (programId) api.imports(programId).then(setList).catch((e) => setError(errText(e))); }, [programId]);
  const dl = (p) => api.download(p).catch((e) => setError(errText(e)));
  return html`<section>
    <${Heading}>Imports of ${programId || '…'}<//>
    <p><button onClick=${() => dl(`/v1/programs/${programId}/template.xlsx`)}>Download the template</button>
      <button onClick=${() => dl(`/v1/programs/${programId}/export.xlsx`)}>Export the participants</button></p>
    <${ErrorBox} error=${error} />
    ${list && (list.length ? html`<div class="table-wrap"><table><caption>Imports, newest first</caption>
      <thead><tr><th scope="col">Started</th><th scope="col">File</th><th scope="col">Status</th><th scope="col">Counts</th><th scope="col">Actions</th></tr></thead>
      <tbody>${[...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((im) => html`<tr>
        <td>${new Date(im.createdAt).toLocaleString()}</td><td>${im.fileName}</td><td>${im.status}${im.error ? ': ' + im.error : ''}</td>
        <td>${ACTIONS.map(([k, l]) => `${l} ${im.counts[k]}`).join(', ')}</td>
        <td><button onClick=${() => open(im.id)}>Open</button>
          ${im.status === 'COMPLETED' ? html` <button onClick=${() => dl(`/v1/imports/${im.id}/report.xlsx`)}>Report</button>` : null}</td></tr>`)}</tbody></table></div>`
      : html`<p>No imports yet.</p>`)}
  </section>`;
}

function Participants({ programId }) {
  const [data, setData] = useState(null);
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState('');
  const [all, setAll] = useState(false);
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');
  // The server searches (email, username or User ID) while it pages (W7).
  const [asked, setAsked] = useState('');
  const load = (c = cursor, query = asked) => api.participants(programId, { limit: PAGE, cursor: c, q: query })
    .then((d) => { setData(d); setCursor(c); setAsked(query); }).catch((e) => setError(errText(e)));
  useEffect(() => { if (programId) load('', ''); }, [programId]);
  const list = data?.participants || [];
  const setStatus = async (p, status) => {
    setError(''); setMsg('');
    try { await api.setStatus(programId, p.email, status, all); setMsg(`${p.email} is now ${status}${all ? ' in every program' : ''}.`); load(); } catch (e) { setError(errText(e)); }
  };
  return html`<section>
    <${Heading}>Participants of ${programId || '…'}<//>
    <form class="row" role="search" onSubmit=${(e) => { e.preventDefault(); setError(''); load('', q.trim()); }}>
      <label for="p-search">Search by email, username or User ID</label><input id="p-search" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
      <button type="submit">Search</button>
      <input type="checkbox" id="p-all" checked=${all} onChange=${(e) => setAll(e.currentTarget.checked)} /><label for="p-all">Suspend or reactivate in every program</label>
    </form>
    <${ErrorBox} error=${error} />
    <p role="status">${msg}</p>
    ${data && html`<div class="table-wrap"><table><caption>${list.length} participant${list.length === 1 ? '' : 's'}${asked ? ` matching “${asked}”` : ''}${data.next ? ' on this page' : ''}</caption>
      <thead><tr><th scope="col">Email</th><th scope="col">Username</th><th scope="col">User ID</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Profile</th><th scope="col">Linked to</th><th scope="col">Actions</th></tr></thead>
      <tbody>${list.map((p) => html`<tr><td>${p.email}</td><td>${p.username}</td><td>${p.userId}</td><td>${p.role}</td><td>${p.status}</td>
        <td>${Object.entries(p.profile || {}).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('; ')}</td>
        <td>${Object.entries(p.associations || {}).map(([r, es]) => `${r}: ${es.join(', ')}`).join('; ')}</td>
        <td>${p.status === 'suspended'
          ? html`<button onClick=${() => setStatus(p, 'active')}>Reactivate ${p.email}</button>`
          : html`<button onClick=${() => setStatus(p, 'suspended')}>Suspend ${p.email}</button>`}</td></tr>`)}</tbody></table></div>`}
    ${data?.next ? html`<button onClick=${() => load(data.next)}>More participants</button>` : null}
  </section>`;
}

function Outbox() {
  const [sent, setSent] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => { api.outbox().then(setSent).catch((e) => setError(errText(e))); }, []);
  return html`<section><${Heading}>Outbox<//><p>Emails the local server would have sent.</p><${ErrorBox} error=${error} />
    ${sent && (sent.length ? html`<ul class="outbox">${[...sent].reverse().map((m) => html`<li><details><summary>${m.subject} — to ${m.to.join(', ')} (${new Date(m.sentAt).toLocaleString()})</summary><pre>${m.text}</pre></details></li>`)}</ul>` : html`<p>Nothing sent yet.</p>`)}
  </section>`;
}

// ---- the import flow --------------------------------------------------------

const emptyFlow = () => ({ settings: { role: '', separator: ',', overwrite: false, notify: false, dateOrder: 'dmy' } });

function stepOf(status) {
  return { CREATED: 'upload', PARSED: 'sheets', MAPPED: 'review', RUNNING: 'run' }[status] || 'summary';
}

function ImportFlow({ cfg, announce, go }) {
  const [flow, setFlow] = useState(emptyFlow);
  const [step, setStep] = useState(null);
  const [error, setError] = useState('');

  // A reload resumes the import in the URL where it stands (W1, W6).
  useEffect(() => {
    const id = hashParams().get('import');
    if (!id) { setStep('settings'); return; }
    (async () => {
      try {
        const im = await api.getImport(id);
        const program = await api.program(im.programId);
        const f = { ...emptyFlow(), programId: im.programId, program, importId: id, import: im, settings: { ...emptyFlow().settings, ...im.settings } };
        if (im.status !== 'CREATED' && !(im.status === 'FAILED' && !im.format)) {
          try { f.structure = await api.structure(id); } catch { /* none for a failed parse */ }
        }
        if (f.structure) {
          f.choices = defaultChoices(f.structure, program, im.settings.role);
          for (const p of im.sheets || []) {
            const c = f.choices.find((x) => x.name === p.name);
            if (c) Object.assign(c, { include: true, role: p.role, headerRow: p.headerRow });
          }
          if (im.sheets?.length) f.choices.forEach((c) => { c.include = im.sheets.some((p) => p.name === c.name); });
        }
        setFlow(f);
        setStep(im.status === 'FAILED' && !f.structure ? 'upload' : stepOf(im.status));
        if (im.status === 'FAILED' && !f.structure) setError(`${im.fileName}: ${im.error}`);
      } catch (err) { setError(errText(err)); setHash({}); setStep('settings'); }
    })();
  }, []);

  if (!step) return html`<p role="status">Loading the import…</p>`;
  const idx = STEPS.findIndex(([k]) => k === step);
  const goStep = (k) => { setStep(k); setError(''); };
  const next = () => goStep(STEPS[idx + 1][0]);
  const back = () => goStep(STEPS[idx - 1][0]);
  const restart = () => { setHash({}); setFlow((f) => ({ ...emptyFlow(), programId: f.programId, program: f.program, settings: f.settings })); goStep('settings'); };
  const reachable = (k) => {
    const i = STEPS.findIndex(([x]) => x === k);
    if (flow.import && ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'].includes(flow.import.status)) return k === step;
    if (i <= 1) return !flow.importId || i === 1 ? !!flow.program : true;
    if (i <= 4) return !!flow.structure && (i <= 2 || !!flow.choices) && (i <= 3 || !!flow.choices);
    if (i === 5) return flow.import?.status === 'MAPPED';
    return false;
  };
  const props = { flow, setFlow, next, back, cfg, announce };
  return html`<div>
    <nav aria-label="Import steps"><ol class="steps">
      ${STEPS.map(([k, label], i) => html`<li class=${i === idx ? 'current' : i < idx ? 'done' : ''}>
        ${reachable(k) && i !== idx ? html`<button class="link" onClick=${() => goStep(k)}>${i + 1}. ${label}</button>`
          : html`<span aria-current=${i === idx ? 'step' : undefined}>${i + 1}. ${label}</span>`}</li>`)}
    </ol></nav>
    <${ErrorBox} error=${error} />
    ${step === 'settings' && html`<${Settings} ...${props} />`}
    ${step === 'upload' && html`<${Upload} ...${props} />`}
    ${step === 'sheets' && html`<${Sheets} ...${props} />`}
    ${step === 'header' && html`<${HeaderRow} ...${props} />`}
    ${step === 'mapping' && html`<${Mapping} ...${props} />`}
    ${step === 'review' && html`<${Review} ...${props} />`}
    ${step === 'run' && html`<${Run} ...${props} />`}
    ${step === 'summary' && html`<${Summary} ...${props} restart=${restart} go=${go} />`}
  </div>`;
}

// ---- the app ---------------------------------------------------------------

function App({ cfg, initialError }) {
  const [signedIn, setSignedIn] = useState(!!token());
  const [view, setView] = useState('import');
  const [live, setLive] = useState('');
  const [flowKey, setFlowKey] = useState(0);
  useEffect(() => {
    const out = () => setSignedIn(false);
    addEventListener('roster-signed-out', out);
    return () => removeEventListener('roster-signed-out', out);
  }, []);
  if (!signedIn) return html`<${SignIn} cfg=${cfg} error=${initialError} />`;
  const announce = (t) => { setLive(''); setTimeout(() => setLive(t), 50); };
  const programId = localStorage.getItem('roster.program') || '';
  const open = (id) => { setHash({ import: id }); setFlowKey((k) => k + 1); setView('import'); };
  const views = [['import', 'Import'], ['history', 'Imports'], ['participants', 'Participants'], ['integrations', 'Integrations'], ...(cfg.auth === 'dev' ? [['outbox', 'Outbox']] : [])];
  return html`<div>
    <header class="top">
      <span class="brand">Roster</span>
      <nav aria-label="Main"><ul>${views.map(([k, label]) => html`<li><button class="link" aria-current=${view === k ? 'page' : undefined} onClick=${() => setView(k)}>${label}</button></li>`)}</ul></nav>
      <button class="link" onClick=${() => { const u = cfg.auth === 'cognito' ? cognitoSignOutURL(cfg) : null; signOut(); if (u) location.assign(u); }}>Sign out</button>
    </header>
    <main id="main">
      ${view === 'import' && html`<${ImportFlow} key=${flowKey} cfg=${cfg} announce=${announce} go=${setView} />`}
      ${view === 'history' && html`<${History} programId=${programId} open=${open} />`}
      ${view === 'participants' && html`<${Participants} programId=${programId} />`}
      ${view === 'integrations' && html`<${Integrations} programId=${programId} />`}
      ${view === 'outbox' && html`<${Outbox} />`}
    </main>
    <div class="visually-hidden" role="status" aria-live="polite" id="live">${live}</div>
  </div>`;
}

async function boot() {
  const root = document.getElementById('root');
  let cfg = { auth: 'dev' };
  let initialError = '';
  try { cfg = await api.config(); } catch { /* dev defaults */ }
  takeFragmentToken();
  if (cfg.auth === 'cognito') {
    try { await cognitoCallback(cfg); } catch (err) { initialError = errText(err); }
  }
  root.textContent = '';
  render(html`<${App} cfg=${cfg} initialError=${initialError} />`, root);
}

boot();
