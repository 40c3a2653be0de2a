// Sign-in (W9). Locally `roster serve` prints a link with the dev token in
// the URL fragment; the page keeps it in sessionStorage and removes it from
// the address bar. In AWS: Cognito's hosted UI, authorization code flow
// with PKCE (RFC 7636); the ID token is the bearer token.
const KEY = 'roster.token';
const VERIFIER = 'roster.pkce';

export function token() { return sessionStorage.getItem(KEY) || ''; }

export function signOut() {
  sessionStorage.removeItem(KEY);
  dispatchEvent(new Event('roster-signed-out'));
}

// takeFragmentToken moves #token=… into sessionStorage, keeping the rest of
// the fragment (the import being worked on).
export function takeFragmentToken() {
  const h = new URLSearchParams(location.hash.slice(1));
  const t = h.get('token');
  if (!t) return false;
  sessionStorage.setItem(KEY, t);
  h.delete('token');
  const rest = h.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  return true;
}

function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function pkcePair() {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { verifier, challenge };
}

const redirectURI = () => location.origin + '/';

// cognitoSignIn goes to the hosted UI; the state carries the fragment to
// come back to.
export async function cognitoSignIn(cfg) {
  const { verifier, challenge } = await pkcePair();
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER, JSON.stringify({ verifier, state, hash: location.hash }));
  const q = new URLSearchParams({
    response_type: 'code', client_id: cfg.cognitoClientId, redirect_uri: redirectURI(),
    scope: 'openid email profile', state, code_challenge_method: 'S256', code_challenge: challenge,
  });
  location.assign(`${cfg.cognitoDomain}/oauth2/authorize?${q}`);
}

// cognitoCallback exchanges ?code=… for tokens when the hosted UI sent the
// browser back; it reports whether it signed in.
export async function cognitoCallback(cfg) {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  if (!code) return false;
  const saved = JSON.parse(sessionStorage.getItem(VERIFIER) || 'null');
  sessionStorage.removeItem(VERIFIER);
  history.replaceState(null, '', location.pathname + (saved?.hash || ''));
  if (!saved || saved.state !== q.get('state')) throw new Error('sign-in failed: the answer from the sign-in page does not match this browser tab; sign in again');
  const res = await fetch(`${cfg.cognitoDomain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: cfg.cognitoClientId, code,
      redirect_uri: redirectURI(), code_verifier: saved.verifier,
    }),
  });
  if (!res.ok) throw new Error(`sign-in failed: the token exchange answered HTTP ${res.status}`);
  const t = await res.json();
  sessionStorage.setItem(KEY, t.id_token);
  return true;
}

export function cognitoSignOutURL(cfg) {
  const q = new URLSearchParams({ client_id: cfg.cognitoClientId, logout_uri: redirectURI() });
  return `${cfg.cognitoDomain}/logout?${q}`;
}
