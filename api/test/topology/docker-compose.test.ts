import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { backendKind } from '../utils/backend';

const ROOT = path.resolve(__dirname, '../../..');
const COMPOSE_FILE = path.join(ROOT, 'docker/compose.yml');
/** Placeholder secrets: compose refuses to interpolate the file without them (no default secrets). */
const SECRETS = {
  DB_ROOT_PASSWORD: 'root-secret',
  DB_PASSWORD: 'app-secret',
  DB_REPLICATION_PASSWORD: 'repl-secret',
  JWT_SECRET: 'x'.repeat(48),
  SMTP_URL: 'smtp://mail.example.test:587',
};

/** `docker compose` (the CLI plugin), else the standalone `docker-compose`; undefined when neither runs. */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return command;
  }
  return undefined;
}

function compose(args: string[], env: Record<string, string | undefined>) {
  const [bin, ...pre] = command!;
  // No docker/.env of a developer may leak in: the environment below is the whole input.
  return spawnSync(bin!, [...pre, '-f', COMPOSE_FILE, '--env-file', path.join(ROOT, 'docker/.env.example'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
}

const command = backendKind() === 'embedded' ? composeCommand() : undefined;
if (backendKind() === 'embedded' && !command) {
  console.log(
    'docker/compose.yml: validation skipped, neither "docker compose" nor "docker-compose" runs here (apt-get install -y docker-compose)',
  );
}
const withCompose = command ? describe : describe.skip;
const BASE_SERVICES = ['api-1', 'api-2', 'db-primary', 'db-replica', 'migrate', 'nginx', 'redis'];
const CLUSTER_SERVICES = [1, 2, 3, 4, 5, 6]
  .map((n) => `redis-node-${n}`)
  .concat('redis-cluster-create')
  .sort();

withCompose('docker/compose.yml (validated by `docker compose config`; no engine needed)', () => {
  it('is a valid compose file once the secrets are set', () => {
    const result = compose(['config', '--quiet'], SECRETS);
    expect(result.stderr).not.toMatch(/ERROR|invalid/i);
    expect(result.status).toBe(0);
    const services = compose(['config', '--services'], SECRETS).stdout.trim().split('\n').sort();
    expect(services).toEqual(expect.arrayContaining(BASE_SERVICES));
    // Some compose versions list the services of inactive profiles too.
    expect(services.filter((name) => !BASE_SERVICES.includes(name))).toEqual(
      services.some((name) => CLUSTER_SERVICES.includes(name)) ? CLUSTER_SERVICES : [],
    );
  });

  it('has a redis-cluster profile: six cluster nodes, a one-shot create, and the instances on REDIS_CLUSTER_NODES', () => {
    const cluster = {
      ...SECRETS,
      COMPOSE_PROFILES: 'redis-cluster',
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: 'redis-node-1:6379,redis-node-2:6379,redis-node-3:6379',
    };
    const result = compose(['config'], cluster);
    expect(result.status).toBe(0);
    const services = compose(['config', '--services'], cluster).stdout.trim().split('\n').sort();
    expect(services).toEqual([...BASE_SERVICES, ...CLUSTER_SERVICES].sort());
    expect(
      result.stdout.match(/REDIS_CLUSTER_NODES: redis-node-1:6379,redis-node-2:6379,redis-node-3:6379/g),
    ).toHaveLength(3);
    expect(result.stdout).toMatch(/--cluster-replicas 1/);
    expect(result.stdout.match(/cluster\.conf:\/usr\/local\/etc\/redis\/cluster\.conf/g)).toHaveLength(6);
    // Without the profile's variables the instances keep the single Redis.
    expect(compose(['config'], SECRETS).stdout).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
  });

  it('has no default secrets: without JWT_SECRET it refuses to render and names the variable', () => {
    const { JWT_SECRET: _omitted, ...rest } = SECRETS;
    const result = compose(['config', '--quiet'], rest);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('JWT_SECRET');
  });

  it('migrates once: the API instances wait for the migrate service and do not migrate on start', () => {
    const rendered = compose(['config'], SECRETS).stdout;
    expect(rendered).toMatch(/migrate:\s+condition: service_completed_successfully/);
    expect(rendered.match(/MIGRATE_ON_START: ["']?false/g)?.length).toBeGreaterThanOrEqual(2);
    expect(rendered).toMatch(/MARIADB_MASTER_HOST: db-primary/);
  });
});

describe('docker/*.Dockerfile', () => {
  const scripts = (file: string) =>
    Object.keys((JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { scripts?: object }).scripts ?? {});
  const known = { root: scripts('package.json'), api: scripts('api/package.json'), web: scripts('web/package.json') };

  it('build with the repository own commands only: npm ci and npm run <a script of package.json>', () => {
    const dockerfiles = readdirSync(path.join(ROOT, 'docker')).filter((f) => f.endsWith('.Dockerfile'));
    expect(dockerfiles.sort()).toEqual(['api.Dockerfile', 'web.Dockerfile']);
    for (const file of dockerfiles) {
      const text = readFileSync(path.join(ROOT, 'docker', file), 'utf8').replace(/\\\n/g, ' ');
      const runs = text
        .split('\n')
        .filter((l) => /^RUN /.test(l))
        .map((l) => l.slice(4).trim());
      for (const run of runs) {
        for (const step of run.split('&&').map((s) => s.trim())) {
          if (/^(apt-get|rm -rf \/var\/lib\/apt|mkdir|chown)\b/.test(step)) continue;
          const npm = /^npm (ci|run (\S+))(?: (.*))?$/.exec(step);
          expect({ file, step, npm: Boolean(npm) }).toEqual({ file, step, npm: true });
          if (npm?.[2]) {
            const workspace = /(?:-w|--workspace)[ =](\S+)/.exec(npm[3] ?? '')?.[1] as keyof typeof known | undefined;
            expect(known[workspace ?? 'root']).toContain(npm[2]);
          }
        }
      }
    }
  });
});
