import type { GraphqlResponse } from './graphql';

/** The response's data; throws with the errors when the operation failed (clearer than `data!`). */
export function ok<T>(res: GraphqlResponse<T>): T {
  if (res.errors?.length || !res.data) throw new Error(`expected data, got errors ${JSON.stringify(res.errors)}`);
  return res.data;
}
