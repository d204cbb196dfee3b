import { Route, Switch } from 'wouter';
import { CodesScreen } from '../screens/codes/CodesScreen.tsx';
import { AddMembersScreen } from '../screens/add-members/AddMembersScreen.tsx';
import { KeysScreen } from '../screens/keys/KeysScreen.tsx';
import { InvitationsScreen } from '../screens/invitations/InvitationsScreen.tsx';
import { MemberDetail } from '../screens/members/MemberDetail.tsx';
import { MembersScreen } from '../screens/members/MembersScreen.tsx';
import { NotFound } from '../screens/not-found/NotFound.tsx';
import { Overview } from '../screens/overview/Overview.tsx';

export function Screens() {
  return (
    <Switch>
      <Route path="/">
        <Overview />
      </Route>
      <Route path="/members">
        <MembersScreen />
      </Route>
      <Route path="/members/add">
        <AddMembersScreen />
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
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}
