import fc from 'fast-check';
import { EARTH_RADIUS_KM, haversineKm, prefilterRadiusKm, type Position } from './geo';
import { cellOf, cellsReaching } from './match-cells';

const RAD = Math.PI / 180;

/** The point `km` away from `from` on the initial bearing `bearing` (degrees), on geo.ts' sphere. */
function destination(from: Position, bearing: number, km: number): Position {
  const delta = km / EARTH_RADIUS_KM;
  const [lat1, lon1, theta] = [from.lat * RAD, from.lon * RAD, bearing * RAD];
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(delta) + Math.cos(lat1) * Math.sin(delta) * Math.cos(theta));
  const lon2 =
    lon1 +
    Math.atan2(Math.sin(theta) * Math.sin(delta) * Math.cos(lat1), Math.cos(delta) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: lat2 / RAD, lon: ((((lon2 / RAD + 180) % 360) + 360) % 360) - 180 };
}

const position = fc.oneof(
  fc.record({
    lat: fc.double({ min: -89.99, max: 89.99, noNaN: true }),
    lon: fc.double({ min: -180, max: 179.999, noNaN: true }),
  }),
  // Near a pole, where rows have few wide columns, and near the antimeridian, where columns wrap.
  fc.record({
    lat: fc.oneof(fc.double({ min: -89.99, max: -88, noNaN: true }), fc.double({ min: 88, max: 89.99, noNaN: true })),
    lon: fc.oneof(fc.double({ min: -180, max: -179, noNaN: true }), fc.double({ min: 179, max: 179.999, noNaN: true })),
  }),
);

describe('cellsReaching', () => {
  it('holds the cell of every point within the radius plus the prefilter margin (near the poles and across the antimeridian too)', () => {
    fc.assert(
      fc.property(
        position,
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.constantFrom(1, 2.5, 5, 10, 50),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (from, radiusKm, cellKm, bearing, fraction) => {
          const reachKm = prefilterRadiusKm(radiusKm);
          const target = destination(from, bearing, reachKm * fraction);
          fc.pre(haversineKm(from, target) <= reachKm);
          expect(cellsReaching(from, radiusKm, cellKm)).toContain(cellOf(target, cellKm));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("lists each cell once, the position's own among them", () => {
    fc.assert(
      fc.property(
        position,
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.constantFrom(1, 5, 10),
        (from, r, km) => {
          const cells = cellsReaching(from, r, km);
          expect(new Set(cells).size).toBe(cells.length);
          expect(cells).toContain(cellOf(from, km));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('lists only the cells the circle can reach: 5 km searches on 10 km cells read about 4, never more than 9', () => {
    // A circle 11 km across (5 km and the margin) spans 2 rows and 2 columns of 10 km cells, a third
    // of either now and then; the corner cells beyond its rim are left out.
    const counts = fc
      .sample(
        position.map((p) => ({ lat: 37.3 + (p.lat + 90) / 400, lon: 126.8 + (p.lon + 180) / 600 })),
        {
          numRuns: 2000,
          seed: 7,
        },
      )
      .map((from) => cellsReaching(from, 5, 10).length);
    expect(Math.max(...counts)).toBeLessThanOrEqual(9);
    expect(counts.reduce((sum, n) => sum + n, 0) / counts.length).toBeLessThan(5);
  });
});
