// Worker side of bench/lib/worker.mjs: exposes an object's async methods over IPC.
export function serve(methods) {
  process.on('message', async (msg) => {
    if (!msg || typeof msg.method !== 'string') return;
    try {
      const fn = methods[msg.method];
      if (!fn) throw new Error(`no method ${msg.method}`);
      const result = await fn(msg.args ?? {});
      process.send({ id: msg.id, result: result ?? null });
    } catch (err) {
      process.send({ id: msg.id, error: err?.stack ?? String(err) });
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}
