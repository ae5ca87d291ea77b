// The `me` query's schema as the servers beside the API declare it (bench/workers).

/** What the constant rows (express + Apollo, mercurius) answer `me` from: the same plain types. */
export const CONSTANT_TYPE_DEFS = `
  type Query { me: User }
  type User { id: ID! nickname: String! email: String gender: String birthYear: Int createdAt: String! }
`;

/**
 * The part of the API's schema (schema.graphql) that `me { id nickname email gender birthYear
 * createdAt }` touches, with the same types and nullability: the peer row answers it for real.
 */
export const ME_TYPE_DEFS = `
  scalar DateTime
  enum Gender { FEMALE MALE NONBINARY }
  type Query { me: User! }
  type User { id: ID! nickname: String! email: String gender: Gender birthYear: Int createdAt: DateTime! }
`;
