"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TEST_ENV = void 0;
exports.startTestServer = startTestServer;
const config_1 = require("../../src/config");
const server_1 = require("../../src/server");
const backend_1 = require("./backend");
/** Settings every test instance starts from: quiet, fast password hashing, a free port. */
exports.TEST_ENV = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    PASSWORD_SCRYPT_LOG_N: '10',
    // Every test user comes from 127.0.0.1; the IP limits get their own tests.
    SIGNUP_MAX_PER_IP: '10000',
    LOGIN_MAX_ATTEMPTS_PER_IP: '10000',
};
/**
 * Starts an API instance in this process on a free port. Pass `backend` to share one database and
 * Redis prefix between instances; otherwise a fresh backend is created and dropped on close.
 */
async function startTestServer(options = {}) {
    const backend = options.backend ?? (await (0, backend_1.createTestBackend)());
    const config = (0, config_1.loadConfig)({ ...exports.TEST_ENV, ...backend.env, ...options.env });
    const server = await (0, server_1.startServer)(config);
    return {
        url: server.url,
        graphqlUrl: `${server.url}/graphql`,
        wsUrl: `${server.url.replace(/^http/, 'ws')}/graphql`,
        backend,
        server,
        async close() {
            await server.close();
            if (!options.backend)
                await backend.cleanup();
        },
    };
}
//# sourceMappingURL=test-server.js.map