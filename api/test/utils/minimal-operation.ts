import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';

/** A required argument or input field: non-null and without a default. */
const required = (a: { type: GraphQLInputType; defaultValue?: unknown }) =>
  isNonNullType(a.type) && a.defaultValue === undefined;

/** A plausible literal for an input type: Int 1, String "x", Boolean true, ID `id`, input objects recursively. */
function literal(type: GraphQLInputType, id: string): string {
  if (isNonNullType(type)) return literal(type.ofType, id);
  if (isListType(type)) return `[${literal(type.ofType, id)}]`;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter(required);
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type, id)}`).join(', ')} }`;
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  const scalars: Record<string, string> = {
    Int: '1',
    Float: '1',
    Boolean: 'true',
    String: '"x"',
    ID: JSON.stringify(id),
    DateTime: '"2020-01-01T00:00:00.000Z"',
  };
  const value = scalars[type.name];
  if (value === undefined) throw new Error(`minimalOperation: no plausible value for scalar ${type.name}`);
  return value;
}

/**
 * The smallest valid document calling one root field: every required argument filled with a
 * plausible literal (each ID gets `id`), plus the optional arguments named in `alsoArgs` (e.g.
 * `roomId`, so that an optional room is named too), and `{ __typename }` as the selection of an
 * object result.
 */
export function minimalOperation(
  kind: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
  id: string,
  alsoArgs: readonly string[] = [],
): string {
  const args = field.args.filter((a) => required(a) || alsoArgs.includes(a.name));
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${literal(a.type, id)}`).join(', ')})` : '';
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return `${kind} { ${field.name}${argText}${selection} }`;
}
