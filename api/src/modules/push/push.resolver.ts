import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import { PushSubscriptionInput } from './push.inputs';
import type { PushService } from './push.service';
import { PushDeviceObject, toPushDeviceObject } from './push.types';

/** Web Push: the key browsers subscribe with, and each device's subscription. */
@Resolver()
export class PushResolver {
  constructor(private readonly push: PushService) {}

  @Query(() => String, {
    nullable: true,
    description:
      'The VAPID public key (URL-safe base64) to pass as applicationServerKey to pushManager.subscribe; null when this server sends no Web Push',
  })
  pushPublicKey(): string | null {
    return this.push.publicKey;
  }

  @Authorized()
  @Query(() => PushDeviceObject, {
    nullable: true,
    description: 'Your device registered with this endpoint (to show its settings), or null',
  })
  async pushDevice(
    @Arg('endpoint', { description: "The device's push endpoint (PushSubscription.endpoint)" }) endpoint: string,
    @Ctx() ctx: Context,
  ): Promise<PushDeviceObject | null> {
    const row = await this.push.device(ctx.em, viewerId(ctx), endpoint);
    return row && toPushDeviceObject(row);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Stores this device for notifications while no app is open: offers, and messages while you have no live connection. Again for the same endpoint: updated (also its previews choice). FORBIDDEN (reason PUSH_DISABLED) when pushPublicKey is null',
  })
  async registerPushSubscription(
    @Arg('input', () => PushSubscriptionInput, { description: 'The subscription, its label and previews choice' })
    input: PushSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.push.register(ctx.em, viewerId(ctx), input);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Stops notifications to one of your devices; false when you have no device with this endpoint',
  })
  unregisterPushSubscription(
    @Arg('endpoint', { description: 'The endpoint the device was registered with' }) endpoint: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return this.push.unregister(ctx.em, viewerId(ctx), endpoint);
  }
}
