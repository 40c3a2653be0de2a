// Integrations (W7, I1, I7): a program's saved syncs — list, create or edit
// one with its mapping by header name, test mode or live, delete, and the
// files they received (syncruns.js). The
// server validates the integration file (DESIGN §5) and its message is shown
// as it is.
import { useState, useEffect } from 'preact/hooks';
import { api } from './api.js';
import { html, Heading, ErrorBox, errText, targetLabel, targetsFor } from './ui.js';
import { SyncRuns } from './syncruns.js';

const blank = (program) => ({
  id: '', program: program.id, role: program.roles[0], fileName: 'people_*.csv', identifier: 'email',
  mapping: [{ header: 'Email', target: 'email' }], separator: ',', dateOrder: 'dmy', overwrite: true, notify: false,
  contacts: '', mode: 'full', deactivateMissing: false, maxShare: 20, maxCount: 10, statusValues: '',
  scheduled: false, every: 'daily', day: 'monday', at: '06:00', timezone: 'UTC', graceHours: 6, disabled: false, live: false,
});

// formOf turns an integration as the API gives it into the form's fields.
function formOf(it) {
  const s = it.schedule;
  return {
    id: it.id, program: it.program, role: it.role, fileName: it.fileName, identifier: it.identifier,
    mapping: Object.entries(it.mapping || {}).map(([header, target]) => ({ header, target })),
    separator: it.separator, dateOrder: it.dateOrder, overwrite: it.overwrite, notify: it.notify,
    contacts: (it.contacts || []).join(', '), mode: it.mode, deactivateMissing: it.deactivateMissing,
    maxShare: Math.round((it.valve?.maxShare ?? 0.2) * 1000) / 10, maxCount: it.valve?.maxCount ?? 10,
    statusValues: Object.entries(it.statusValues || {}).map(([k, v]) => `${k} = ${v}`).join('\n'),
    scheduled: !!s, every: s?.every || 'daily', day: s?.day || 'monday', at: s?.at || '06:00',
    timezone: s?.timezone || 'UTC', graceHours: s?.graceHours ?? 6, disabled: !!it.disabled, live: !!it.live,
  };
}

