import { Route, Switch } from 'wouter';
import type { Me } from '../api/types.ts';
import { CodesScreen } from '../screens/codes/CodesScreen.tsx';
import { AddMembersScreen } from '../screens/add-members/AddMembersScreen.tsx';
import { KeysScreen } from '../screens/keys/KeysScreen.tsx';
import { ImportScreen } from '../screens/import/ImportScreen.tsx';
import { InvitationsScreen } from '../screens/invitations/InvitationsScreen.tsx';
import { MemberDetail } from '../screens/members/MemberDetail.tsx';
import { MembersScreen } from '../screens/members/MembersScreen.tsx';
import { NotFound } from '../screens/not-found/NotFound.tsx';
import { Overview } from '../screens/overview/Overview.tsx';
import { AuditScreen } from '../screens/audit/AuditScreen.tsx';
import { CatalogScreen } from '../screens/catalog/CatalogScreen.tsx';
import { GroupDetail } from '../screens/groups/GroupDetail.tsx';
import { GroupsScreen } from '../screens/groups/GroupsScreen.tsx';
import { SettingsScreen } from '../screens/settings/SettingsScreen.tsx';
import { RunDetail } from '../screens/sources/RunDetail.tsx';
import { SourcesScreen } from '../screens/sources/SourcesScreen.tsx';

/** A scope administrator or member manager starts on the members of their groups. */
export function Screens({ access }: { access: Me['access'] }) {
  return (
    <Switch>
      <Route path="/">{access === 'administrator' ? <Overview /> : <MembersScreen />}</Route>
      <Route path="/members">
        <MembersScreen />
      </Route>
      <Route path="/members/add">
        <AddMembersScreen fromDirectory={access === 'administrator'} />
      </Route>
      <Route path="/members/:id">{(params) => <MemberDetail id={params.id} />}</Route>
      <Route path="/invitations">
        <InvitationsScreen />
      </Route>
      <Route path="/codes">
        <CodesScreen />
      </Route>
      <Route path="/keys">
        <KeysScreen />
      </Route>
      <Route path="/groups">
        <GroupsScreen />
      </Route>
      <Route path="/groups/:id">{(params) => <GroupDetail id={params.id} />}</Route>
      <Route path="/catalog">
        <CatalogScreen />
      </Route>
      <Route path="/settings">
        <SettingsScreen />
      </Route>
      <Route path="/audit">
        <AuditScreen />
      </Route>
      <Route path="/import">
        <ImportScreen />
      </Route>
      <Route path="/sources">
        <SourcesScreen />
      </Route>
      <Route path="/sources/runs/:id">{(params) => <RunDetail id={params.id} />}</Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}
