#!/usr/bin/env node
// `npm run topology -- up|down|status [--dir DIR] [--apis N] [--redis-url URL | --redis-cluster] [--no-build]`
// The production-like topology on a machine without Docker: a MariaDB primary and a GTID replica
// (own data dirs and ports), Redis, N API instances and nginx in front. `up` prints the URLs and
// returns (everything keeps running in the background); `down` stops it all and deletes DIR.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import topology from './topology/index.cjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', default: process.env.TOPOLOGY_DIR ?? topology.DEFAULT_DIR },
    apis: { type: 'string', default: '2' },
    'redis-url': { type: 'string' },
    'redis-cluster': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const command = positionals[0] ?? 'help';
const dir = path.resolve(values.dir);

const USAGE = `npm run topology -- <command> [options]
  up       start MariaDB primary + GTID replica, Redis, API instances and nginx; print the URLs
  down     stop everything that "up" started and delete its directory (--keep keeps the logs)
  status   list the processes and whether they run
options: --dir DIR (default ${topology.DEFAULT_DIR}, or TOPOLOGY_DIR)  --apis N (2)
         --redis-url URL (use this Redis instead of starting one)
         --redis-cluster (start a Redis Cluster: 3 masters + 3 replicas, instead of one Redis)
         --no-build (skip "npm run build -w api")`;

async function main() {
  if (values.help || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (command === 'down') {
    const stopped = await topology.down({ dir, keep: values.keep });
    console.log(
      stopped.length
        ? `stopped ${stopped.map((c) => `${c.name} (${c.pid})`).join(', ')}${values.keep ? '' : `; removed ${dir}`}`
        : `nothing recorded under ${dir}`,
    );
    return;
  }
  if (command === 'status') {
    const state = topology.status({ dir });
    if (!state) return console.log(`nothing recorded under ${dir}`);
    for (const c of state.components)
      console.log(`${c.running ? 'running' : 'stopped'}  ${c.name.padEnd(8)} pid ${c.pid}  port ${c.port}`);
    return;
  }
  if (command !== 'up') {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  if (!values['no-build']) {
    console.log('building the API (npm run build -w api) ...');
    const build = spawnSync('npm', ['run', 'build', '-w', 'api', '--silent'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build -w api failed');
  }
  const apis = Number(values.apis);
  if (!Number.isInteger(apis) || apis < 1 || apis > 8) throw new Error(`--apis must be 1..8, got ${values.apis}`);
  console.log(`starting under ${dir} ...`);
  const t = await topology.up({ dir, apis, redisUrl: values['redis-url'], redisCluster: values['redis-cluster'] });
  console.log(`
randchat topology is up (stop it with: npm run topology down${values.dir === topology.DEFAULT_DIR ? '' : ` -- --dir ${dir}`})
  web app + API via nginx  ${t.web}${t.webBuilt ? '' : '   (web/dist is not built: npm run build -w web)'}
  GraphQL                  ${t.graphql}
  WebSocket                ${t.ws}
${t.apis.map((a) => `  ${a.name.padEnd(23)}  ${a.url}`).join('\n')}
  MariaDB primary          ${t.database.primary}   (root: ${t.database.rootPrimary})
  MariaDB replica (GTID)   ${t.database.replica}   (root: ${t.database.rootReplica})
  Redis                    ${t.redis}
  logs                     ${t.logs}`);
}

main().catch((err) => {
  console.error(`topology ${command} failed: ${err.message}`);
  if (command === 'up')
    console.error(`what started was stopped; logs are under ${dir} (npm run topology down removes them)`);
  process.exit(1);
});
