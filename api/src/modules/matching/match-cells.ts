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
 * prefilter's margin): a superset, never missing one, and per row only the columns the circle can
 * reach there. By the haversine, hav(d) = hav(Δlat) + cos φ cos φ' hav(Δlon), so a point of a row
 * within d has hav(Δlon) <= (hav(d) - hav(Δlat)) / (cos φ cos φ'), bounded with Δlat the row's
 * nearest latitude to `position` and φ' its latitude farthest from the equator.
 */
export function cellsReaching(position: Position, radiusKm: number, cellKm: number): string[] {
  const reachKm = prefilterRadiusKm(radiusKm);
  const rows = rowsOf(cellKm);
  const dLat = reachKm / KM_PER_DEGREE;
  const hav = (radians: number) => Math.sin(radians / 2) ** 2;
  const havReach = hav(Math.min(Math.PI, reachKm / EARTH_RADIUS_KM));
  const cells: string[] = [];
  for (let index = rows.indexOf(position.lat - dLat); index <= rows.indexOf(position.lat + dLat); index++) {
    const row = rows.row(index);
    const south = Math.max(row.south, position.lat - dLat);
    const north = Math.min(row.north, position.lat + dLat);
    const nearest = Math.min(north, Math.max(south, position.lat));
    const farthest = Math.min(90, Math.max(Math.abs(south), Math.abs(north)));
    const denominator = Math.cos(position.lat * RAD) * Math.cos(farthest * RAD);
    const ratio = denominator > 0 ? (havReach - hav((nearest - position.lat) * RAD)) / denominator : Infinity;
    const dLon = ratio >= 1 ? 180 : (2 * Math.asin(Math.sqrt(Math.max(0, ratio)))) / RAD;
    // A span within a column's width of the whole row may end in the column it began in.
    if (2 * dLon + row.width >= 360) {
      for (let column = 0; column < row.columns; column++) cells.push(`${row.index}.${column}`);
      continue;
    }
    const first = columnOf(row, position.lon - dLon);
    const count = ((columnOf(row, position.lon + dLon) - first + row.columns) % row.columns) + 1;
    for (let k = 0; k < count; k++) cells.push(`${row.index}.${(first + k) % row.columns}`);
  }
  return cells;
}
