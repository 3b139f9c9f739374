import { useEffect, useState } from 'react';
import type { CheckKindInfo, WizardCheck } from '../../../src-main/api/contract';
import { invoke } from '../../api/client';
import { useSession } from '../../stores/session';
import type { Answers, Errors } from './answers';
import { checkFieldErrors, checkFromEditor, suggestedChecks } from './answers';
import { Field } from './Field';

export interface StepProps {
  a: Answers;
  e: Errors;
  set(patch: Partial<Answers>): void;
}

export function TemplateStep({ a, choose }: { a: Answers; choose(t: Answers['template']): void }) {
  const options = [
    { id: 'web' as const, title: 'Web service', text: 'Like the sample: busybox httpd serving /srv/www on port 80, a data disk, HTTP checks.' },
    { id: 'empty' as const, title: 'Empty busybox appliance', text: 'Only the base system and an overlay folder to fill; no services yet.' },
    { id: 'debian' as const, title: 'Debian packages', text: 'nginx (or any Debian package) on a read-only Debian base, a data disk for state, HTTP checks.' },
  ];
  return (
    <fieldset className="wz-templates">
      <legend>Start from</legend>
      {options.map((o) => (
        <label key={o.id} className={a.template === o.id ? 'wz-template selected' : 'wz-template'}>
          <input type="radio" name="template" checked={a.template === o.id} onChange={() => choose(o.id)} />
          <span className="wz-template-title">{o.title}</span>
          <span className="wz-template-text">{o.text}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function NameStep({ a, e, set, onPick }: StepProps & { onPick(): void }) {
  return (
    <>
      <Field label="Name" value={a.name} onChange={(name) => set({ name })} error={e.name} hint="Lower-case letters, digits and dashes; one build history per name." mono />
      <Field label="Version" value={a.version} onChange={(version) => set({ version })} error={e.version} hint="Semantic version, like 1.0.0." mono width="narrow" />
      <Field label="Description" value={a.description} onChange={(description) => set({ description })} />
      <Field label="Folder" value={a.dir} onChange={(dir) => set({ dir })} error={e.dir} hint="Created if missing; an existing appliance.yaml is never overwritten." mono width="wide">
        <button type="button" className="button" onClick={onPick}>
          Choose…
        </button>
      </Field>
    </>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <button type="button" className="button tiny" aria-label={label} title={label} onClick={onClick}>
      ✕
    </button>
  );
}

export function ServicesStep({ a, e, set }: StepProps) {
  const setService = (i: number, patch: Partial<Answers['services'][number]>) => set({ services: a.services.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const setForward = (i: number, patch: Partial<Answers['forwards'][number]>) => set({ forwards: a.forwards.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  return (
    <>
      <fieldset className="wz-group">
        <legend>Services</legend>
        <p className="wz-hint">Started in order by the appliance's init and restarted when they exit.</p>
        {a.services.map((s, i) => (
          <div className="wz-row" key={i}>
            <Field label={`Service ${i + 1} name`} value={s.name} onChange={(name) => setService(i, { name })} error={e[`services.${i}.name`]} mono width="narrow" />
            <Field label={`Service ${i + 1} command`} value={s.run} onChange={(run) => setService(i, { run })} error={e[`services.${i}.run`]} mono width="wide" />
            <RemoveButton label={`Remove service ${i + 1}`} onClick={() => set({ services: a.services.filter((_, j) => j !== i) })} />
          </div>
        ))}
        <button type="button" className="button small" onClick={() => set({ services: [...a.services, { name: `svc${a.services.length + 1}`, run: '' }] })}>
          Add service
        </button>
      </fieldset>
      <fieldset className="wz-group">
        <legend>Forwarded ports</legend>
        <p className="wz-hint">Guest TCP ports reachable from this computer during tests and boots. Leave the host port empty to pick a free one.</p>
        {a.forwards.map((f, i) => (
          <div className="wz-row" key={i}>
            <Field label={`Guest port ${i + 1}`} value={f.guest} onChange={(guest) => setForward(i, { guest })} error={e[`forwards.${i}.guest`]} mono width="narrow" />
            <Field label={`Host port ${i + 1}`} value={f.host} onChange={(host) => setForward(i, { host })} error={e[`forwards.${i}.host`]} placeholder="any free" mono width="narrow" />
            <RemoveButton label={`Remove port ${i + 1}`} onClick={() => set({ forwards: a.forwards.filter((_, j) => j !== i) })} />
          </div>
        ))}
        <button type="button" className="button small" onClick={() => set({ forwards: [...a.forwards, { guest: '', host: '' }] })}>
          Add port
        </button>
      </fieldset>
    </>
  );
}

export function DisksStep({ a, e, set }: StepProps) {
  const setFlavour = (i: number, patch: Partial<Answers['flavours'][number]>) => set({ flavours: a.flavours.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  return (
    <>
      <div className="wz-row">
        <Field label="OS disk size" value={a.osSize} onChange={(osSize) => set({ osSize })} error={e.osSize} hint="Kernel, base and your files." mono width="narrow" />
        <Field label="Memory" value={a.memory} onChange={(memory) => set({ memory })} error={e.memory} mono width="narrow" />
      </div>
      <label className="wz-check">
        <input type="checkbox" checked={a.dataDisk} onChange={(ev) => set({ dataDisk: ev.target.checked })} />
        Data disk mounted at /data (kept across upgrades)
      </label>
      {a.dataDisk ? <Field label="Data disk size" value={a.dataSize} onChange={(dataSize) => set({ dataSize })} error={e.dataSize} mono width="narrow" /> : null}
      <fieldset className="wz-group">
        <legend>Flavours</legend>
        <p className="wz-hint">The same OS disk with other data disk sizes, e.g. small and large customers.</p>
        {e.flavours ? <p className="wz-error" role="alert">{e.flavours}</p> : null}
        {a.flavours.map((f, i) => (
          <div className="wz-row" key={i}>
            <Field label={`Flavour ${i + 1} name`} value={f.name} onChange={(name) => setFlavour(i, { name })} error={e[`flavours.${i}.name`]} mono width="narrow" />
            <Field label={`Flavour ${i + 1} data size`} value={f.data} onChange={(data) => setFlavour(i, { data })} error={e[`flavours.${i}.data`]} mono width="narrow" />
            <RemoveButton label={`Remove flavour ${i + 1}`} onClick={() => set({ flavours: a.flavours.filter((_, j) => j !== i) })} />
          </div>
        ))}
        <button type="button" className="button small" onClick={() => set({ flavours: [...a.flavours, { name: a.flavours.length ? `flavour${a.flavours.length + 1}` : 'large', data: '1G' }] })}>
          Add flavour
        </button>
      </fieldset>
    </>
  );
}

export function OutputsStep({ a, e, set }: StepProps) {
  // The engine's format table (app.info), so the list here is the one the build knows.
  const formats = useSession((s) => s.info?.formats ?? []);
  const toggle = (name: string, on: boolean) => {
    const next = new Set(a.outputs);
    if (on) next.add(name);
    else next.delete(name);
    set({ outputs: formats.map((f) => f.name).filter((n) => next.has(n)) });
  };
  return (
    <fieldset className="wz-group">
      <legend>Image formats</legend>
      {e.outputs ? <p className="wz-error" role="alert">{e.outputs}</p> : null}
      {formats.map((f) => (
        <label key={f.name} className="wz-check">
          <input type="checkbox" checked={a.outputs.includes(f.name)} onChange={(ev) => toggle(f.name, ev.target.checked)} />
          <span className="mono">{f.name}</span> <span className="muted">— {f.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function ChecksStep({ a, set }: StepProps) {
  const checks = suggestedChecks(a);
  return (
    <fieldset className="wz-group">
      <legend>Checks run against every test boot</legend>
      {checks.map((c) => (
        <label key={c.key} className="wz-check">
          <input
            type="checkbox"
            checked={!a.skipped.includes(c.key)}
            onChange={(ev) => set({ skipped: ev.target.checked ? a.skipped.filter((k) => k !== c.key) : [...a.skipped, c.key] })}
          />
          {c.label}
        </label>
      ))}
      {a.checks.map((c, i) => (
        <div className="wz-added" key={i}>
          <span className="mono">
            {c.kind}: {Object.entries(c.fields).map(([k, v]) => `${k} ${String(v)}`).join(', ')}
          </span>
          <RemoveButton label={`Remove check ${c.kind} ${i + 1}`} onClick={() => set({ checks: a.checks.filter((_, j) => j !== i) })} />
        </div>
      ))}
      <CheckEditor onAdd={(c) => set({ checks: [...a.checks, c] })} />
    </fieldset>
  );
}

/** Adds a check of any kind the engine knows: the kinds and their fields come from checks.kinds, not from this file. */
function CheckEditor({ onAdd }: { onAdd(c: WizardCheck): void }) {
  const [kinds, setKinds] = useState<CheckKindInfo[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [kind, setKind] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [tried, setTried] = useState(false);
  useEffect(() => {
    void invoke('checks.kinds', {}).then((r) => (r.ok ? setKinds(r.value.kinds) : setFailure(r.error.message)));
  }, []);
  if (failure) return <p className="wz-error" role="alert">Cannot list check kinds: {failure}</p>;
  if (!kinds) return <p className="wz-hint">Loading check kinds…</p>;
  const info = kinds.find((k) => k.kind === kind);
  const errors = info ? checkFieldErrors(info, values) : {};
  const add = () => {
    setTried(true);
    if (!info || Object.keys(errors).length) return;
    onAdd(checkFromEditor(info, values));
    setValues({});
    setTried(false);
  };
  return (
    <div className="wz-editor" role="group" aria-label="Add a check">
      <label className="wz-field">
        <span>Add a check</span>
        <select
          value={kind}
          onChange={(ev) => {
            setKind(ev.target.value);
            setValues({});
            setTried(false);
          }}
        >
          <option value="">Choose a kind…</option>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.kind} — {k.label}
            </option>
          ))}
        </select>
      </label>
      {info ? (
        <>
          <div className="wz-row">
            {info.fields.map((f) => (
              <Field
                key={f.name}
                label={f.required ? f.label : `${f.label} (optional)`}
                value={values[f.name] ?? ''}
                onChange={(v) => setValues({ ...values, [f.name]: v })}
                error={tried ? errors[f.name] : undefined}
                placeholder={f.example}
                mono
              />
            ))}
          </div>
          <button type="button" className="button small" onClick={add}>
            Add check
          </button>
        </>
      ) : null}
    </div>
  );
}
