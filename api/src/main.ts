import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { startServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const server = await startServer(config);
  // One line for people next to the JSON logs (stderr: stdout stays JSON for log collectors).
  const open = config.account.publicUrl ?? `http://localhost:${server.port}`;
  console.error(`randchat is running: open ${open}`);
  const stop = (signal: string) => {
    server.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      server.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`randchat api failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
