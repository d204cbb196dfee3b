import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';
import { freePort } from './free-port.ts';

// A throwaway OpenLDAP slapd on a loopback port with its own cn=config (see TEST-INFRA.md):
// mdb database, memberof overlay (so online changes maintain memberOf), no size limit.
// PROVISIOND_REQUIRE_LDAP=1 (CI) turns a missing slapd into a failure instead of a skip.

const SLAPD = '/usr/sbin/slapd';
export const SUFFIX = 'dc=example,dc=org';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const ADMIN_PASSWORD = 'admin-secret';

export function slapdAvailable(): boolean {
  if (existsSync(SLAPD) && existsSync('/usr/sbin/slapadd')) return true;
  if (process.env.PROVISIOND_REQUIRE_LDAP === '1')
    throw new Error(
      'PROVISIOND_REQUIRE_LDAP=1 but slapd is not installed (apt-get install slapd ldap-utils)',
    );
  return false;
}

/** A throwaway CA and a server certificate for 127.0.0.1, for ldaps:// and StartTLS. */
function makeCertificates(dir: string): void {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=provisiond test CA',
  ]);
  writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  ]);
}

function configLdif(dir: string): string {
  const schema = ['core', 'cosine', 'inetorgperson', 'nis']
    .map((s) => `include: file:///etc/ldap/schema/${s}.ldif`)
    .join('\n\n');
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid
olcTLSCACertificateFile: ${dir}/ca.pem
olcTLSCertificateFile: ${dir}/server.pem
olcTLSCertificateKeyFile: ${dir}/server.key

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

${schema}

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: unlimited

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${SUFFIX}
olcRootDN: ${ADMIN_DN}
olcRootPW: ${ADMIN_PASSWORD}
olcDbDirectory: ${dir}/db
olcDbMaxSize: 4294967296
olcSizeLimit: unlimited
olcDbIndex: objectClass eq
olcDbIndex: uid,mail eq,sub
olcDbIndex: member,memberOf eq
olcDbIndex: entryUUID,entryCSN eq
olcDbIndex: modifyTimestamp eq
olcAccess: {0}to attrs=userPassword by self =xw by anonymous auth by * none
olcAccess: {1}to * by * read

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfRefInt: TRUE
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
`;
}

const BASE_LDIF = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups
`;

export interface Slapd {
  url: string;
  /** The same directory over TLS (ldaps://); `caFile` is the CA that signed its certificate. */
  ldapsUrl: string;
  caFile: string;
  port: number;
  dir: string;
  /** A client bound as the directory's administrator (closed by stop()). */
  admin(): Promise<Client>;
  stop(): Promise<void>;
  /** Kills slapd (SIGKILL) but keeps its data, to test a directory that goes away. */
  kill(): Promise<void>;
  /** Starts the same directory again after kill(). */
  restart(): Promise<void>;
}

async function waitForBind(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${log()}`);
    const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
    try {
      await client.bind(ADMIN_DN, ADMIN_PASSWORD);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`slapd did not answer on ${url}: ${(error as Error).message} ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}

/** Starts slapd with the base entries plus `ldif` loaded offline (slapadd skips overlays: carry memberOf yourself). */
export async function startSlapd(ldif = ''): Promise<Slapd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisiond-slapd-'));
  mkdirSync(path.join(dir, 'config'));
  mkdirSync(path.join(dir, 'db'));
  makeCertificates(dir);
  writeFileSync(path.join(dir, 'config.ldif'), configLdif(dir));
  writeFileSync(path.join(dir, 'data.ldif'), `${BASE_LDIF}\n${ldif}`);
  execFileSync(
    '/usr/sbin/slapadd',
    ['-n0', '-F', path.join(dir, 'config'), '-l', path.join(dir, 'config.ldif')],
    { stdio: 'pipe' },
  );
  execFileSync(
    '/usr/sbin/slapadd',
    ['-q', '-w', '-F', path.join(dir, 'config'), '-b', SUFFIX, '-l', path.join(dir, 'data.ldif')],
    { stdio: 'pipe' },
  );
  let port = 0;
  let url = '';
  let ldapsUrl = '';
  let child: ChildProcess;
  let output = '';
  const clients: Client[] = [];
  const launch = async () => {
    child = spawn(
      SLAPD,
      ['-d', '0', '-F', path.join(dir, 'config'), '-h', `${url}/ ${ldapsUrl}/`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await waitForBind(url, child, () => output);
  };
  const halt = async () => {
    await Promise.all(clients.splice(0).map((c) => c.unbind().catch(() => undefined)));
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  // A port found free can be taken by another process's connection before slapd binds it; slapd
  // then exits at once, saying why only to syslog. So a first start that exits tries new ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    url = `ldap://127.0.0.1:${port}`;
    ldapsUrl = `ldaps://127.0.0.1:${await freePort()}`;
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt === 3 || child!.exitCode === null) throw error;
    }
  }
  return {
    url,
    ldapsUrl,
    caFile: path.join(dir, 'ca.pem'),
    port,
    dir,
    async admin() {
      const client = new Client({ url, timeout: 10_000 });
      await client.bind(ADMIN_DN, ADMIN_PASSWORD);
      clients.push(client);
      return client;
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: halt,
    async restart() {
      await launch();
    },
  };
}