// fileOf turns the form into the integration file the API reads. Live is
// kept as it was: going live is its own action (I7).
function fileOf(f) {
  const statusValues = {};
  for (const line of f.statusValues.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) statusValues[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const mapping = {};
  for (const m of f.mapping) if (m.header.trim()) mapping[m.header.trim()] = m.target;
  return {
    id: f.id.trim(), program: f.program, role: f.role, fileName: f.fileName.trim(), identifier: f.identifier, mapping,
    separator: f.separator, dateOrder: f.dateOrder, overwrite: f.overwrite, notify: f.notify,
    contacts: f.contacts.split(/[,\s]+/).filter(Boolean), mode: f.mode, deactivateMissing: f.deactivateMissing,
    valve: { maxShare: Number(f.maxShare) / 100, maxCount: Number(f.maxCount) },
    ...(Object.keys(statusValues).length ? { statusValues } : {}),
    ...(f.scheduled ? { schedule: { every: f.every, ...(f.every === 'weekly' ? { day: f.day } : {}), at: f.at, timezone: f.timezone, graceHours: Number(f.graceHours) } } : {}),
    live: f.live, disabled: f.disabled,
  };
}

function Field({ id, label, help, children }) {
  return html`<div class="field"><label for=${id}>${label}</label>${children}${help ? html`<p id=${id + '-help'} class="help">${help}</p>` : null}</div>`;
}

function Editor({ program, initial, isNew, done, cancel }) {
  const [f, setF] = useState(initial);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k, v) => setF((x) => ({ ...x, [k]: v }));
  const setMap = (i, k, v) => setF((x) => ({ ...x, mapping: x.mapping.map((m, j) => (j === i ? { ...m, [k]: v } : m)) }));
  const used = new Set(f.mapping.map((m) => m.target).filter((t) => t !== 'ignore'));
  const save = async (e) => {
    e.preventDefault();
    setError(''); setBusy(true);
    try { const it = await api.putIntegration(fileOf(f)); done(it, isNew ? 'created' : 'saved'); } catch (err) { setError(errText(err)); } finally { setBusy(false); }
  };
  const input = (k, props = {}) => html`<input id=${'in-' + k} value=${f[k]} onInput=${(e) => set(k, e.currentTarget.value)} aria-describedby=${props.help ? 'in-' + k + '-help' : undefined} ...${props.attrs || {}} />`;
  const check = (k, label, help) => html`<div class="field check">
    <input type="checkbox" id=${'in-' + k} checked=${f[k]} onChange=${(e) => set(k, e.currentTarget.checked)} aria-describedby=${help ? 'in-' + k + '-help' : undefined} />
    <label for=${'in-' + k}>${label}</label>${help ? html`<p id=${'in-' + k + '-help'} class="help">${help}</p>` : null}</div>`;
  return html`<section>
    <${Heading}>${isNew ? 'New integration' : `Edit integration ${f.id}`}<//>
    <form onSubmit=${save} class="integration">
      <${Field} id="in-id" label="Integration ID" help="Letters, digits, - or _. The files arrive under the prefix of this ID.">
        ${input('id', { help: 1, attrs: { required: true, readOnly: !isNew } })}<//>
      <${Field} id="in-role" label="Role of its participants">
        <select id="in-role" value=${f.role} onChange=${(e) => set('role', e.currentTarget.value)}>${program.roles.map((r) => html`<option value=${r}>${r}</option>`)}</select><//>
      <${Field} id="in-fileName" label="File names accepted" help="A pattern such as people_*.csv; other names are ignored (I2).">${input('fileName', { help: 1, attrs: { required: true } })}<//>
      <${Field} id="in-identifier" label="People are identified by">
        <select id="in-identifier" value=${f.identifier} onChange=${(e) => set('identifier', e.currentTarget.value)}>
          <option value="email">Email</option><option value="userId">User ID</option></select><//>
      <fieldset><legend>Mapping by header name (I3)</legend>
        <p class="help">Each header of the file goes to one target; a file missing a mapped header is refused with nothing applied.</p>
        <table class="mapping"><caption class="visually-hidden">Header name to target</caption>
          <thead><tr><th scope="col">Header name</th><th scope="col">Target</th><th scope="col">Remove</th></tr></thead>
          <tbody>${f.mapping.map((m, i) => html`<tr>
            <td><label for=${'im-h-' + i} class="visually-hidden">Header name ${i + 1}</label>
              <input id=${'im-h-' + i} value=${m.header} onInput=${(e) => setMap(i, 'header', e.currentTarget.value)} /></td>
            <td><label for=${'im-t-' + i} class="visually-hidden">Target of header ${i + 1}</label>
              <select id=${'im-t-' + i} value=${m.target} onChange=${(e) => setMap(i, 'target', e.currentTarget.value)}>
                ${targetsFor(program, f.role).map((t) => html`<option value=${t} disabled=${t !== 'ignore' && t !== m.target && used.has(t)}>${targetLabel(t, program)}</option>`)}</select></td>
            <td><button type="button" onClick=${() => setF((x) => ({ ...x, mapping: x.mapping.filter((_, j) => j !== i) }))}>Remove header ${m.header || i + 1}</button></td>
          </tr>`)}</tbody></table>
        <button type="button" onClick=${() => setF((x) => ({ ...x, mapping: [...x.mapping, { header: '', target: 'ignore' }] }))}>Add a header</button>
      </fieldset>
      <${Field} id="in-contacts" label="Contacts" help="Emails, separated by commas, told what each file did.">${input('contacts', { help: 1 })}<//>
      <${Field} id="in-mode" label="Each file lists">
        <select id="in-mode" value=${f.mode} onChange=${(e) => set('mode', e.currentTarget.value)}>
          <option value="full">everyone (full)</option><option value="delta">changes only (delta)</option></select><//>
      ${check('deactivateMissing', 'Suspend people missing from a full file', 'Off-boarding (I4); the safety valve below holds the suspensions of a file that would suspend too many.')}
      <fieldset><legend>Safety valve (I5)</legend>
        <${Field} id="in-maxShare" label="Hold suspensions over this share of the role (%)">${input('maxShare', { attrs: { type: 'number', min: 0, max: 100, step: 'any' } })}<//>
        <${Field} id="in-maxCount" label="and over this many people">${input('maxCount', { attrs: { type: 'number', min: 0 } })}<//>
      </fieldset>
      <${Field} id="in-statusValues" label="Status values" help="One per line, file value = active or suspended (I4), e.g. Terminated = suspended.">
        <textarea id="in-statusValues" rows="3" value=${f.statusValues} onInput=${(e) => set('statusValues', e.currentTarget.value)} aria-describedby="in-statusValues-help"></textarea><//>
      <${Field} id="in-separator" label="Separator of multi-choice answers">${input('separator', { attrs: { size: 3, maxlength: 3 } })}<//>
      <${Field} id="in-dateOrder" label="Dates like 03/04/2024 are">
        <select id="in-dateOrder" value=${f.dateOrder} onChange=${(e) => set('dateOrder', e.currentTarget.value)}>
          <option value="dmy">day/month/year</option><option value="mdy">month/day/year</option><option value="ymd">year/month/day</option></select><//>
      ${check('overwrite', 'Overwrite existing answers')}
      ${check('notify', 'Send invitations to people it creates')}
      ${check('scheduled', 'Expect files on a schedule', 'The watchdog tells the contacts once per missed window (I6).')}
      ${f.scheduled ? html`<fieldset><legend>Schedule</legend>
        <${Field} id="in-every" label="Every"><select id="in-every" value=${f.every} onChange=${(e) => set('every', e.currentTarget.value)}><option value="daily">day</option><option value="weekly">week</option></select><//>
        ${f.every === 'weekly' ? html`<${Field} id="in-day" label="On"><select id="in-day" value=${f.day} onChange=${(e) => set('day', e.currentTarget.value)}>
          ${['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => html`<option value=${d}>${d}</option>`)}</select><//>` : null}
        <${Field} id="in-at" label="At (HH:MM)">${input('at')}<//>
        <${Field} id="in-timezone" label="Time zone (IANA)">${input('timezone')}<//>
        <${Field} id="in-graceHours" label="Grace (hours)">${input('graceHours', { attrs: { type: 'number', min: 0 } })}<//>
      </fieldset>` : null}
      ${check('disabled', 'Disabled: ignore every file')}
      <${ErrorBox} error=${error} />
      <div class="nav"><button type="button" onClick=${cancel}>Cancel</button>
        <button class="primary" type="submit" disabled=${busy}>${isNew ? 'Create the integration' : 'Save the integration'}</button></div>
    </form>
  </section>`;
}

