import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { Host } from './hosts';
import { freePort, pollUntil } from './net';
import { runCommand, spawnOwned, stopChild, type Cleanup } from './processes';

const START_TIMEOUT_MS = 30_000;
const OS_USER = 'postgres';

/**
 * The run's own PostgreSQL on the services host: a cluster made by `initdb` in the run's
 * directory, listening on the host's address and a free port, trusting the run's subnet (and
 * loopback), its socket in its own directory; stopped at the end (fast shutdown), its files go with
 * the run's directory. The machine's own PostgreSQL (127.0.0.1:5432) is never touched.
 *
 * initdb and postgres refuse to run as root: as root they run as the `postgres` OS user (Debian's
 * package makes it) in a directory that user owns, through `setpriv` (which execs, so the PID this
 * run holds is the postmaster's own).
 */
export class PrivatePostgres {
  private child: ChildProcess | null = null;

  private constructor(readonly host: Host, readonly port: number, private readonly dir: string, private readonly binDir: string) {}

  /** `dir` is made (and handed to the postgres user when running as root); `trusted` is the run's subnet in CIDR. */
  static async start(dir: string, cleanup: Cleanup, host: Host, trusted: string): Promise<PrivatePostgres> {
    const postgres = new PrivatePostgres(host, await freePort(), dir, postgresBinDir());
    await postgres.initialise(trusted);
    await postgres.launch(cleanup);
    return postgres;
  }

  /** The `postgres` database; databaseUrl() names another. */
  get url(): string {
    return this.databaseUrl('postgres');
  }

  databaseUrl(database: string): string {
    return `postgres://postgres@${this.host.address}:${this.port}/${database}`;
  }

  describe(): string {
    return `private PostgreSQL (${this.binDir}) on ${this.host.address}:${this.port}`;
  }

  async createDatabase(name: string): Promise<string> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`not a plain database name: ${name}`);
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.databaseUrl(name);
  }

  async stop(): Promise<void> {
    // SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for the clients to leave).
    if (this.child) await stopChild(this.child, 'SIGINT', 10_000);
    this.child = null;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private async initialise(trusted: string): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const owner = asRoot() ? postgresUser() : null;
    if (owner) {
      chownSync(this.dir, owner.uid, owner.gid);
      // The postgres user must be able to reach its directory: search (not read) on the run's.
      const parent = dirname(this.dir);
      chmodSync(parent, statSync(parent).mode | 0o001);
    }
    const initdb = await runCommand(...this.asOwner(join(this.binDir, 'initdb'), ['-D', this.dataDir, '-U', OS_USER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']), process.env, 60_000);
    if (initdb.code !== 0) throw new Error(`initdb failed (${initdb.code}): ${(initdb.stderr || initdb.stdout).trim().split('\n').slice(-2).join(' ')}`);
    // Who may connect: this directory's socket, loopback, and the run's hosts. Nothing else.
    writeFileSync(join(this.dataDir, 'pg_hba.conf'), [
      'local all all trust',
      'host all all 127.0.0.1/32 trust',
      `host all all ${trusted} trust`,
      '',
    ].join('\n'));
  }

  private async launch(cleanup: Cleanup): Promise<void> {
    const settings = {
      listen_addresses: this.host.address,
      port: String(this.port),
      unix_socket_directories: this.dir,
      max_connections: '200',
      // A test cluster: durability against a power cut is not what the run checks.
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
    };
    const args = ['-D', this.dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
    const child = spawnOwned(...this.host.command(...this.asOwner(join(this.binDir, 'postgres'), args)), { env: process.env, logFile: join(this.dir, 'postgres.log') });
    this.child = child;
    cleanup.add(`postgres (pid ${child.pid})`, () => this.stop());
    const up = await pollUntil(() => this.answers(), START_TIMEOUT_MS, 200);
    if (!up) throw new Error(`PostgreSQL did not answer on ${this.host.address}:${this.port} within ${START_TIMEOUT_MS} ms (see ${join(this.dir, 'postgres.log')})`);
  }

  private async answers(): Promise<boolean> {
    if (!this.child || this.child.exitCode !== null) throw new Error('postgres exited');
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** The argv running `command` as the postgres OS user when this process is root, else as itself. */
  private asOwner(command: string, args: string[]): [string, string[]] {
    if (!asRoot()) return [command, args];
    return ['setpriv', [`--reuid=${OS_USER}`, `--regid=${OS_USER}`, '--init-groups', command, ...args]];
  }
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${OS_USER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`running as root, and there is no ${OS_USER} OS user to run PostgreSQL as (install Debian's postgresql package)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** CHAOS_POSTGRES_BIN, or the newest /usr/lib/postgresql/<version>/bin (Debian). */
function postgresBinDir(): string {
  const chosen = process.env.CHAOS_POSTGRES_BIN;
  if (chosen) return chosen;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((x, y) => Number(y) - Number(x)) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries in ${base}/<version>/bin (install postgresql, or set CHAOS_POSTGRES_BIN)`);
  return join(base, versions[0]!, 'bin');
}
