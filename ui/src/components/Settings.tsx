// Settings form generated from /api/settings (+ strategy parameter metadata):
// typed inputs with ranges and help, client-side range checks, the server's
// 422 shown inline at its field, "restart needed" badges, and secrets shown
// only as set / not set.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api } from '../lib/api';
import { useStrategies } from '../lib/strategies';
import { buildPatch, displayValue, flattenSettings, helpText, needsRestart, parseInput, strategyMeta, type Field, type FieldMeta } from '../state/settings';

interface SettingsResponse {
  settings: Record<string, unknown>;
  restart_required_keys?: string[];
  /** Per-key type, range and help text, recorded by config.json's validation. */
  schema?: Record<string, FieldMeta>;
  /** Optional (not in API.md yet): secret name → whether it is set. */
  secrets?: Record<string, boolean>;
}

export function Settings() {
  const strategies = useStrategies();
  const [resp, setResp] = useState<SettingsResponse | null>(null);
  const [text, setText] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [pendingRestart, setPendingRestart] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api<SettingsResponse>('GET', '/api/settings').then(setResp, (e: unknown) => setMessage(`Could not load settings: ${(e as Error).message}`));
  }, []);

  const fields = useMemo(
    () => (resp ? flattenSettings(resp.settings, { ...strategyMeta(strategies), ...(resp.schema ?? {}) }) : []),
    [resp, strategies],
  );
  const restartKeys = resp?.restart_required_keys ?? [];
  const edited = Object.keys(text).filter((k) => {
    const f = fields.find((x) => x.key === k);
    return f && text[k] !== displayValue(f);
  });

  const save = async () => {
    const edits: Record<string, unknown> = {};
    const errs: Record<string, string> = {};
    for (const k of edited) {
      const f = fields.find((x) => x.key === k)!;
      const r = parseInput(f, text[k]!);
      if ('error' in r) errs[k] = r.error;
      else edits[k] = r.value;
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setSaving(true);
    setMessage('');
    try {
      const r = await api<{ settings: Record<string, unknown>; applied: string[]; restart_required: string[] }>('PUT', '/api/settings', buildPatch(edits));
      setResp((old) => ({ ...(old ?? {}), settings: r.settings }));
      setText({});
      setPendingRestart((p) => [...new Set([...p, ...r.restart_required])]);
      setMessage(`Saved. Applied: ${r.applied.join(', ') || 'nothing'}${r.restart_required.length ? `; restart needed for ${r.restart_required.join(', ')}` : ''}.`);
    } catch (e) {
      if (e instanceof ApiError && e.field) setErrors({ [e.field]: e.message });
      else setMessage(`Save failed: ${(e as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const input = (f: Field) => {
    const id = `set-${f.key}`;
    const value = text[f.key] ?? displayValue(f);
    const onInput = (v: string) => setText((t) => ({ ...t, [f.key]: v }));
    const common = { id, 'aria-invalid': errors[f.key] ? true : undefined, 'aria-describedby': `${id}-help`, 'data-testid': id };
    if (f.type === 'bool')
      return <input type="checkbox" {...common} checked={value === 'true'} onChange={(e) => onInput(String(e.currentTarget.checked))} />;
    if (f.meta.values)
      return (
        <select {...common} value={value} onChange={(e) => onInput(e.currentTarget.value)}>
          {f.meta.values.map((v) => <option key={v} value={String(v)}>{v}</option>)}
        </select>
      );
    if (f.type === 'int' || f.type === 'number')
      return <input type="number" {...common} step={f.type === 'int' ? 1 : 'any'} min={f.meta.min ?? undefined} max={f.meta.max ?? undefined}
        value={value} onInput={(e) => onInput(e.currentTarget.value)} />;
    if (f.type === 'json') return <textarea {...common} rows={2} value={value} onInput={(e) => onInput(e.currentTarget.value)} />;
    return <input type="text" {...common} value={value} onInput={(e) => onInput(e.currentTarget.value)} />;
  };

  if (!resp) return <p class="empty">{message || 'Loading settings…'}</p>;
  const groups = new Map<string, Field[]>();
  for (const f of fields) {
    const g = f.key.includes('.') ? f.key.split('.').slice(0, -1).join('.') : 'general';
    groups.set(g, [...(groups.get(g) ?? []), f]);
  }
  return (
    <section class="settings">
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <div class="row sticky">
          <h2>Settings</h2>
          <button class="button primary" disabled={saving || edited.length === 0} data-testid="settings-save">
            {saving ? 'Saving…' : `Save${edited.length ? ` (${edited.length})` : ''}`}
          </button>
          <button type="button" class="button" disabled={edited.length === 0} onClick={() => { setText({}); setErrors({}); }}>Discard</button>
          <span role="status" class="muted" data-testid="settings-message">{message}</span>
        </div>
        {errors && Object.keys(errors).some((k) => !fields.some((f) => f.key === k)) && (
          <p class="error" role="alert">{Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ')}</p>
        )}
        {[...groups].map(([g, fs]) => (
          <fieldset key={g}>
            <legend>{g}</legend>
            {fs.map((f) => (
              <div class={`field${errors[f.key] ? ' invalid' : ''}`} key={f.key}>
                <label for={`set-${f.key}`} class="mono">
                  {f.key.split('.').pop()}
                  {needsRestart(f.key, restartKeys) && (
                    <span class={`badge ${pendingRestart.includes(f.key) ? 'health-warn' : 'health-idle'}`} title="changes apply after a restart">
                      {pendingRestart.includes(f.key) ? 'restart needed' : 'restart'}
                    </span>
                  )}
                </label>
                {input(f)}
                <small id={`set-${f.key}-help`} class="muted help" data-testid={`set-${f.key}-help`}>
                  {helpText(f)}
                </small>
                {errors[f.key] && <span class="error" role="alert">{errors[f.key]}</span>}
              </div>
            ))}
          </fieldset>
        ))}
        {resp.secrets && (
          <fieldset>
            <legend>Credentials (environment only, never shown)</legend>
            {Object.entries(resp.secrets).map(([k, set]) => (
              <div class="field" key={k}>
                <span class="mono">{k}</span>
                <span class={`badge ${set ? 'health-good' : 'health-idle'}`}>{set ? 'set' : 'not set'}</span>
              </div>
            ))}
          </fieldset>
        )}
      </form>
    </section>
  );
}
