"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.mysqlTestUrl = exports.backendKind = void 0;
exports.createTestBackend = createTestBackend;
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = __importDefault(require("node:os"));
const node_path_1 = __importDefault(require("node:path"));
const promise_1 = require("mysql2/promise");
const redis_1 = require("./redis");
const backendKind = () => (process.env.RANDCHAT_TEST_BACKEND === 'real' ? 'real' : 'embedded');
exports.backendKind = backendKind;
/** Base URL of the MariaDB server tests create their databases on. */
const mysqlTestUrl = () => process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306';
exports.mysqlTestUrl = mysqlTestUrl;
/** A fresh, isolated backend for one test file: its own SQLite dir, or its own MySQL database and Redis prefix. */
async function createTestBackend(kind = (0, exports.backendKind)()) {
    const dataDir = (0, node_fs_1.mkdtempSync)(node_path_1.default.join(node_os_1.default.tmpdir(), 'randchat-test-'));
    const removeDataDir = () => (0, node_fs_1.rmSync)(dataDir, { recursive: true, force: true });
    const common = { DATA_DIR: dataDir, JWT_SECRET: (0, node_crypto_1.randomBytes)(48).toString('base64url') };
    if (kind === 'embedded')
        return { kind, env: common, cleanup: async () => removeDataDir() };
    const database = `rct_${(0, node_crypto_1.randomBytes)(6).toString('hex')}`;
    const admin = await (0, promise_1.createConnection)((0, exports.mysqlTestUrl)());
    await admin.query(`CREATE DATABASE \`${database}\``);
    const [[{ version }]] = (await admin.query('SELECT VERSION() AS version'));
    await admin.end();
    // The API picks its MariaDB or MySQL driver from the URL scheme.
    const scheme = /mariadb/i.test(version) ? 'mariadb:' : 'mysql:';
    const databaseUrl = `${(0, exports.mysqlTestUrl)().replace(/^mysql:/, scheme)}/${database}`;
    const redis = (0, redis_1.createTestRedis)();
    return {
        kind,
        env: { ...common, DATABASE_URL: databaseUrl, REDIS_URL: (0, redis_1.redisTestUrl)(), REDIS_PREFIX: redis.prefix },
        async cleanup() {
            const conn = await (0, promise_1.createConnection)((0, exports.mysqlTestUrl)());
            await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
            await conn.end();
            await redis.cleanup();
            removeDataDir();
        },
    };
}
//# sourceMappingURL=backend.js.map