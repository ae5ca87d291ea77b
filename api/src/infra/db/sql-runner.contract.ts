import { randomUUID } from 'node:crypto';
import { EntitySchema, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Orm } from './orm';
import type { SqlRunner } from './sql-runner.port';
import { dateFromColumn } from './sql-values';

/** A table for the suite, created by the ORM from this schema on both platforms. */
export interface Probe {
  id: string;
  n: number;
  label: string;
  at?: Date | null;
}
export const Probe = new EntitySchema<Probe>({
  name: 'Probe',
  tableName: 'sql_runner_probes',
  properties: {
    id: { type: 'string', length: 36, primary: true },
    n: { type: 'integer', unique: true },
    label: { type: 'string', length: 32 },
    at: { type: 'datetime', length: 3, nullable: true },
  },
});

/** An ORM over a fresh database holding Probe's table (empty), and the runner `sqlRunnerFor` makes of it. */
export interface SqlRunnerFixture {
  orm: Orm;
  runner: SqlRunner;
  /** Statements counted by the ORM's `onQuery` hook so far (the app's statement metric). */
  statements(): number;
  cleanup(): Promise<void>;
}

const INSERT = 'INSERT INTO sql_runner_probes (id, n, label, at) VALUES (?, ?, ?, ?)';
const LABELS = 'SELECT label FROM sql_runner_probes ORDER BY n';

