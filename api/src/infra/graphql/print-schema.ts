import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

const HEADER = '# Generated from the API resolvers by `npm run schema`. Do not edit by hand.\n\n';

/** The committed `schema.graphql`: sorted so that diffs show real changes only. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return `${HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
