import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('TrustPolicy', {
  description: "This server's safety rules, for clients to explain them before they refuse",
})
export class TrustPolicy {
  @Field({
    description:
      'REQUIRE_PHONE_VERIFICATION: requestMatch and sendMessage answer FORBIDDEN (reason PHONE_VERIFICATION_REQUIRED) ' +
      'until the account verified a phone number (requestPhoneCode, verifyPhone)',
  })
  phoneVerificationRequired!: boolean;

  @Field(() => Int, {
    description: 'ADULT_AGE: members are adults from January 1 of the year they turn it (19: the Korean rule)',
  })
  adultAge!: number;

  @Field(() => Int, { description: 'The latest birth year accepted today (sign-up and profile changes)' })
  maxAdultBirthYear!: number;

  @Field(() => Int, {
    description:
      "LINK_GUARD_MESSAGES: links, email addresses and phone numbers are hidden in a sender's first this many " +
      'messages of each room (0: never); Message.masked says what was hidden',
  })
  linkGuardMessages!: number;
}