/** The behaviour every SqlRunner adapter shares, on the ORM's own connections. */
export function sqlRunnerContract(name: string, open: () => Promise<SqlRunnerFixture>): void {
  describe(`SqlRunner: ${name}`, () => {
    let fixture: SqlRunnerFixture;
    let runner: SqlRunner;
    const labels = async () => (await runner.all<{ label: string }>(LABELS)).map((r) => r.label);
    /** What the ORM itself reads: the runner shares its database and its conventions. */
    const viaOrm = () => fixture.orm.em.fork().find(Probe, {}, { orderBy: { n: 'asc' } });

    beforeAll(async () => {
      fixture = await open();
      runner = fixture.runner;
    });
    afterAll(() => fixture.cleanup());
    beforeEach(() => fixture.orm.em.fork().nativeDelete(Probe, {}));

    describe('statements', () => {
      it('binds placeholders in order and returns rows with the selected column names', async () => {
        await runner.session((db) => db.run(INSERT, [randomUUID(), 1, 'one', null]));
        await runner.session((db) => db.run(INSERT, [randomUUID(), 2, 'two', null]));
        const rows = await runner.all<{ n: number; name: string }>(
          'SELECT n, label AS name FROM sql_runner_probes WHERE n >= ? AND label <> ? ORDER BY n',
          [1, 'one'],
        );
        expect(rows.map((r) => ({ n: Number(r.n), name: r.name }))).toEqual([{ n: 2, name: 'two' }]);
      });

      it('reports the rows an UPDATE matched, also those it left unchanged', async () => {
        await runner.session((db) => db.run(INSERT, [randomUUID(), 1, 'same', null]));
        const result = await runner.session((db) =>
          db.run('UPDATE sql_runner_probes SET label = ? WHERE n = ?', ['same', 1]),
        );
        expect(result.affectedRows).toBe(1);
        const none = await runner.session((db) =>
          db.run('UPDATE sql_runner_probes SET label = ? WHERE n = ?', ['x', 9]),
        );
        expect(none.affectedRows).toBe(0);
      });

      it('reads a value back from a write in the dialect it names', async () => {
        await runner.session((db) => db.run(INSERT, [randomUUID(), 41, 'counter', null]));
        const next = await runner.session(async (db) => {
          if (runner.dialect === 'mysql') {
            return (await db.run('UPDATE sql_runner_probes SET n = LAST_INSERT_ID(n + 1) WHERE label = ?', ['counter']))
              .insertId;
          }
          const [row] = await db.all<{ n: number }>(
            'UPDATE sql_runner_probes SET n = n + 1 WHERE label = ? RETURNING n',
            ['counter'],
          );
          return Number(row!.n);
        });
        expect(next).toBe(42);
      });

      it('binds and returns dates as the ORM stores them', async () => {
        const at = new Date('2026-03-04T05:06:07.089Z');
        await runner.session((db) => db.run(INSERT, [randomUUID(), 1, 'by runner', at]));
        const em = fixture.orm.em.fork();
        await em.persist(em.create(Probe, { id: randomUUID(), n: 2, label: 'by orm', at })).flush();
        expect((await viaOrm()).map((p) => p.at?.toISOString())).toEqual([at.toISOString(), at.toISOString()]);
        const rows = await runner.all<{ at: unknown }>('SELECT at FROM sql_runner_probes ORDER BY n');
        expect(rows.map((r) => dateFromColumn(r.at).toISOString())).toEqual([at.toISOString(), at.toISOString()]);
      });

      it('counts each statement through the ORM statement hook', async () => {
        const before = fixture.statements();
        await runner.session(async (db) => {
          await db.begin();
          await db.run(INSERT, [randomUUID(), 1, 'counted', null]);
          await db.commit();
        });
        expect(fixture.statements() - before).toBe(3);
      });
    });

    describe('transactions', () => {
      it('shows writes to others only once committed', async () => {
        await runner.session(async (db) => {
          await db.begin();
          await db.run(INSERT, [randomUUID(), 1, 'pending', null]);
          if (runner.dialect === 'mysql') expect(await viaOrm()).toEqual([]);
          await db.commit();
        });
        expect((await viaOrm()).map((p) => p.label)).toEqual(['pending']);
      });

      it('discards rolled back writes', async () => {
        await runner.session(async (db) => {
          await db.begin();
          await db.run(INSERT, [randomUUID(), 1, 'discarded', null]);
          await db.rollback();
        });
        expect(await labels()).toEqual([]);
      });

      it('rolls back what a failing session began, and hands out its connection clean', async () => {
        const failing = runner.session(async (db) => {
          await db.begin();
          await db.run(INSERT, [randomUUID(), 1, 'never', null]);
          throw new Error('work failed');
        });
        await expect(failing).rejects.toThrow('work failed');
        // Without a transaction of its own, a later session's write commits at once.
        await runner.session((db) => db.run(INSERT, [randomUUID(), 2, 'autocommitted', null]));
        expect((await viaOrm()).map((p) => p.label)).toEqual(['autocommitted']);
      });

      it('runs statements issued before an answer in the order issued', async () => {
        const seen = await runner.session(async (db) => {
          const begun = db.begin();
          const first = db.run(INSERT, [randomUUID(), 1, 'first', null]);
          const second = db.run(INSERT, [randomUUID(), 2, 'second', null]);
          const read = db.all<{ label: string }>(LABELS);
          await Promise.all([begun, first, second]);
          const rows = await read;
          await db.commit();
          return rows.map((r) => r.label);
        });
        expect(seen).toEqual(['first', 'second']);
        expect(await labels()).toEqual(['first', 'second']);
      });

      it("rejects a duplicate key with the ORM's UniqueConstraintViolationException and keeps the transaction usable", async () => {
        await runner.session(async (db) => {
          await db.begin();
          await db.run(INSERT, [randomUUID(), 1, 'kept', null]);
          await expect(db.run(INSERT, [randomUUID(), 1, 'duplicate', null])).rejects.toBeInstanceOf(
            UniqueConstraintViolationException,
          );
          await db.commit();
        });
        expect(await labels()).toEqual(['kept']);
      });

      it('gives concurrent sessions consecutive values from one locked row', async () => {
        await runner.session((db) => db.run(INSERT, [randomUUID(), 0, 'counter', null]));
        const bump = () =>
          runner.session(async (db) => {
            await db.begin();
            let value: number;
            if (runner.dialect === 'mysql') {
              value = (
                await db.run('UPDATE sql_runner_probes SET n = LAST_INSERT_ID(n + 1) WHERE label = ?', ['counter'])
              ).insertId;
            } else {
              const [row] = await db.all<{ n: number }>(
                'UPDATE sql_runner_probes SET n = n + 1 WHERE label = ? RETURNING n',
                ['counter'],
              );
              value = Number(row!.n);
            }
            await db.commit();
            return value;
          });
        const values = await Promise.all(Array.from({ length: 40 }, bump));
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      });
    });
  });
}
