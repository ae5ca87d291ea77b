import { backendKind } from './backend';
import { mariadbBinaries, nginxBinary, redisBinary } from './topology';

/**
 * `describe` for tests that start their own MariaDB / Redis / nginx processes: they run on the real
 * backend pass only, and skip with one line when a binary is missing (under CI=true they fail).
 */
export function describeTopology(name: string, needs: ('mariadb' | 'redis' | 'nginx')[], body: () => void): void {
  if (backendKind() !== 'real') return describe.skip(name, body);
  const found = { mariadb: Boolean(mariadbBinaries()), redis: Boolean(redisBinary()), nginx: Boolean(nginxBinary()) };
  const missing = needs.filter((n) => !found[n]);
  if (missing.length === 0) return describe(name, body);
  const line = `${name}: skipped, ${missing.join(' and ')} not installed (apt-get install -y ${missing.map((m) => (m === 'mariadb' ? 'mariadb-server' : m === 'redis' ? 'redis-server' : m)).join(' ')})`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    describe(name, () =>
      it('has its binaries', () => {
        throw new Error(line);
      }),
    );
    return;
  }
  console.log(line);
  describe.skip(name, body);
}
