import { z } from 'zod';

/**
 * The configuration is one zod schema of the nested shape the code reads (`config.auth.accessTokenTtlMs`).
 * Each leaf names its environment variable with `env(...)`; `readEnv` walks the schema and builds its
 * input from those names, so a variable is written once: its name, parser, default, limits and doc
 * sit on one leaf, and the `Config` type is the schema's output.
 */

export interface EnvVariable {
  /** The environment variable, e.g. `ACCESS_TOKEN_TTL`. */
  name: string;
  /** One line for readers of the declaration (the README's Configuration table says it to operators). */
  doc: string;
  /** Where its value lands in the config, e.g. `['auth', 'accessTokenTtlMs']`. */
  path: string[];
}

const leaves = z.registry<{ name: string; doc: string }>();

/** Marks `schema` as the parser of environment variable `name` (given the string, or undefined when unset). */
export function env<S extends z.ZodType>(name: string, schema: S, doc: string): S {
  leaves.add(schema, { name, doc });
  return schema;
}

type Present<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };

/**
 * A section that exists only when all of `keys` are set (`config.redis` only with `REDIS_URL`). Its other
 * variables are still parsed and its rules still run when it is absent, so a bad value never hides.
 */
export function presentWhen<S extends z.ZodObject, K extends keyof z.output<S> & string>(keys: K[], section: S) {
  return section
    .transform((v) => (keys.every((k) => v[k] !== undefined) ? (v as Present<z.output<S>, K>) : undefined))
    .optional();
}

/**
 * A section that exists when at least one of `keys` is set (a non-empty list counts as set), e.g.
 * `config.redis` with either `REDIS_URL` or `REDIS_CLUSTER_NODES`. Like `presentWhen`, its other
 * variables are still parsed and its rules still run when it is absent.
 */
export function presentWhenAny<S extends z.ZodType, K extends keyof z.output<S> & string>(keys: K[], section: S) {
  const isSet = (value: unknown) => value !== undefined && !(Array.isArray(value) && value.length === 0);
  return section.transform((v) => (keys.some((k) => isSet(v[k])) ? v : undefined)).optional();
}

/** The object under wrappers such as `presentWhen`, `.superRefine`, `.transform`; undefined for a bare leaf. */
function objectOf(schema: z.ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodOptional) return objectOf(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return objectOf(schema.in as z.ZodType);
  return undefined;
}

/** Every variable of `schema`, in declaration order; throws on a leaf without a name or a name used twice. */
export function envVariables(schema: z.ZodType, path: string[] = []): EnvVariable[] {
  const leaf = leaves.get(schema);
  if (leaf) return [{ ...leaf, path }];
  const object = objectOf(schema);
  if (!object) throw new Error(`config: ${path.join('.') || '(root)'} is neither an object nor an env(...) leaf`);
  const found = Object.entries(object.shape).flatMap(([key, child]) =>
    envVariables(child as z.ZodType, [...path, key]),
  );
  const names = found.map((v) => v.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new Error(`config: ${twice} is declared twice`);
  return found;
}

/** The schema's input: each variable's value at its path; blank counts as unset. */
export function readEnv(variables: EnvVariable[], source: Record<string, string | undefined>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const { name, path } of variables) {
    let node = input;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    const value = source[name];
    node[path.at(-1)!] = value === '' ? undefined : value;
  }
  return input;
}

/** Names an issue at `path` by its variable (the one whose path is the longest prefix), plus any item index. */
export function nameOfIssue(variables: EnvVariable[], path: readonly PropertyKey[]): string {
  let best: EnvVariable | undefined;
  for (const v of variables) {
    if (v.path.length <= path.length && v.path.every((key, i) => key === path[i])) {
      if (!best || v.path.length > best.path.length) best = v;
    }
  }
  return best ? [best.name, ...path.slice(best.path.length).map(String)].join('.') : 'environment';
}

/** A rule for two variables set together or not at all; the issue names the missing one. */
export function together<K extends string>(a: K, b: K, message: string) {
  return (section: Partial<Record<K, unknown>>, ctx: z.RefinementCtx) => {
    if (Boolean(section[a]) !== Boolean(section[b])) {
      ctx.addIssue({ code: 'custom', path: [section[a] ? b : a], message });
    }
  };
}
