import { useEffect, useState } from 'react';
import { Route, Router, Switch } from 'wouter';
import { whenSignedOut, signInUrl } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { NotAllowed } from '../screens/session/NotAllowed.tsx';
import { Redeem } from '../screens/codes/Redeem.tsx';
import { loadSession, type SessionState } from './session.ts';
import { Shell } from './Shell.tsx';
import { Screens } from './Screens.tsx';

export function App() {
  const { t, language } = useI18n();
  const [session, setSession] = useState<SessionState>({ kind: 'loading' });
  useEffect(() => {
    whenSignedOut(() => location.assign(signInUrl(language)));
  }, [language]);
  useEffect(() => {
    loadSession().then(setSession);
  }, []);
  return (
    <Router base="/console">
      <Switch>
        {/* Any signed-in member redeems a code; the rest of the console is for administrators. */}
        <Route path="/redeem">
          <Redeem />
        </Route>
        <Route>
          {session.kind === 'ready' ? (
            <Shell me={session.me}>
              <Screens access={session.me.access} />
            </Shell>
          ) : session.kind === 'not-allowed' ? (
            <NotAllowed detail={session.detail} me={session.me} />
          ) : session.kind === 'failed' ? (
            <main className="centered">
              <h1>{t('app.failed')}</h1>
              <p role="alert">{session.detail}</p>
            </main>
          ) : (
            <main className="centered" aria-busy="true">
              <p>{t('app.loading')}</p>
            </main>
          )}
        </Route>
      </Switch>
    </Router>
  );
}
