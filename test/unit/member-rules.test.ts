import test from 'ava';
import { selfChosenUsernameProblem, usernameProblem } from '../../src/members/username-rules.ts';
import { passwordProblem } from '../../src/members/password-policy.ts';
import { emailProblem } from '../../src/members/email-rules.ts';
import { deriveNames } from '../../src/members/name-derivation.ts';
import {
  activeDirectoryLogin,
  enterpriseAccountName,
  fromDownLevelLogon,
} from '../../src/members/enterprise-login.ts';

test('self-registered usernames: 6 to 128 of letters, digits and underscores only', (t) => {
  t.is(selfChosenUsernameProblem('ann_ew_2024'), null);
  t.is(selfChosenUsernameProblem('A'.repeat(128)), null);
  t.regex(selfChosenUsernameProblem('ann_e') ?? '', /6 to 128 characters long \(got 5\)/);
  t.regex(selfChosenUsernameProblem('a'.repeat(129)) ?? '', /got 129/);
  t.regex(selfChosenUsernameProblem('ann.ew@corp') ?? '', /found "\.", "@"/);
  t.regex(selfChosenUsernameProblem('ann ew_x') ?? '', /found space/);
  // The same names an administrator may create.
  t.is(usernameProblem('ann.ew@corp'), null);
});

test('usernames: 6 to 128 of letters, digits, dot, underscore and at', (t) => {
  t.is(usernameProblem('jdoe.1@corp_x'), null);
  t.is(usernameProblem('abcdef'), null);
  t.is(usernameProblem('a'.repeat(128)), null);
  t.regex(usernameProblem('abcde') ?? '', /6 to 128 characters long \(got 5\)/);
  t.regex(usernameProblem('a'.repeat(129)) ?? '', /got 129/);
  t.regex(usernameProblem('john doe') ?? '', /found space/);
  t.regex(usernameProblem('john-doe!') ?? '', /found "-", "!"/);
  t.regex(usernameProblem('jérôme.x') ?? '', /found "é", "ô"/);
});

test('passwords: length, a letter and a digit', (t) => {
  t.regex(passwordProblem('ab1') ?? '', /at least 8/);
  t.regex(passwordProblem('lovelyhorse') ?? '', /one letter and one digit/);
  t.regex(passwordProblem('5839201746') ?? '', /one letter and one digit/);
});

test('passwords: repetitive and sequential ones are refused (the examples of ArcGIS Online)', (t) => {
  for (const weak of ['aaaabbbb', '1234abcd', 'abcd1234', 'zyxw9876', '12121212ab', 'abcabcabc1']) {
    t.regex(passwordProblem(weak) ?? '', /too predictable/, weak);
  }
});

test('passwords: common ones are refused, with a predictable suffix too', (t) => {
  for (const common of [
    'password1',
    'Password1',
    'modepasse1',
    'motdepasse1',
    'passwort1',
    'azerty123',
  ]) {
    t.truthy(passwordProblem(common), common);
  }
});

test('passwords: never the username, whatever the case', (t) => {
  t.regex(passwordProblem('Jdoe2024x', 'jdoe2024X') ?? '', /same as the username/);
});

test('passwords: ordinary strong ones pass', (t) => {
  for (const good of ['changepasswordlater1', 'Tr0ub4dor&3', 'correct9horse', 'Velo-2031-Lyon']) {
    t.is(passwordProblem(good, 'someuser'), null, good);
  }
});

test('emails: required, no apostrophe, name@domain', (t) => {
  t.is(emailProblem('jane.doe@example.org'), null);
  t.regex(emailProblem("o'neil@example.org") ?? '', /apostrophe/);
  t.regex(emailProblem('') ?? '', /required/);
  t.regex(emailProblem('not an email') ?? '', /name@domain/);
});

test('names: derived from the display name as Portal for ArcGIS says', (t) => {
  t.like(deriveNames({ name: 'Jon Cho' }), { ok: true, firstName: 'Jon', lastName: 'Cho' });
  t.like(
    deriveNames({ firstName: 'no firstName', lastName: 'no lastName', name: 'Satish Rajhandas' }),
    { ok: true, firstName: 'Satish', lastName: 'Rajhandas' },
  );
  t.like(deriveNames({ name: 'Madonna' }), { ok: true, firstName: 'Madonna', lastName: 'Madonna' });
  t.like(deriveNames({ firstName: 'Mary', name: 'Mary Ann Smith' }), {
    ok: true,
    firstName: 'Mary',
    lastName: 'Ann Smith',
  });
  t.like(deriveNames({ firstName: 'Sara', lastName: 'James' }), {
    ok: true,
    displayName: 'Sara James',
  });
  t.like(deriveNames({ firstName: 'no firstName', name: '' }), { ok: false });
  t.like(deriveNames({ firstName: 'Ann', lastName: '' }), { ok: false });
});

test('enterprise account names and AD logins', (t) => {
  t.is(enterpriseAccountName('jean dupont/x#y'), 'jean_dupont_x_y');
  t.is(enterpriseAccountName('a.b-c@d'), 'a.b-c@d');
  t.is(activeDirectoryLogin('jcho111', 'domain'), 'jcho111@DOMAIN');
  t.is(fromDownLevelLogon('corp\\sjames'), 'sjames@CORP');
  t.is(fromDownLevelLogon('nobackslash'), null);
});
