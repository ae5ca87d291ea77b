import { DriverException } from '@mikro-orm/core';
import { unavailableFrom } from './unavailable';

describe('unavailableFrom', () => {
  it("answers UNAVAILABLE for a pool wait cut short by the pool's destruction (an instance stopping)", () => {
    // What the ORM throws for knex's (tarn's) aborted acquisition.
    const error = unavailableFrom(new DriverException(new Error('aborted')));
    expect(error?.extensions).toEqual({ code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) });
  });

  it('leaves other errors alone, also ones that mention an abort', () => {
    expect(unavailableFrom(new DriverException(new Error('the request was aborted by the user')))).toBeNull();
    expect(unavailableFrom(new Error('boom'))).toBeNull();
  });
});
