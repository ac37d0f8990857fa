import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL cluster for the postgres test tier: initdb into a temp dir, listen on 127.0.0.1 at a free
 * port, trust auth (the cluster lives for one test run and listens on loopback only), removed on stop. Uses Debian's
 * `postgresql` binaries (/usr/lib/postgresql/<version>/bin), the ones on PATH, or PG_BIN.
 */
export type PgTier =
  | { run: true; bin: string }
  /** `fail`: under CI a missing PostgreSQL fails the run; on a developer's machine the tier is skipped. */
  | { run: false; fail: boolean; message: string };

export function pgTier(env: Record<string, string | undefined> = process.env): PgTier {
  const bin = findPgBin(env);
  if (bin) return { run: true, bin };
  const enable =
    "install Debian's PostgreSQL (`apt-get install -y postgresql`) or set PG_BIN to the folder holding initdb and pg_ctl";
  const ci = env.CI?.trim().toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') {
    return {
      run: false,
      fail: true,
      message: `PostgreSQL not found: ${enable}. CI is set, so the postgres tier cannot be skipped.`,
    };
  }
  return {
    run: false,
    fail: false,
    message: `PostgreSQL tier (tests/postgres) SKIPPED: initdb and pg_ctl not found. To run it, ${enable}. With CI=true a missing PostgreSQL fails the run.`,
  };
}

function findPgBin(env: Record<string, string | undefined>): string | null {
  const has = (dir: string) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'));
  if (env.PG_BIN) return has(env.PG_BIN) ? env.PG_BIN : null;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(path.join(debian, v, 'bin'))) return path.join(debian, v, 'bin');
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir && has(dir)) return dir;
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type PgCluster = { url: string; port: number; dir: string; stop(): void };

/**
 * Starts the cluster. PostgreSQL refuses to run as root, so under root (CI containers) the data dir is handed to the
 * `postgres` user the Debian package creates and the server runs as that user.
 */
export async function startCluster(bin: string): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]]
      : [path.join(bin, cmd), args];
    const r = spawnSync(file, argv as string[], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  fs.chmodSync(dir, 0o700);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
