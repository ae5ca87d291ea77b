'use strict';
// Runs the built API (api/dist/main.js) unchanged, plus an IPC channel for the bench: a full GC and
// process.memoryUsage() on request. Started with --expose-gc by bench/lib/api.mjs.
const path = require('node:path');

process.on('message', (/** @type {{ type?: string, id?: number, gc?: boolean } | null} */ msg) => {
  if (!msg || msg.type !== 'memory') return;
  if (msg.gc && typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  process.send?.({ type: 'memory', id: msg.id, usage: process.memoryUsage() });
});
// The IPC channel must not keep the process alive once the API has shut down.
process.channel?.unref();

require(path.resolve(__dirname, '../../api/dist/main.js'));
