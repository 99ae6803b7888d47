// A throwaway PostgreSQL cluster from the server binaries on PATH or in Debian's
// /usr/lib/postgresql/*/bin: initialised in a temp dir, listening only on 127.0.0.1, deleted on
// stop. For the tests (pg-global-setup.ts) and `npm run bench`.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, appendFile, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Cluster {
  url: string;
  stop: () => Promise<void>;
}

export async function startThrowawayCluster(): Promise<Cluster> {
  const bin = await findServerBinaries();
  // PostgreSQL refuses to run as root: run it as the postgres user, which then owns the dir.
  const owner = process.getuid?.() === 0 ? await postgresUser() : null;
  // As root the cluster runs as `postgres`, who may not reach a TMPDIR under /root: use /tmp then.
  const dir = await mkdtemp(join(process.getuid?.() === 0 ? '/tmp' : tmpdir(), 'onsim-pg-'));
  const asOwner = (command: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: dir })
      : run(command, args, { cwd: dir });
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const pgCtl = join(bin, 'pg_ctl');
  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    const initdbArgs = [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ];
    await asOwner(join(bin, 'initdb'), initdbArgs);
    const port = await freePort();
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        // A throwaway cluster: durability buys nothing, start-up and test speed do.
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    await asOwner(pgCtl, ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile]).catch(async (error) => {
      const log = await readFile(logFile, 'utf8').catch(() => '(no server log)');
      throw new Error(`pg_ctl start failed: ${String(error)}\n--- server log ---\n${log}`);
    });
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        try {
          await asOwner(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The directory holding initdb and pg_ctl: on PATH first, then Debian's versioned dirs. */
async function findServerBinaries(): Promise<string> {
  const debianRoot = '/usr/lib/postgresql';
  const versions = await readdir(debianRoot).catch(() => []);
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    ...versions
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join(debianRoot, v, 'bin')),
  ];
  for (const dir of candidates) {
    if ((await isExecutable(join(dir, 'initdb'))) && (await isExecutable(join(dir, 'pg_ctl')))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin. ' +
      "Install Debian's postgresql package (apt-get install postgresql) or set TEST_POSTGRES_URL " +
      'to a server where the tests may create databases.',
  );
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      "Running as root, the test PostgreSQL must run as the 'postgres' user, which does not exist. " +
        "Install Debian's postgresql package or set TEST_POSTGRES_URL.",
    );
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}
