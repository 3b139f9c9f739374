import { useEffect, useRef, useState } from 'react';
import { invoke } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAppliance } from '../../stores/appliance';
import { useNavigation } from '../../stores/navigation';
import { useSession } from '../../stores/session';
import { templateAnswers, toRequest, validate, type Answers } from './answers';
import { ChecksStep, DisksStep, NameStep, OutputsStep, ServicesStep, TemplateStep } from './WizardSteps';
import { DebianStep } from './DebianStep';
import './wizard.css';

const ALL_STEPS = [
  { id: 'template', title: 'Template', fields: [] as string[] },
  { id: 'name', title: 'Name and version', fields: ['name', 'version', 'dir'] },
  { id: 'debian', title: 'Debian base', fields: ['packages', 'state'] },
  { id: 'services', title: 'Services and ports', fields: ['services.', 'forwards.'] },
  { id: 'disks', title: 'Disks and flavours', fields: ['osSize', 'dataSize', 'memory', 'flavours'] },
  { id: 'outputs', title: 'Outputs', fields: ['outputs'] },
  { id: 'checks', title: 'Checks', fields: [] },
] as const;

/** The Debian step only for a Debian base. */
const stepsFor = (t: Answers['template']) => ALL_STEPS.filter((s) => s.id !== 'debian' || t === 'debian');

function defaultFolder(home: string, name: string): string {
  return home ? `${home.replace(/[\\/]+$/, '')}/appliances/${name}` : '';
}

/** The "New appliance" wizard: six (seven for a Debian base) short steps that end in a valid, commented appliance.yaml. */
export function NewApplianceDialog({ onClose }: { onClose(): void }) {
  const home = useSession((s) => s.info?.home ?? '');
  const [a, setA] = useState<Answers>(() => templateAnswers('web', defaultFolder(home, 'my-web')));
  const [dirTouched, setDirTouched] = useState(false);
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), [step]);

  const set = (patch: Partial<Answers>) => {
    if ('dir' in patch) setDirTouched(true);
    setA((prev) => {
      const next = { ...prev, ...patch };
      // The folder follows the name until the person types a folder of their own.
      if (!dirTouched && !('dir' in patch) && 'name' in patch) next.dir = defaultFolder(home, next.name);
      return next;
    });
  };
  const choose = (template: Answers['template']) => {
    const fresh = templateAnswers(template, '');
    setA({ ...fresh, dir: dirTouched ? a.dir : defaultFolder(home, fresh.name) });
  };
  const pick = async () => {
    const r = await invoke('appliance.pickFolder', {});
    if (r.ok && r.value.dir) set({ dir: r.value.dir });
  };

  const STEPS = stepsFor(a.template);
  const errors = validate(a);
  const stepErrors = (i: number) => Object.keys(errors).filter((k) => STEPS[i].fields.some((f) => (f.endsWith('.') ? k.startsWith(f) : k === f)));
  const blocked = stepErrors(step).length > 0;
  const last = step === STEPS.length - 1;
  const firstBad = STEPS.findIndex((_, i) => stepErrors(i).length > 0);

  const create = async () => {
    if (firstBad !== -1) return setStep(firstBad);
    setBusy(true);
    setFailure(null);
    const r = await invoke('appliance.create', toRequest(a));
    setBusy(false);
    if (!r.ok) return setFailure(r.error.message);
    useAppliance.setState({ summary: r.value, error: null });
    void useAppliance.getState().loadRecent();
    useNavigation.getState().showApplianceTab('overview');
    onClose();
  };

  const props = { a, e: errors, set };
  return (
    <div className="wz-backdrop" onKeyDown={(ev) => ev.key === 'Escape' && !busy && onClose()}>
      <div className="wz-dialog" role="dialog" aria-modal="true" aria-label="New appliance">
        <header className="wz-header">
          <h2 ref={heading} tabIndex={-1}>
            New appliance <span className="muted">· {STEPS[step].title}</span>
          </h2>
          <ol className="wz-steps" aria-label="Steps">
            {STEPS.map((s, i) => (
              <li key={s.title} aria-current={i === step ? 'step' : undefined} className={stepErrors(i).length && i < step ? 'bad' : i < step ? 'done' : undefined}>
                <button type="button" className="wz-step" onClick={() => setStep(i)} disabled={busy}>
                  <span className="wz-step-n">{i + 1}</span> {s.title}
                </button>
              </li>
            ))}
          </ol>
        </header>
        <form
          className="wz-body"
          onSubmit={(ev) => {
            ev.preventDefault();
            if (last) void create();
            else if (!blocked) setStep(step + 1);
          }}
        >
          <div className="wz-content">
            {STEPS[step].id === 'template' ? <TemplateStep a={a} choose={choose} /> : null}
            {STEPS[step].id === 'name' ? <NameStep {...props} onPick={() => void pick()} /> : null}
            {STEPS[step].id === 'debian' ? <DebianStep {...props} /> : null}
            {STEPS[step].id === 'services' ? <ServicesStep {...props} /> : null}
            {STEPS[step].id === 'disks' ? <DisksStep {...props} /> : null}
            {STEPS[step].id === 'outputs' ? <OutputsStep {...props} /> : null}
            {STEPS[step].id === 'checks' ? <ChecksStep {...props} /> : null}
            {failure ? (
              <ErrorNotice title="Could not create the appliance">
                <pre className="wz-failure">{failure}</pre>
              </ErrorNotice>
            ) : null}
          </div>
          <footer className="wz-footer">
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <span className="wz-spacer" />
            <button type="button" className="button" onClick={() => setStep(step - 1)} disabled={busy || step === 0}>
              Back
            </button>
            {last ? (
              <button type="submit" className="button primary" disabled={busy || firstBad !== -1}>
                {busy ? 'Creating…' : 'Create appliance'}
              </button>
            ) : (
              <button type="submit" className="button primary" disabled={blocked}>
                Next
              </button>
            )}
          </footer>
        </form>
      </div>
    </div>
  );
}
