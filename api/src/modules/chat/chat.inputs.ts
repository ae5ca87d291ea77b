import { Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'A message to send' })
export class SendMessageInput {
  @Field(() => ID, { description: 'The room' })
  roomId!: string;

  @Field({ description: '1 to 2000 characters after trimming' })
  body!: string;

  @Field({ description: 'A unique key per message chosen by the client (e.g. a UUID); retry with the same key after a failure' })
  @Length(1, 64, { message: 'clientMessageId must be 1 to 64 characters long' })
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'clientMessageId may only contain letters, digits and . _ : -' })
  clientMessageId!: string;
}
