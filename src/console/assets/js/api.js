// Admin API client for the console: adds the admin token (kept in sessionStorage, this tab only),
// turns OpenAI-shaped errors into ApiError, and signals sign-out when the token is refused.
const TOKEN_KEY = 'compact-relay.admin-token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, message, param) {
    super(message);
    this.status = status;
    this.param = param ?? null;
  }
}

export async function api(method, path, body, token = session.token) {
  let res;
  try {
    res = await fetch('/admin/api' + path, {
      method,
      headers: { authorization: `Bearer ${token ?? ''}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The relay could not be reached. Is it running?');
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && token === session.token) window.dispatchEvent(new CustomEvent('console:signed-out'));
    throw new ApiError(res.status, data?.error?.message ?? `The relay answered ${res.status}.`, data?.error?.param);
  }
  return data;
}

/** A query string from an object, skipping empty values. */
export function qs(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? '?' + text : '';
}
