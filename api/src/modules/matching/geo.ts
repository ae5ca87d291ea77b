/** Mean Earth radius (km), IUGG. Every distance in matching is computed with this one formula. */
export const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;

export interface Position {
  lat: number;
  lon: number;
}

/**
 * Snaps a position to the centre of its grid cell (about `cellKm` x `cellKm`): rows of equal
 * latitude height, each row cut into cells of equal longitude width at the row's centre latitude.
 * Everything downstream (storage, eligibility, distance buckets) sees only cell centres, so a
 * position can never be recovered more precisely than its cell.
 */
export function snapToGrid(position: Position, cellKm: number): Position {
  const dLat = cellKm / KM_PER_DEGREE;
  const rows = Math.ceil(180 / dLat);
  const row = Math.min(rows - 1, Math.floor((position.lat + 90) / dLat));
  const lat = Math.min(90, -90 + (row + 0.5) * dLat);
  const widthKm = KM_PER_DEGREE * Math.cos((lat * Math.PI) / 180);
  const dLon = widthKm * 360 <= cellKm ? 360 : cellKm / widthKm;
  const column = Math.floor((position.lon + 180) / dLon);
  const lon = -180 + (column + 0.5) * dLon;
  return { lat: round6(lat), lon: round6(lon >= 180 ? lon - 360 : lon) };
}

/** Rounded so that the same cell centre is stored identically everywhere (about 0.1 m). */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Great-circle distance in km (haversine). The Redis adapter's Lua uses the same formula, term by term. */
export function haversineKm(a: Position, b: Position): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The coarse distances shown to users. */
export const DISTANCE_BUCKETS_KM = [1, 2, 5, 10, 20, 50, 100] as const;

/** The smallest bucket at or above the distance ("within N km"). */
export function distanceBucket(km: number): number {
  return DISTANCE_BUCKETS_KM.find((b) => km <= b) ?? 100;
}

/**
 * How far past a search radius the Redis adapter's GEOSEARCH prefilter looks: a ratio of the radius
 * (0.1 %) plus a fixed part in km (10 m). The prefilter must never drop a candidate that the
 * haversine above admits, and GEOSEARCH measures differently: its Earth radius (6372.797560856 km)
 * is 0.028 % larger than EARTH_RADIUS_KM, and it stores positions as 52-bit geohashes (a stored
 * position moves by under 0.4 m). The margin covers both several times over; the haversine then
 * decides exactly, so a wider margin only costs reads (the earlier flat 2 km made a 1 km search
 * read 9 times the area).
 */
export const GEO_PREFILTER_MARGIN = { ratio: 0.001, km: 0.01 } as const;

/** The radius (km) a GEOSEARCH prefilter uses for a search of `radiusKm` (see GEO_PREFILTER_MARGIN). */
export function prefilterRadiusKm(radiusKm: number): number {
  return radiusKm * (1 + GEO_PREFILTER_MARGIN.ratio) + GEO_PREFILTER_MARGIN.km;
}