export function Integrations({ programId }) {
  const [program, setProgram] = useState(null);
  const [list, setList] = useState(null);
  const [editing, setEditing] = useState(null); // { initial, isNew }
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');
  const load = () => api.integrations().then((all) => setList(all.filter((it) => it.program === programId))).catch((e) => setError(errText(e)));
  useEffect(() => {
    if (!programId) return;
    api.program(programId).then(setProgram).catch((e) => setError(errText(e)));
    load();
  }, [programId]);
  const act = async (fn, done) => {
    setError(''); setMsg('');
    try { await fn(); setMsg(done); await load(); } catch (e) { setError(errText(e)); }
  };
  if (editing) {
    return html`<${Editor} program=${program} ...${editing} cancel=${() => setEditing(null)}
      done=${(it, how) => { setEditing(null); setMsg(`Integration ${it.id} ${how}.`); load(); }} />`;
  }
  return html`<section>
    <${Heading}>Integrations of ${programId || '…'}<//>
    <p>An integration takes the files an HR system drops by S3 or SFTP and applies them with no admin step, after a test phase (I1, I7).</p>
    <${ErrorBox} error=${error} />
    <p role="status">${msg}</p>
    ${program ? html`<p><button class="primary" onClick=${() => setEditing({ initial: blank(program), isNew: true })}>New integration</button></p>` : null}
    ${list && (list.length ? html`<div class="table-wrap"><table><caption>Integrations of ${programId}</caption>
      <thead><tr><th scope="col">ID</th><th scope="col">Role</th><th scope="col">Files</th><th scope="col">Mode</th><th scope="col">State</th><th scope="col">Schedule</th><th scope="col">Actions</th></tr></thead>
      <tbody>${list.map((it) => html`<tr>
        <td>${it.id}</td><td>${it.role}</td><td><code>${it.fileName}</code></td>
        <td>${it.mode}${it.deactivateMissing ? ', suspends the missing' : ''}</td>
        <td data-state=${it.id}>${it.disabled ? 'disabled' : it.live ? 'live' : 'test mode'}</td>
        <td>${it.schedule ? `${it.schedule.every} at ${it.schedule.at} ${it.schedule.timezone}` : 'none'}</td>
        <td><button onClick=${() => setEditing({ initial: formOf(it), isNew: false })}>Edit ${it.id}</button>
          ${' '}<button onClick=${() => act(() => api.setLive(it.id, !it.live), it.live ? `${it.id} is back in test mode: its files are tried, nothing applied.` : `${it.id} is live: its files are applied.`)}>${it.live ? `Back to test mode: ${it.id}` : `Go live: ${it.id}`}</button>
          ${' '}${confirm === it.id
            ? html`<button class="danger" onClick=${() => { setConfirm(''); act(() => api.deleteIntegration(it.id), `Integration ${it.id} deleted.`); }}>Confirm: delete ${it.id}</button>
                   <button onClick=${() => setConfirm('')}>Keep ${it.id}</button>`
            : html`<button onClick=${() => setConfirm(it.id)}>Delete ${it.id}</button>`}</td></tr>`)}</tbody></table></div>`
      : html`<p>No integrations for this program yet.</p>`)}
    <${SyncRuns} programId=${programId} />
  </section>`;
}
