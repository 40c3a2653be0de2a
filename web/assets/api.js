// The one client of Roster's HTTP API (DESIGN §5). Every call the page makes
// goes through here, so a change of the API is absorbed in this file.
import { token, signOut } from './auth.js';

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token() };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    if (res.status === 401) signOut();
    const msg = (data && (data.error?.message || data.error || data.message)) || res.statusText;
    throw new APIError(res.status, typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  return data;
}

const enc = encodeURIComponent;
const qs = (o) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? '?' + s : '';
};

export const api = {
  config: () => fetch('/config.json').then((r) => r.json()),
  program: (id) => call('GET', `/v1/programs/${enc(id)}`),
  createImport: (programId, fileName, settings) =>
    call('POST', `/v1/programs/${enc(programId)}/imports`, { fileName, settings }),
  pasteImport: (programId, text, settings) =>
    call('POST', `/v1/programs/${enc(programId)}/imports`, { fileName: 'pasted.csv', settings, text }),
  imports: (programId) => call('GET', `/v1/programs/${enc(programId)}/imports`).then((r) => r.imports),
  participants: (programId, q = {}) =>
    call('GET', `/v1/programs/${enc(programId)}/participants${qs(q)}`),
  setStatus: (programId, email, status, allPrograms) =>
    call('POST', `/v1/programs/${enc(programId)}/participants/status`, { email, status, allPrograms }),
  getImport: (id) => call('GET', `/v1/imports/${enc(id)}`),
  structure: (id) => call('GET', `/v1/imports/${enc(id)}/structure`),
  suggestion: (id, sheet, headerRow, role) =>
    call('GET', `/v1/imports/${enc(id)}/suggestion${qs({ sheet, headerRow, role })}`),
  putMapping: (id, sheets) => call('PUT', `/v1/imports/${enc(id)}/mapping`, { sheets }),
  review: (id, offset, limit) => call('GET', `/v1/imports/${enc(id)}/review${qs({ offset, limit })}`),
  rows: (id, q) => call('GET', `/v1/imports/${enc(id)}/rows${qs(q)}`),
  edit: (id, edits) => call('PATCH', `/v1/imports/${enc(id)}/rows`, { edits }).then((r) => r.entries),
  start: (id) => call('POST', `/v1/imports/${enc(id)}/start`),
  cancel: (id) => call('POST', `/v1/imports/${enc(id)}/cancel`),
  outbox: () => call('GET', '/v1/outbox'),
  integrations: () => call('GET', '/v1/integrations').then((r) => r.integrations || []),
  putIntegration: (it) => call('PUT', `/v1/integrations/${enc(it.id)}`, it),
  setLive: (id, live) => call('POST', `/v1/integrations/${enc(id)}/live`, { live }),
  deleteIntegration: (id) => call('DELETE', `/v1/integrations/${enc(id)}`),
  approveHeld: (id) => call('POST', `/v1/imports/${enc(id)}/held/approve`),
  rejectHeld: (id) => call('POST', `/v1/imports/${enc(id)}/held/reject`),
  download: (path) => download(path),
};

// download fetches a file with the token and hands it to the browser.
async function download(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token() } });
  if (!res.ok) {
    let msg = res.statusText;
    try { const d = await res.json(); msg = d.error?.message || d.error || msg; } catch { /* not JSON */ }
    throw new APIError(res.status, msg);
  }
  const blob = await res.blob();
  const name = /filename="?([^"]+)"?/.exec(res.headers.get('Content-Disposition') || '')?.[1] || path.split('/').pop();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// upload sends the file as the API said (Upload: PUT to the local server, or
// the presigned POST to storage, X2), reporting progress. It returns
// { promise, abort }.
export function upload(up, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(up.method, up.url);
    let body = file;
    if (up.method === 'POST') {
      body = new FormData();
      for (const [k, v] of Object.entries(up.fields || {})) body.append(k, v);
      body.append('file', file);
    } else if (new URL(up.url, location.href).origin === location.origin) {
      xhr.setRequestHeader('Authorization', 'Bearer ' + token());
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    }
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else {
        const msg = (data && (data.error?.message || data.error)) || parseS3Error(xhr.responseText) || `upload failed (HTTP ${xhr.status})`;
        reject(new APIError(xhr.status, msg));
      }
    };
    xhr.onerror = () => reject(new APIError(0, 'the upload could not reach the server; check the connection and retry'));
    xhr.onabort = () => reject(new APIError(-1, 'upload cancelled'));
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}

function parseS3Error(text) {
  const m = /<Message>([^<]*)<\/Message>/.exec(text || '');
  return m ? m[1] : '';
}
