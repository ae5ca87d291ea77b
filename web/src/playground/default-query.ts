/** Shown in the first tab until the user edits it (GraphiQL keeps later edits in localStorage). */
export const DEFAULT_QUERY = `# randchat GraphQL playground
#
# 1. Get a token: run LogIn below with your
#    account (or signUp for a new one; a server
#    that verifies emails wants requestEmailCode
#    first). Copy its accessToken.
# 2. In the Headers tab below, replace <token>:
#      { "Authorization": "Bearer eyJhbGc..." }
#    Queries and mutations send that header over
#    HTTP; subscriptions send it in the graphql-ws
#    connection_init payload: one token, both.
#    Headers are not saved when you leave.
# 3. Run Me, or MatchEvents: a subscription stays
#    open and shows each event as it arrives.
#
# Access tokens are short-lived (15 min default):
# refreshToken(refreshToken: "...") renews them.
# A subscription closes with 4401 when its token
# expires; a bad or missing token gets 4403.
# Every type and field is described in the
# Documentation Explorer (first icon, top left).
# Ctrl+Enter runs the operation under the cursor.

mutation LogIn {
  logIn(
    input: { email: "you@example.com", password: "secret" }
  ) {
    accessToken
    refreshToken
    accessTokenExpiresAt
    user { id nickname }
  }
}

query Me {
  me { id nickname email createdAt }
}

subscription MatchEvents {
  matchEvents {
    type matchId distanceKm expiresAt
    partner { nickname }
  }
}
`;

/** A hint in the header editor; the fetcher sends it on HTTP and in connection_init alike. */
export const DEFAULT_HEADERS = `{
  "Authorization": "Bearer <token>"
}`;
