import { Field, ObjectType } from 'type-graphql';
import type { PushSubscription } from './push-subscription.entity';

@ObjectType('PushDevice', { description: 'One of your devices registered for Web Push (keys are never shown)' })
export class PushDeviceObject {
  @Field({ description: 'The name given when registering' })
  deviceLabel!: string;

  @Field({ description: 'Whether pushes to this device show the start of a message' })
  previews!: boolean;

  @Field({ description: 'When the device was first registered' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a push last reached its push service' })
  lastUsedAt!: Date | null;
}

export const toPushDeviceObject = (row: PushSubscription): PushDeviceObject => ({
  deviceLabel: row.deviceLabel,
  previews: row.previews,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt ?? null,
});
