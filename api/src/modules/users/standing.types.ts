import { Field, ObjectType } from 'type-graphql';

@ObjectType('ModerationWarning', { description: "A moderator's warning, shown to the warned user until dismissed" })
export class WarningObject {
  @Field(() => String, { nullable: true, description: "The moderator's words to the user, if any" })
  note!: string | null;

  @Field({ description: 'When the warning was given' })
  issuedAt!: Date;
}
