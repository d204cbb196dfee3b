import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { Invitation } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { Heading } from '../../ui/Heading.tsx';
import { ErrorNotice } from '../../ui/Notice.tsx';
import { useAction } from '../../ui/useAction.ts';
import { useLoad } from '../../ui/useLoad.ts';
import { loadChoices } from '../members/catalog.ts';
import { DetailsStep } from './DetailsStep.tsx';
import { DirectoryStep } from './DirectoryStep.tsx';
import { CHOICES, type Choice, requestBody, type WizardValues } from './modes.ts';

// The Add members wizard: 1. how (the mode), 2. who and with what role, 3. what was done, with
// each invitation's link to copy. From a directory, step 2 searches a source and adds on the spot.
// Each step's heading takes the focus when it appears.

const INITIAL: WizardValues = {
  mode: 'any-account',
  emails: '',
  username: '',
  firstName: '',
  lastName: '',
  password: '',
  role: '',
  roleParameter: '',
  userType: '',
  group: '',
  language: 'en',
  message: '',
  source: '',
  externalId: '',
};

/** `fromDirectory`: the directory path is the organization administrators' (the API's rule). */
export function AddMembersScreen({ fromDirectory }: { fromDirectory: boolean }) {
  const { t, language } = useI18n();
  const [step, setStep] = useState<1 | 2 | 3>(1);
  const [values, setValues] = useState<WizardValues>({ ...INITIAL, language });
  const [created, setCreated] = useState<Invitation[]>([]);
  const choices = useLoad(loadChoices, []);
  const action = useAction();
  const stepHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (step > 1) stepHeading.current?.focus();
  }, [step]);
  const set = (name: keyof WizardValues, value: string) =>
    setValues((v) => ({ ...v, [name]: value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await action.run(() =>
      api.post<{ items: Invitation[] }>('/invitations', requestBody(values)),
    );
    if (answer) {
      setCreated(answer.items);
      setStep(3);
    }
  };
  return (
    <>
      <Heading>{t('add.title')}</Heading>
      <ol className="steps" aria-label={t('add.steps')}>
        {[t('add.step1'), t('add.step2'), t('add.step3')].map((label, i) => (
          <li key={label} aria-current={step === i + 1 ? 'step' : undefined}>
            {label}
          </li>
        ))}
      </ol>
      {step === 1 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setStep(2);
          }}
        >
          <fieldset className="modes">
            <legend>{t('add.step1')}</legend>
            {CHOICES.filter((c) => fromDirectory || c !== 'directory').map((mode: Choice) => (
              <label key={mode} className="mode">
                <input
                  type="radio"
                  name="mode"
                  value={mode}
                  checked={values.mode === mode}
                  onChange={() => set('mode', mode)}
                />
                <span>
                  <strong>{t(`add.mode.${mode}`)}</strong>
                  <span className="hint">{t(`add.mode.${mode}.hint`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="buttons">
            <button type="submit">{t('add.next')}</button>
            <Link href="/import">{t('add.importLink')}</Link>
          </div>
        </form>
      )}
      {step === 2 && values.mode === 'directory' && (
        <section aria-labelledby="add-directory">
          <h2 id="add-directory" tabIndex={-1} ref={stepHeading}>
            {t('add.step2')} — {t('add.mode.directory')}
          </h2>
          <DirectoryStep />
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => setStep(1)}>
              {t('add.back')}
            </button>
          </div>
        </section>
      )}
      {step === 2 && values.mode !== 'directory' && (
        <form onSubmit={submit} noValidate>
          <h2 tabIndex={-1} ref={stepHeading}>
            {t('add.step2')} — {t(`add.mode.${values.mode}`)}
          </h2>
          <ErrorNotice>
            {action.error && action.error.issues.length === 0 && action.error.detail}
          </ErrorNotice>
          <DetailsStep values={values} set={set} choices={choices.data} field={action.field} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => setStep(1)}>
              {t('add.back')}
            </button>
            <button type="submit" disabled={action.busy}>
              {t('add.submit')}
            </button>
          </div>
        </form>
      )}
      {step === 3 && (
        <section aria-labelledby="add-done">
          <h2 id="add-done" tabIndex={-1} ref={stepHeading}>
            {t('add.done', { count: created.length })}
          </h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('invitations.email')}</th>
                <th scope="col">{t('invitations.status')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {created.map((i) => (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{t(`invitations.status.${i.status}`)}</td>
                  <td>
                    {i.link && <CopyButton text={i.link} label={t('invitations.copyLink')} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="buttons">
            <button
              type="button"
              onClick={() => {
                setValues({ ...INITIAL, language });
                setStep(1);
              }}
            >
              {t('add.again')}
            </button>
            <Link href="/invitations">{t('nav.invitations')}</Link>
          </div>
        </section>
      )}
    </>
  );
}
