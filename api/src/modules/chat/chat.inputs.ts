import { Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'A message to send' })
export class SendMessageInput {
  @Field(() => ID, { description: 'The room' })
  roomId!: string;

  @Field(() => String, {
    nullable: true,
    description: '1 to 2000 characters after trimming; may be empty or absent when imageId is given',
  })
  body?: string | null;

  @Field(() => ID, { nullable: true, description: 'An image to send: the id POST /uploads returned (your own upload)' })
  imageId?: string | null;

  @Field({
    description: 'A unique key per message chosen by the client (e.g. a UUID); retry with the same key after a failure',
  })
  @Length(1, 64, { message: 'clientMessageId must be 1 to 64 characters long' })
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'clientMessageId may only contain letters, digits and . _ : -' })
  clientMessageId!: string;
}
