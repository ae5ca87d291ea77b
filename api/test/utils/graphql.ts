export interface GraphqlResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface GraphqlRequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** POSTs one operation to /graphql as a third-party client would. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: GraphqlRequestOptions = {},
): Promise<GraphqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphqlResponse<T>, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...body };
}

/** The `extensions.code` of each error, for assertions. */
export const codes = (res: GraphqlResponse): unknown[] => (res.errors ?? []).map((e) => e.extensions?.code);
