import { Field, InputType } from 'type-graphql';

@InputType({ description: "A device's encryption keys, as the browser's PushSubscription.toJSON() has them" })
export class PushSubscriptionKeysInput {
  @Field({ description: "The device's P-256 public key: 65 bytes, URL-safe base64" })
  p256dh!: string;

  @Field({ description: 'The auth secret: 16 bytes, URL-safe base64' })
  auth!: string;
}

@InputType({ description: "One device's Web Push subscription (pushManager.subscribe with the API's pushPublicKey)" })
export class PushSubscriptionInput {
  @Field({ description: 'The push service URL (https; http only to localhost outside production)' })
  endpoint!: string;

  @Field(() => PushSubscriptionKeysInput, { description: "The device's keys (PushSubscription.toJSON().keys)" })
  keys!: PushSubscriptionKeysInput;

  @Field({ description: 'A name for this device, 1 to 60 characters ("Phone", "Laptop")' })
  deviceLabel!: string;

  @Field({
    defaultValue: false,
    description: 'Whether pushes to this device may show the start of a message; without it they never carry text',
  })
  previews!: boolean;
}
