import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125075625 } from './Migration20261125075625';
import { Migration20261125081113 } from './Migration20261125081113';
import { Migration20261125083642 } from './Migration20261125083642';
import { Migration20261201223535 } from './Migration20261201223535';
import { Migration20261203100914 } from './Migration20261203100914';
import { Migration20261204060016 } from './Migration20261204060016';
import { Migration20261204092826 } from './Migration20261204092826';
import { Migration20261204121607 } from './Migration20261204121607';
import { Migration20261204121800 } from './Migration20261204121800';

/** Every MySQL migration in order; new ones are appended by `npm run migration:create -w api`. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125075625', class: Migration20261125075625 },
  { name: 'Migration20261125081113', class: Migration20261125081113 },
  { name: 'Migration20261125083642', class: Migration20261125083642 },
  { name: 'Migration20261201223535', class: Migration20261201223535 },
  { name: 'Migration20261203100914', class: Migration20261203100914 },
  { name: 'Migration20261204060016', class: Migration20261204060016 },
  { name: 'Migration20261204092826', class: Migration20261204092826 },
  { name: 'Migration20261204121607', class: Migration20261204121607 },
  { name: 'Migration20261204121800', class: Migration20261204121800 },
];
