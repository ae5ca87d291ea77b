import path from 'node:path';

/*
 * Typed access to the pieces of `npm run topology` (scripts/topology/*.cjs), so that the tests
 * start MariaDB, Redis and nginx exactly as the script does.
 */

/** One mariadbd from its own data directory (scripts/topology/mariadb.cjs). */
export interface MariaDbServer {
  name: string;
  port: number;
  pid: number;
  dir: string;
  /** `mysql://root@127.0.0.1:<port>` (root has no password). */
  url: string;
  /** Runs statements as root; resolves with the rows (the last statement's, for several). */
  query<T = Record<string, any>[]>(sql: string, params?: unknown[]): Promise<T>;
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
  isRunning(): boolean;
}

export interface ReplicaPair {
  primary: MariaDbServer;
  replica: MariaDbServer;
  /** `mariadb://` URLs of the application account (no SUPER: the replica refuses its writes). */
  urls(database?: string): { primary: string; replica: string };
  /** SHOW REPLICA STATUS on the replica. */
  status(): Promise<Record<string, any> | undefined>;
  /** Resolves once the replica applied everything the primary has logged. */
  waitForSync(timeoutSeconds?: number): Promise<void>;
  stop(options?: { remove?: boolean }): Promise<void>;
}

export interface RedisServer {
  port: number;
  url: string;
  pid: number;
  /** Stops and starts it again on the same port; `wipe` deletes its data in between. */
  restart(options?: { wipe?: boolean; downMs?: number }): Promise<void>;
  /** One inline command; resolves with the first reply line (e.g. `+PONG`). */
  command(command: string): Promise<string>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Starts it again (after `stop` or `kill`) on the same port and files. */
  start(): Promise<void>;
}

/** One line of CLUSTER NODES (scripts/topology/redis-cluster.cjs). */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  masterId: string | undefined;
  failed: boolean;
  slots: [number, number][];
}

/** A Redis Cluster of its own (scripts/topology/redis-cluster.cjs). */
export interface RedisCluster {
  nodes: RedisServer[];
  /** `127.0.0.1:port,...`: the value of REDIS_CLUSTER_NODES. */
  seeds: string;
  topology(): Promise<ClusterNodeInfo[]>;
  /** The node serving `key`'s slot now. */
  masterOf(key: string): Promise<RedisServer>;
  /** Every running node says cluster_state:ok, every slot has a live master, every running replica is linked. */
  waitForHealthy(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface NginxServer {
  pid: number;
  port: number;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  stop(options?: { graceMs?: number }): Promise<void>;
}

const lib = path.resolve(__dirname, '../../../scripts/topology');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <T>(file: string): T => require(path.join(lib, file)) as T;

const mariadb = load<{
  mariadbBinaries(): object | undefined;
  startMariaDb(options: { dir: string; port: number; serverId: number; name?: string }): Promise<MariaDbServer>;
  startReplicaPair(options: { dir: string; ports: { primary: number; replica: number } }): Promise<ReplicaPair>;
}>('mariadb.cjs');
const redis = load<{
  redisBinary(): string | undefined;
  startRedis(options: { dir: string; port: number; persistent?: boolean }): Promise<RedisServer>;
}>('redis.cjs');
const redisCluster = load<{
  startRedisCluster(options: {
    dir: string;
    masters?: number;
    replicas?: number;
    nodeTimeoutMs?: number;
    persistent?: boolean;
  }): Promise<RedisCluster>;
}>('redis-cluster.cjs');
const nginx = load<{
  nginxBinary(): string | undefined;
  startNginx(options: { dir: string; port: number; upstreams: number[]; webRoot: string }): Promise<NginxServer>;
}>('nginx.cjs');
const processes = load<{ freePort(): Promise<number> }>('process.cjs');

export const { startReplicaPair, startMariaDb, mariadbBinaries } = mariadb;
export const { startRedis, redisBinary } = redis;
export const { startRedisCluster } = redisCluster;
export const { startNginx, nginxBinary } = nginx;
export const { freePort } = processes;

/** The port of an `http://host:port` URL. */
export const portOf = (url: string): number => Number(new URL(url).port);
