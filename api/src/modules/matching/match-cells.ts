import { EARTH_RADIUS_KM, prefilterRadiusKm, type Position } from './geo';

const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;
const RAD = Math.PI / 180;

/**
 * The area cells of the sharded queue (match-queue.sharded.ts): geo.ts' grid at a coarse size,
 * rows of `cellKm` latitude height, each row cut into columns about `cellKm` wide at its centre
 * latitude. A cell's id is `<row>.<column>`; each cell is one Redis Cluster slot.
 */
interface Row {
  index: number;
  /** The row's southern and northern edges (degrees). */
  south: number;
  north: number;
  /** Column width (degrees of longitude) and count; the last column may be narrower. */
  width: number;
  columns: number;
}

function rowsOf(cellKm: number) {
  const height = cellKm / KM_PER_DEGREE;
  const count = Math.ceil(180 / height);
  const row = (index: number): Row => {
    const south = -90 + index * height;
    const north = Math.min(90, south + height);
    const widthKm = KM_PER_DEGREE * Math.cos(((south + north) / 2) * RAD);
    const width = widthKm * 360 <= cellKm ? 360 : cellKm / widthKm;
    return { index, south, north, width, columns: Math.ceil(360 / width) };
  };
  const indexOf = (lat: number) => Math.max(0, Math.min(count - 1, Math.floor((lat + 90) / height)));
  return { row, indexOf };
}

const columnOf = (row: Row, lon: number) =>
  Math.min(row.columns - 1, Math.floor(((((lon + 180) % 360) + 360) % 360) / row.width));

/** The cell holding a position. */
export function cellOf(position: Position, cellKm: number): string {
  const rows = rowsOf(cellKm);
  const row = rows.row(rows.indexOf(position.lat));
  return `${row.index}.${columnOf(row, position.lon)}`;
}

/**
 * Every cell that may hold a position within `radiusKm` of `position` (haversine, plus the GEOSEARCH
 * prefilter's margin): a superset, never missing one. A point at distance d differs in latitude by at
 * most d / KM_PER_DEGREE, and by the haversine, sin²(Δlon/2) <= sin²(d/2R) / (cos φ cos φ'), taken at
 * the row's latitude farthest from the equator.
 */
export function cellsReaching(position: Position, radiusKm: number, cellKm: number): string[] {
  const reachKm = prefilterRadiusKm(radiusKm);
  const rows = rowsOf(cellKm);
  const dLat = reachKm / KM_PER_DEGREE;
  const cells: string[] = [];
  const sinHalf = Math.sin(Math.min(Math.PI / 2, reachKm / (2 * EARTH_RADIUS_KM)));
  for (let index = rows.indexOf(position.lat - dLat); index <= rows.indexOf(position.lat + dLat); index++) {
    const row = rows.row(index);
    const farthest = Math.max(
      Math.abs(Math.max(row.south, position.lat - dLat)),
      Math.abs(Math.min(row.north, position.lat + dLat)),
    );
    const denominator = Math.cos(position.lat * RAD) * Math.cos(Math.min(90, farthest) * RAD);
    const ratio = denominator > 0 ? (sinHalf * sinHalf) / denominator : Infinity;
    if (ratio >= 1) {
      for (let column = 0; column < row.columns; column++) cells.push(`${row.index}.${column}`);
      continue;
    }
    const dLon = (2 * Math.asin(Math.sqrt(ratio))) / RAD;
    const first = columnOf(row, position.lon - dLon);
    const span = Math.min(row.columns - 1, Math.ceil((2 * dLon) / row.width) + 1);
    for (let k = 0; k <= span; k++) cells.push(`${row.index}.${(first + k) % row.columns}`);
  }
  return [...new Set(cells)];
}
