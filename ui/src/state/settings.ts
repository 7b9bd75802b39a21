// Settings form model: flattens the /api/settings object into typed fields
// (dotted keys as config.json nests them), attaches ranges and help from the
// optional `schema` the server may send and from /api/strategies parameter
// metadata, and builds the partial PUT body from edited fields. Pure (tested).
import type { Strategy } from '../lib/types';

export type FieldType = 'int' | 'number' | 'bool' | 'string' | 'list' | 'json';

export interface FieldMeta {
  type?: string;
  min?: number | null;
  max?: number | null;
  /** The server schema's help text (config.json keys). */
  help?: string;
  /** Strategy parameters' help text (/api/strategies). */
  description?: string;
  /** The only values accepted (e.g. request_code 15, 17, 21). */
  values?: number[];
  options?: string[];
}

export interface Field {
  key: string;
  type: FieldType;
  value: unknown;
  meta: FieldMeta;
}

function typeOf(value: unknown, meta: FieldMeta): FieldType {
  if (meta.type === 'int' || meta.type === 'integer') return 'int';
  if (meta.type === 'double' || meta.type === 'number' || meta.type === 'float') return 'number';
  if (meta.type === 'bool' || meta.type === 'boolean') return 'bool';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) && meta.type !== 'double' ? 'int' : 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value) && value.every((x) => typeof x === 'string' || typeof x === 'number')) return 'list';
  return 'json';
}

export function strategyMeta(strategies: Strategy[]): Record<string, FieldMeta> {
  const out: Record<string, FieldMeta> = {};
  for (const s of strategies)
    for (const p of s.params) {
      const m: FieldMeta = { type: p.type };
      if (p.min !== undefined) m.min = p.min;
      if (p.max !== undefined) m.max = p.max;
      if (p.description !== undefined) m.description = p.description;
      out[`strategies.${s.id}.${p.key}`] = m;
    }
  return out;
}

export function flattenSettings(obj: Record<string, unknown>, meta: Record<string, FieldMeta>, prefix = ''): Field[] {
  const out: Field[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !meta[key]) {
      out.push(...flattenSettings(v as Record<string, unknown>, meta, key));
      continue;
    }
    const m = meta[key] ?? {};
    out.push({ key, type: typeOf(v, m), value: v, meta: m });
  }
  return out;
}

/** Parse an input's text to the field's type; returns an error message instead when invalid. */
export function parseInput(field: Field, text: string): { value: unknown } | { error: string } {
  const { min, max } = field.meta;
  switch (field.type) {
    case 'int':
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) return { error: 'must be a number' };
      if (field.type === 'int' && !Number.isInteger(n)) return { error: 'must be a whole number' };
      if (field.meta.values && !field.meta.values.includes(n)) return { error: `must be one of ${field.meta.values.join(', ')}` };
      if (min !== null && min !== undefined && n < min) return { error: `must be ≥ ${min}` };
      if (max !== null && max !== undefined && n > max) return { error: `must be ≤ ${max}` };
      return { value: n };
    }
    case 'bool':
      return { value: text === 'true' };
    case 'string':
      return { value: text };
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter(Boolean);
      const numeric = Array.isArray(field.value) && field.value.length > 0 && typeof field.value[0] === 'number';
      return { value: numeric ? items.map(Number) : items };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: 'must be valid JSON' };
      }
  }
}

/** The text under a field: what it means, then what it accepts. */
export function helpText(field: Field): string {
  const { help, description, min, max, values } = field.meta;
  const accepts = values
    ? `one of ${values.join(', ')}`
    : min !== undefined && min !== null && max !== undefined && max !== null
      ? `${min}–${max}`
      : min !== undefined && min !== null
        ? `min ${min}`
        : max !== undefined && max !== null
          ? `max ${max}`
          : '';
  return [help ?? description ?? '', accepts].filter(Boolean).join(' · ');
}

export function displayValue(field: Field): string {
  if (field.type === 'list') return (field.value as unknown[]).join(', ');
  if (field.type === 'json') return JSON.stringify(field.value);
  return String(field.value ?? '');
}

/** Nest dotted keys back into the partial config object PUT /api/settings takes. */
export function buildPatch(edits: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(edits)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/** A restart is needed when the key or one of its parents is listed. */
export function needsRestart(key: string, restartKeys: string[]): boolean {
  return restartKeys.some((r) => key === r || key.startsWith(`${r}.`));
}
