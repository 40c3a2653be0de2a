// Test-mode results and held suspensions (W7, I5, I7): each file pushed for
// one of a program's integrations is an import; this lists them with what
// became of each in words, their counts (would-be ones in test mode) and the
// report, and lets an admin approve or reject the suspensions a file held.
import { useState, useEffect, useRef } from 'preact/hooks';
import { api } from './api.js';
import { html, ErrorBox, errText } from './ui.js';

const people = (n) => `${n} ${n === 1 ? 'person' : 'people'}`;
// The file a row's buttons act on is in their names, not on the screen:
// the row shows it once (W8).
const hidden = (t) => html`<span class="visually-hidden">${t}</span>`;
const of = (im, sep = ' of ') => hidden(sep + im.fileName);

// statusWords says in words what became of a pushed file.
export function statusWords(s) {
  switch (s.status) {
    case 'tested': return `Tested in test mode: nothing applied. ${people(s.counts.suspended)} would be suspended.`;
    case 'held': return `Held: applied except ${people(s.counts.held)} to suspend, who wait for an admin to approve or reject.`;
    case 'completed': return s.counts.suspended ? `Applied, ${people(s.counts.suspended)} suspended.` : 'Applied.';
    case 'refused': return 'Refused: a mapped header is missing; nothing applied.';
    default: return 'Being applied…';
  }
}

const COUNTS = [['created', 'Created'], ['updated', 'Updated'], ['unchanged', 'Unchanged'], ['rejected', 'Rejected'], ['suspended', 'Suspended'], ['held', 'Held']];

export function SyncRuns({ programId }) {
  const [runs, setRuns] = useState(null);
  const [confirm, setConfirm] = useState(null); // { id, approve }
  const [error, setError] = useState('');
  const [msg, setMsg] = useState('');
  const heading = useRef(null);
  const load = () => api.imports(programId).then((all) => setRuns(all.filter((im) => im.sync))).catch((e) => setError(errText(e)));
  useEffect(() => { if (programId) load(); }, [programId]);
  const settle = async (im, approve) => {
    setConfirm(null); setError(''); setMsg('');
    heading.current?.focus();
    try {
      const res = approve ? await api.approveHeld(im.id) : await api.rejectHeld(im.id);
      setMsg(approve
        ? `Approved: ${people(res.counts.suspended)} of ${im.fileName} suspended.`
        : `Rejected: nobody of ${im.fileName} suspended; the held suspensions are dropped.`);
      await load();
    } catch (e) { setError(errText(e)); }
  };
  const dl = (im) => api.download(`/v1/imports/${encodeURIComponent(im.id)}/report.csv`).catch((e) => setError(errText(e)));
  const actions = (im) => {
    if (im.sync.status !== 'held') return null;
    if (confirm?.id === im.id) {
      return confirm.approve
        ? html`<button class="danger" onClick=${() => settle(im, true)}>Confirm: suspend ${people(im.sync.counts.held)}${of(im)}</button>
            ${' '}<button onClick=${() => setConfirm(null)}>Keep them held${of(im, ': ')}</button>`
        : html`<button class="danger" onClick=${() => settle(im, false)}>Confirm: suspend nobody${of(im)}</button>
            ${' '}<button onClick=${() => setConfirm(null)}>Keep them held${of(im, ': ')}</button>`;
    }
    return html`<button onClick=${() => setConfirm({ id: im.id, approve: true })}>Approve${hidden(' the held suspensions: ' + im.fileName)}</button>
      ${' '}<button onClick=${() => setConfirm({ id: im.id, approve: false })}>Reject${hidden(' the held suspensions: ' + im.fileName)}</button>`;
  };
  return html`<section aria-labelledby="sync-runs-h">
    <h3 id="sync-runs-h" tabindex="-1" ref=${heading}>Test-mode results and held suspensions</h3>
    <p>Each file an integration received, newest first. In test mode the counts are what the file would do; a file
      that would suspend too many people is applied except the suspensions, held here until an admin approves or rejects them (I5, I7).</p>
    <${ErrorBox} error=${error} />
    <p id="sync-status" role="status" aria-live="polite">${msg}</p>
    <p><button onClick=${() => { setMsg(''); load().then(() => setMsg('Results refreshed.')); }}>Refresh the results</button></p>
    ${runs && (runs.length ? html`<div class="table-wrap"><table class="sync-runs"><caption>Files received by the integrations of ${programId}</caption>
      <thead><tr><th scope="col">File, integration, received</th><th scope="col">Result</th>
        ${COUNTS.map(([, label]) => html`<th scope="col">${label}</th>`)}<th scope="col">Report</th></tr></thead>
      <tbody>${runs.map((im) => html`<tr data-run=${im.fileName}>
        <th scope="row">${im.fileName}<br /><span class="help">${im.sync.integration},${' '}
          <time datetime=${im.createdAt}>${new Date(im.createdAt).toLocaleString()}</time></span></th>
        <td><span data-sync-status=${im.sync.status || 'running'}>${statusWords(im.sync)}</span>${actions(im) ? html`<div class="settle">${actions(im)}</div>` : null}</td>
        ${COUNTS.map(([k]) => html`<td data-sync-count=${k}>${im.sync.counts[k] ?? 0}</td>`)}
        <td>${im.sync.status && im.sync.status !== 'refused'
          ? html`<button onClick=${() => dl(im)}>Download${hidden(' the report of ' + im.fileName)} (CSV)</button>` : '—'}</td>
</tr>`)}</tbody></table></div>`
      : html`<p>No files received yet. Files arrive by S3, SFTP or, locally, the data directory's inbox (see the README, “Connect your HR system”).</p>`)}
  </section>`;
}
