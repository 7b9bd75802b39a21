// REST client for docs/API.md: JSON in/out, CSRF header on mutations, and a
// typed ApiError carrying the server's {code, message, field}.
import type { ApiErrorBody } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Token mode: the fno_csrf cookie; loopback mode: any non-empty value. */
export function csrfToken(cookie: string): string {
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === 'fno_csrf' && v) return decodeURIComponent(v);
  }
  return '1';
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken(document.cookie);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  const res = await fetch(path, init);
  if (res.status === 401) {
    location.assign('/login');
    throw new ApiError(401, 'unauthorized', 'login required');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_response', `HTTP ${res.status}: not JSON`);
  }
  if (!res.ok) {
    const e = (json as ApiErrorBody | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'http', e?.message ?? `HTTP ${res.status}`, e?.field);
  }
  return json as T;
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
