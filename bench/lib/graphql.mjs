// GraphQL over HTTP from the orchestrator (setup and checks, not load).

/**
 * A GraphQL answer as JSON, with the HTTP status and the raw text. `D` is the shape of what the
 * query selected, as the caller states it (the variable the answer is assigned to).
 * @template [D=unknown]
 * @typedef {{ status: number, text: string, data?: D | null, errors?: { message: string }[] }} GqlAnswer
 */

/**
 * @template [D=unknown]
 * @param {string} url
 * @param {string | null | undefined} token sent as a bearer token when set
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<GqlAnswer<D>>}
 */
export async function gql(url, token, query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  /** @type {{ data?: D | null, errors?: { message: string }[] }} the JSON body (its shape as the caller states) */
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON answer (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, text, ...json };
}

/**
 * Like gql, but throws unless the answer has data and no errors.
 * @template [D=unknown]
 * @param {string} url
 * @param {string | null | undefined} token
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<GqlAnswer<D> & { data: D }>}
 */
export async function gqlOk(url, token, query, variables) {
  /** @type {GqlAnswer<D>} */
  const res = await gql(url, token, query, variables);
  const { data } = res;
  if (res.errors?.length || !data)
    throw new Error(`GraphQL errors: ${JSON.stringify(res.errors ?? res).slice(0, 500)}`);
  return { ...res, data };
}
