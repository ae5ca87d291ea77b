import { randomBytes } from 'node:crypto';
import { gql } from './graphql';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id nickname email } }
}`;

/** Signs up a fresh user through the API and returns their credentials and tokens. */
export async function signUpUser(graphqlUrl: string, overrides: Record<string, unknown> = {}): Promise<TestUser> {
  const email = `u${randomBytes(6).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  const res = await gql(graphqlUrl, SIGN_UP, { input: { email, password, nickname: 'Tester', ...overrides } });
  const payload = res.data?.signUp;
  if (!payload) throw new Error(`signUp failed: ${JSON.stringify(res.errors)}`);
  return { id: payload.user.id, email, password, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}
