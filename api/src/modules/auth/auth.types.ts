import { Field, ObjectType } from 'type-graphql';
import { UserObject } from '../users';

@ObjectType('AuthPayload', { description: 'Tokens of a new login session' })
export class AuthPayload {
  @Field({ description: 'Bearer token for HTTP and the WebSocket connection_init payload; short-lived' })
  accessToken!: string;

  @Field({
    description:
      'Opaque, single-use token for refreshToken; rotated on every use (the web app uses the HttpOnly cookie instead)',
  })
  refreshToken!: string;

  @Field({ description: 'When accessToken stops being accepted' })
  accessTokenExpiresAt!: Date;

  @Field(() => UserObject, { description: 'The signed-in user' })
  user!: UserObject;
}
