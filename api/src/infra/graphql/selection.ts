import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation selects any field named in `names` below the resolving field, along `path`
 * (field names, not aliases; through fragments and inline fragments). `@skip` and `@include` are not
 * evaluated: a field they might leave out counts as selected, so a caller that saves work when a
 * field is not selected never saves it wrongly.
 */
export function selectsAny(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  path: readonly string[],
  names: readonly string[],
): boolean {
  const fieldsOf = (set: SelectionSetNode | undefined): FieldNode[] =>
    (set?.selections ?? []).flatMap((s) => {
      if (s.kind === Kind.FIELD) return [s];
      if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet);
      return fieldsOf(info.fragments[s.name.value]?.selectionSet);
    });
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) level = level.flatMap((f) => fieldsOf(f.selectionSet)).filter((f) => f.name.value === name);
  return level.some((f) => fieldsOf(f.selectionSet).some((s) => names.includes(s.name.value)));
}
