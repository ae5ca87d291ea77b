// GraphQL over HTTP from the orchestrator (setup and checks, not load).
export async function gql(url, token, query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON answer (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, text, ...json };
}

/** Like gql, but throws unless the answer has data and no errors. */
export async function gqlOk(url, token, query, variables) {
  const res = await gql(url, token, query, variables);
  if (res.errors?.length || !res.data)
    throw new Error(`GraphQL errors: ${JSON.stringify(res.errors ?? res).slice(0, 500)}`);
  return res;
}
