import test from 'ava';
import {
  type CatalogLicense,
  availability,
  chooseLicenses,
  defaultLicensesFor,
  findLicense,
  incompatibleHeld,
  shortfallMessage,
  shortfalls,
} from '../../src/licenses/license-rules.ts';

const creator = { id: 'ut-creator', name: 'Creator' };
const contributor = { id: 'ut-contributor', name: 'Contributor' };
const viewer = { id: 'ut-viewer', name: 'Viewer' };
const userTypes = [creator, contributor, viewer];
const catalog: CatalogLicense[] = [
  { id: 'l1', name: 'ArcGIS Insights', userTypeIds: [creator.id], quantity: 5 },
  { id: 'l2', name: 'Workforce', userTypeIds: [creator.id, contributor.id], quantity: null },
];

test('licences are found by name without regard to case or spaces, or by id', (t) => {
  t.is(findLicense(catalog, '  arcgis INSIGHTS ')?.id, 'l1');
  t.is(findLicense(catalog, 'l2')?.name, 'Workforce');
  t.is(findLicense(catalog, 'Insights'), undefined);
});

test('a licence the user type may hold is granted under its catalog name, once', (t) => {
  t.deepEqual(chooseLicenses(['arcgis insights', 'workforce'], creator, catalog, userTypes), {
    names: ['ArcGIS Insights', 'Workforce'],
    issues: [],
  });
  const twice = chooseLicenses(['Workforce', 'WORKFORCE'], creator, catalog, userTypes);
  t.deepEqual(twice.names, ['Workforce']);
  t.deepEqual(twice.issues, [{ field: 'licenses.1', message: 'licence Workforce is given twice' }]);
});

test('an incompatible licence is refused naming the licence, the user type and who may hold it', (t) => {
  const choice = chooseLicenses(['Workforce', 'ArcGIS Insights'], contributor, catalog, userTypes);
  t.deepEqual(choice.names, ['Workforce']);
  t.deepEqual(choice.issues, [
    {
      field: 'licenses.1',
      message:
        'licence ArcGIS Insights is not compatible with user type Contributor; user types that may hold it: Creator',
    },
  ]);
});

test('an unknown licence is refused with the catalog listed', (t) => {
  const { issues } = chooseLicenses(['X1'], creator, catalog, userTypes, 'licenses');
  t.regex(
    issues[0]!.message,
    /unknown licence "X1"; the organization's licences: ArcGIS Insights, Workforce/,
  );
  t.regex(
    chooseLicenses(['X1'], creator, [], userTypes).issues[0]!.message,
    /none \(define them with licenses create\)/,
  );
});

test('default licences go to the members whose user type may hold them', (t) => {
  const defaults = ['ArcGIS Insights', 'workforce', 'Gone'];
  t.deepEqual(defaultLicensesFor(defaults, creator, catalog), ['ArcGIS Insights', 'Workforce']);
  t.deepEqual(defaultLicensesFor(defaults, contributor, catalog), ['Workforce']);
  t.deepEqual(defaultLicensesFor(defaults, viewer, catalog), []);
});

test('a user type change may not strand a held licence', (t) => {
  t.deepEqual(incompatibleHeld(['Workforce'], contributor, catalog, userTypes), []);
  const issues = incompatibleHeld(['ArcGIS Insights', 'Workforce'], viewer, catalog, userTypes);
  t.is(issues.length, 2);
  t.regex(issues[0]!.message, /user type Viewer cannot hold licence ArcGIS Insights.*Creator\)/);
});

test('a grant beyond the quantity is a shortfall; a write that adds none is not', (t) => {
  t.deepEqual(
    shortfalls([
      { name: 'A', quantity: 5, inUseAfter: 5, adding: 2 },
      { name: 'B', quantity: 5, inUseAfter: 7, adding: 3 },
      { name: 'C', quantity: 1, inUseAfter: 3, adding: 0 },
    ]),
    [{ license: 'B', quantity: 5, inUse: 4, adding: 3 }],
  );
  t.is(
    shortfallMessage({ license: 'B', quantity: 5, inUse: 4, adding: 3 }),
    'licence B: the organization has 5, 4 in use and 1 available; granting it to 3 more members would exceed it',
  );
});

test('availability is what is left, never negative, and unlimited without a quantity', (t) => {
  t.is(availability(5, 3), 2);
  t.is(availability(2, 3), 0);
  t.is(availability(null, 1000), null);
});
