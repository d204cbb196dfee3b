import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';

// A throwaway Samba AD DC (see TEST-INFRA.md). Its ports are fixed (LDAP 389, Kerberos 88), so it
// runs in a network namespace of its own; the tests reach its LDAP port through a relay: a small
// node process inside the namespace listens on a Unix socket (sockets on the file system cross
// namespaces) and a TCP listener on 127.0.0.1 in the test process forwards to it.
// PROVISIOND_REQUIRE_AD=1 (CI) turns a missing Samba into a failure instead of a skip.

const REALM = 'EXAMPLE.TEST';
export const DOMAIN_DN = 'DC=example,DC=test';
export const AD_ADMIN = `Administrator@${REALM}`;
export const AD_PASSWORD = 'Provision-Pass-1';

export function sambaAvailable(): boolean {
  const ok =
    existsSync('/usr/sbin/samba') &&
    existsSync('/usr/bin/samba-tool') &&
    existsSync('/usr/sbin/ip') &&
    process.getuid?.() === 0;
  if (ok) return true;
  if (process.env.PROVISIOND_REQUIRE_AD === '1')
    throw new Error(
      'PROVISIOND_REQUIRE_AD=1 but Samba (samba, samba-ad-dc, samba-ad-provision) is not installed or not running as root',
    );
  return false;
}

export interface SambaAd {
  url: string;
  dir: string;
  /** Runs samba-tool against this DC (user add, setpassword, group addmembers…). */
  tool(args: string[]): string;
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

const RELAY = `
const net = require('node:net');
const fs = require('node:fs');
const [sock, port] = process.argv.slice(1);
try { fs.unlinkSync(sock); } catch {}
net.createServer((c) => {
  const u = net.connect({ host: '127.0.0.1', port: Number(port) });
  c.pipe(u).pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
}).listen(sock);
`;

function relayToSocket(
  socketPath: string,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ path: socketPath });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, sockets }),
    ),
  );
}

function waitFor<T>(what: string, seconds: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  const loop = async (): Promise<T> => {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
      return loop();
    }
  };
  return loop();
}

export async function startSambaAd(): Promise<SambaAd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisiond-samba-'));
  const ns = `pvd-ad-${randomBytes(3).toString('hex')}`;
  execFileSync(
    'samba-tool',
    [
      'domain',
      'provision',
      '--use-rfc2307',
      `--realm=${REALM}`,
      '--domain=EXAMPLE',
      '--server-role=dc',
      '--dns-backend=NONE',
      `--adminpass=${AD_PASSWORD}`,
      `--targetdir=${dir}`,
      '--host-name=dc1',
      '--option=interfaces = lo',
      '--option=bind interfaces only = yes',
    ],
    { stdio: 'pipe' },
  );
  const conf = path.join(dir, 'etc', 'smb.conf');
  const settings = [
    'ldap server require strong auth = no',
    'interfaces = lo',
    'bind interfaces only = yes',
    'server services = ldap, kdc',
    'disable netbios = yes',
  ];
  const text = readFileSync(conf, 'utf8')
    .split('\n')
    .filter(
      (l) => !settings.some((s) => l.trim().toLowerCase().startsWith(s.split('=')[0]!.trim())),
    )
    .join('\n')
    .replace(/\[global\]/i, `[global]\n${settings.map((s) => `\t${s}`).join('\n')}`);
  writeFileSync(conf, text);
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  const children: ChildProcess[] = [];
  let output = '';
  const spawnIn = (args: string[]) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    children.push(child);
  };
  const socketPath = path.join(dir, 'ldap.sock');
  spawnIn(['samba', '-s', conf, '--foreground', '--no-process-group']);
  spawnIn([process.execPath, '-e', RELAY, socketPath, '389']);
  const relay = await relayToSocket(socketPath);
  const url = `ldap://127.0.0.1:${relay.port}`;
  const clients: Client[] = [];
  const admin = async () => {
    const client = new Client({ url, timeout: 20_000, connectTimeout: 2000 });
    await client.bind(AD_ADMIN, AD_PASSWORD);
    clients.push(client);
    return client;
  };
  const stop = async () => {
    await Promise.all(clients.splice(0).map((c) => c.unbind().catch(() => undefined)));
    for (const s of relay.sockets) s.destroy();
    relay.server.close();
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    try {
      execFileSync('ip', ['netns', 'pids', ns])
        .toString()
        .split(/\s+/)
        .filter(Boolean)
        .forEach((pid) => {
          process.kill(Number(pid), 'SIGKILL');
        });
    } catch {
      // the namespace may already be empty
    }
    execFileSync('ip', ['netns', 'delete', ns]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`Samba AD did not answer on ${url} ${output}`, 60, async () => {
      const c = await admin();
      await c.unbind();
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    dir,
    admin,
    stop,
    tool: (args) =>
      execFileSync('ip', ['netns', 'exec', ns, 'samba-tool', ...args, '-s', conf], {
        stdio: 'pipe',
      }).toString(),
  };
}
